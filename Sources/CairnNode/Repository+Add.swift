import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import CairnCore
import CairnDAG
import CairnStore
import Foundation

extension Repository {
    /// Imports `paths` as UnixFS DAGs, stores their blocks crash-safely and pins the top-level items.
    ///
    /// Order of durability: every block is written to staging, synced and renamed into place
    /// (`commit`), and only then are the pins and file-index rows recorded. A crash at any point
    /// leaves either no pin or a pin on a complete DAG. The repository lock is held shared for the
    /// whole operation, so a concurrent `repo gc` waits instead of deleting blocks not yet pinned.
    /// - Parameter progress: called with the number of input bytes just imported.
    /// - Throws: `NodeError` (`.invalidInput` for missing paths, `.diskFull`, …).
    public func add(paths: [String], options: AddOptions, progress: @escaping @Sendable (Int64) -> Void) async throws -> [AddedEntry] {
        try options.validate(paths)
        return try await withSharedLock {
            let batch = try mapErrors { try blocks.makeWriteBatch() }
            let entries: [AddedEntry]
            do {
                entries = try await Repository.importPaths(paths, options: options, into: batch, progress: progress)
                try batch.commit()
            } catch {
                batch.abort()
                throw NodeError.wrapping(error, context: "add")
            }
            try mapErrors {
                let addedAt = now()
                for entry in entries where entry.isTopLevel {
                    if options.pin { try database.addPin(entry.cid, kind: .recursive, name: entry.name, at: addedAt) }
                    try database.recordFile(name: entry.name, size: Int64(entry.size), rootCID: entry.cid, addedAt: addedAt)
                }
            }
            return entries
        }
    }

    /// Computes the CIDs `add` would give without storing anything (`add --only-hash`); needs no repository.
    public static func hashOnly(paths: [String], options: AddOptions, progress: @escaping @Sendable (Int64) -> Void) async throws -> [AddedEntry] {
        try options.validate(paths)
        do {
            return try await importPaths(paths, options: options, into: DiscardingBlockSink(), progress: progress)
        } catch {
            throw NodeError.wrapping(error, context: "add")
        }
    }

    /// Imports each path (a file, or with `recursive` a directory tree) into `sink`, in order.
    static func importPaths(
        _ paths: [String], options: AddOptions, into sink: some BlockSink, progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> [AddedEntry] {
        let treeOptions = TreeImporter.Options(file: try options.importerOptions(), includeHidden: options.includeHidden)
        let importer = TreeImporter(options: treeOptions)
        var entries: [AddedEntry] = []
        for path in paths {
            // Importers report running totals per item; the progress bar wants increments.
            let reported = ProgressDelta(progress)
            if path == AddOptions.standardInputPath {
                let input = StreamChunkInput(fileDescriptor: STDIN_FILENO)
                let result = try await FileImporter(options: treeOptions.file)
                    .importFile(from: input, into: sink, progress: { reported.update(total: $0) })
                // Like `ipfs add` reading stdin, the entry is named by its own CID.
                entries.append(AddedEntry(name: result.cid.description, cid: result.cid, size: result.fileSize, isTopLevel: true))
                continue
            }
            let root = URL(fileURLWithPath: path).standardizedFileURL.path
            let name = URL(fileURLWithPath: root).lastPathComponent
            let collected = EntryCollector()
            let result = try await importer.importPath(root, into: sink, progress: { reported.update(total: $0) }) { entryPath, result in
                guard entryPath != root else { return }
                let relative = String(entryPath.dropFirst(root.count))
                collected.append(AddedEntry(name: name + relative, cid: result.cid, size: result.kind == .file ? result.fileBytes : result.tsize,
                                            isTopLevel: false))
            }
            entries += collected.entries
            entries.append(AddedEntry(name: name, cid: result.cid, size: result.kind == .file ? result.fileBytes : result.tsize,
                                      isTopLevel: true))
        }
        return entries
    }
}

/// Collects the entries an import reports, from whichever task reports them.
final class EntryCollector: Sendable {
    private let storage = Mutex<[AddedEntry]>([])

    func append(_ entry: AddedEntry) { storage.withLock { $0.append(entry) } }
    var entries: [AddedEntry] { storage.withLock { $0 } }
}

/// Turns a running total into increments for a progress callback.
final class ProgressDelta: Sendable {
    private let last = Mutex<UInt64>(0)
    private let report: @Sendable (Int64) -> Void

    init(_ report: @escaping @Sendable (Int64) -> Void) { self.report = report }

    /// The largest total reported so far.
    var total: UInt64 { last.withLock { $0 } }

    func update(total: UInt64) {
        let delta = last.withLock { previous -> UInt64 in
            defer { previous = max(previous, total) }
            return total > previous ? total - previous : 0
        }
        if delta > 0 { report(Int64(delta)) }
    }
}
