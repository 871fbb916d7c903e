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
        _ = try AddOptions.totalBytes(of: paths, recursive: options.recursive, includeHidden: options.includeHidden)
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
                    if options.pin { try database.addPin(cid: entry.cid, kind: .recursive, name: entry.name, createdAt: addedAt) }
                    try database.recordFile(name: entry.name, size: entry.size, rootCID: entry.cid, addedAt: addedAt)
                }
            }
            return entries
        }
    }

    /// Computes the CIDs `add` would give without storing anything (`add --only-hash`); needs no repository.
    public static func hashOnly(paths: [String], options: AddOptions, progress: @escaping @Sendable (Int64) -> Void) async throws -> [AddedEntry] {
        _ = try AddOptions.totalBytes(of: paths, recursive: options.recursive, includeHidden: options.includeHidden)
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
        let importerOptions = try options.importerOptions()
        var entries: [AddedEntry] = []
        for path in paths {
            let name = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                let importer = TreeImporter(options: importerOptions, includeHidden: options.includeHidden)
                var inner: [AddedEntry] = []
                let result = try await importer.importTree(atPath: path, into: sink, progress: progress) { relative, cid, size in
                    inner.append(AddedEntry(name: name + "/" + relative, cid: cid, size: size, isTopLevel: false))
                }
                entries += inner
                entries.append(AddedEntry(name: name, cid: result.cid, size: result.tsize, isTopLevel: true))
            } else {
                let result = try await FileImporter(options: importerOptions).importFile(atPath: path, into: sink, progress: progress)
                entries.append(AddedEntry(name: name, cid: result.cid, size: result.fileSize, isTopLevel: true))
            }
        }
        return entries
    }
}
