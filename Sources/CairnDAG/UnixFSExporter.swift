import CairnCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a UnixFS DAG to the filesystem, as `ipfs get` does: files stream to disk in pieces,
/// directories (basic or HAMT) are created and filled, symlinks are recreated (not followed).
///
/// Entry names are checked before use: empty names, `.`, `..` and names containing `/` are rejected
/// with `DAGError.invalidEntryName`, so a hostile DAG cannot write outside `destination`.
public struct UnixFSExporter: Sendable {
    /// The reader blocks come through.
    public let reader: UnixFSReader

    /// Creates an exporter over `reader`.
    public init(reader: UnixFSReader) { self.reader = reader }

    /// Writes the node at `cid` to `destination`, which must not exist yet.
    /// `progress` receives the running total of file bytes written.
    /// - Throws: `DAGError.io` for filesystem failures, reader errors for bad or missing blocks.
    public func export(_ cid: CID, to destination: String, progress: (@Sendable (UInt64) -> Void)? = nil) async throws {
        var written: UInt64 = 0
        try await exportNode(cid, to: destination, depth: 0, written: &written, progress: progress)
    }

    private func exportNode(_ cid: CID, to path: String, depth: Int, written: inout UInt64,
                            progress: (@Sendable (UInt64) -> Void)?) async throws {
        guard depth < DAGLimits.maximumReadDepth else { throw DAGError.inconsistentDAG(cid: cid, reason: "directory nesting too deep") }
        let info = try await reader.info(cid)
        switch info.kind {
        case .file:
            try await writeFile(cid, to: path, written: &written, progress: progress)
        case .directory:
            guard mkdir(path, 0o755) == 0 else { throw UnixFSExporter.ioError(path, "mkdir") }
            for entry in try await reader.list(cid, resolveKinds: false) {
                let name = entry.name
                guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else { throw DAGError.invalidEntryName(name) }
                try await exportNode(entry.cid, to: path + "/" + name, depth: depth + 1, written: &written, progress: progress)
            }
        case .symlink:
            let target = String(decoding: info.symlinkTarget ?? [], as: UTF8.self)
            guard symlink(target, path) == 0 else { throw UnixFSExporter.ioError(path, "symlink") }
        case .other:
            throw DAGError.notAFile(cid: cid)
        }
    }

    private func writeFile(_ cid: CID, to path: String, written: inout UInt64,
                           progress: (@Sendable (UInt64) -> Void)?) async throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw UnixFSExporter.ioError(path, "create") }
        defer { _ = close(fd) }
        var total = written
        try await reader.read(cid) { piece in
            try piece.withUnsafeBytes { buffer in
                var done = 0
                while done < buffer.count {
                    guard let base = buffer.baseAddress else { return }
                    let n = write(fd, base + done, buffer.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw UnixFSExporter.ioError(path, "write")
                    }
                    done += n
                }
            }
            total += UInt64(piece.count)
            progress?(total)
        }
        written = total
    }

    private static func ioError(_ path: String, _ operation: String) -> DAGError {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
