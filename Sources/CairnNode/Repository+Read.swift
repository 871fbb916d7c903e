#if canImport(Glibc)
import Glibc
#endif
import CairnCore
import CairnDAG
import CairnStore
import Foundation

extension Repository {
    /// A UnixFS reader over the local blockstore; every block it reads is re-hashed.
    var reader: UnixFSReader { UnixFSReader(source: blocks) }

    /// Resolves `CID`, `CID/a/b` or `/ipfs/CID/a/b` to the CID it names.
    /// - Throws: `NodeError(.invalidInput)` for a bad CID, `.notFound` for a missing path or block.
    public func resolve(_ path: String) async throws -> CID {
        try await resolve(path, using: reader)
    }

    /// Resolves `path` reading blocks from `source` (a network-backed source lets a daemon resolve paths
    /// through content it does not hold yet).
    public func resolve(_ path: String, using source: any BlockSource) async throws -> CID {
        try await resolve(path, using: UnixFSReader(source: source))
    }

    /// Resolves `path` reading blocks through `reader`.
    func resolve(_ path: String, using reader: UnixFSReader) async throws -> CID {
        let (root, components) = try Self.parseContentPath(path)
        do {
            return try await reader.resolve(root: root, components: components, path: path)
        } catch {
            throw NodeError.wrapping(error, context: "resolve \(path)")
        }
    }

    /// Splits `CID`, `CID/a/b` or `/ipfs/CID/a/b` into the root CID and the path components below it.
    /// - Throws: `NodeError(.invalidInput)` when there is no CID or it does not parse.
    public static func parseContentPath(_ path: String) throws -> (root: CID, components: [String]) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let components = parts.first == "ipfs" ? Array(parts.dropFirst()) : parts
        guard let first = components.first else {
            throw NodeError(.invalidInput, "'\(path)' names no CID; pass CID or CID/path")
        }
        do {
            return (try CID(first), Array(components.dropFirst()))
        } catch {
            throw NodeError(.invalidInput, "'\(first)' is not a valid CID: \(error)")
        }
    }

    /// The file size of the node at `path` (nil for directories), for progress display.
    public func contentSize(_ path: String) async throws -> Int64? {
        let cid = try await resolve(path)
        guard let info = try? await reader.info(cid), info.kind == .file else { return nil }
        return Int64(info.fileSize)
    }

    /// Streams bytes of the file at `path` to `output`, from `offset` for at most `length` bytes.
    /// An offset at or past the end prints nothing, as `ipfs cat` does.
    /// - Throws: `NodeError(.notFound)`, `.corrupt` naming the block and file that failed verification.
    /// - Parameter source: where blocks come from (default: the local blockstore; a source that waits for
    ///   blocks a daemon is fetching lets output start before the whole file has arrived).
    public func cat(_ path: String, offset: Int64, length: Int64?, source: (any BlockSource)? = nil,
                    output: (UnsafeRawBufferPointer) throws -> Void) async throws {
        let reader = source.map { UnixFSReader(source: $0) } ?? self.reader
        let cid = try await resolve(path, using: reader)
        do {
            let info = try await reader.info(cid)
            guard info.kind == .file else {
                throw NodeError(.invalidInput, "\(path) is a \(info.kind == .directory ? "directory" : "non-file node"); use `cairn ls` or `cairn get`")
            }
            guard UInt64(offset) < info.fileSize else { return }
            try await reader.read(cid, offset: UInt64(offset), length: length.map { UInt64($0) }) { slice in
                try slice.withUnsafeBytes { try output($0) }
            }
        } catch {
            throw NodeError.wrapping(error, context: "cat \(path)")
        }
    }

    /// Lists the entries of the directory at `path`, or the chunks of a file.
    public func list(_ path: String) async throws -> [ListEntry] {
        let cid = try await resolve(path)
        do {
            return try await reader.list(cid).map { entry in
                ListEntry(name: entry.name, cid: entry.cid, size: entry.fileSize ?? entry.tsize, type: Self.typeName(entry.kind))
            }
        } catch {
            throw NodeError.wrapping(error, context: "ls \(path)")
        }
    }

    /// Writes the file, directory tree or symlink at `path` to `destination` and records the download.
    /// - Throws: `NodeError(.invalidInput)` when `destination` exists, `.notFound`/`.corrupt` for bad content.
    public func get(_ path: String, to destination: String, progress: @escaping @Sendable (Int64) -> Void) async throws -> GetReport {
        let started = now()
        let cid = try await resolve(path)
        if FileManager.default.fileExists(atPath: destination) {
            throw NodeError(.invalidInput, "\(destination) already exists; choose another -o path or remove it")
        }
        let written = ProgressDelta(progress)
        do {
            try await UnixFSExporter(reader: reader).export(cid, to: destination) { written.update(total: $0) }
        } catch {
            let failure = NodeError.wrapping(error, context: "get \(path)")
            _ = try? database.recordDownload(cid: cid, destination: destination, bytes: Int64(written.total),
                                             startedAt: started, finishedAt: now(), outcome: "failed: \(failure.message)")
            throw failure
        }
        let bytes = written.total
        try mapErrors("get") {
            try database.recordDownload(cid: cid, destination: destination, bytes: Int64(bytes),
                                        startedAt: started, finishedAt: now(), outcome: "ok")
        }
        return GetReport(cid: cid, destination: destination, bytes: bytes)
    }

    static func typeName(_ kind: UnixFSReader.NodeKind?) -> String {
        switch kind {
        case .file: "file"
        case .directory: "directory"
        case .symlink: "symlink"
        case .other, nil: "other"
        }
    }
}
