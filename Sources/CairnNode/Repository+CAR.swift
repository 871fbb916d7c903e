#if canImport(Glibc)
import Glibc
#endif
import CairnCore
import CairnDAG
import CairnStore
import Foundation

extension Repository {
    /// The total size in bytes of the blocks of the DAG under `root` (for progress); nil if unknown.
    public func dagSize(_ root: CID) async throws -> Int64? {
        guard let block = try? blocks.get(root), let node = try? PBNode(decoding: block.data) else { return nil }
        return Int64(block.data.count) + node.links.reduce(0) { $0 + Int64($1.tsize ?? 0) }
    }

    /// Writes the DAG under `root` as a CAR v1 stream to `output`: header, then every block once,
    /// depth-first from the root, each re-verified as it is read.
    /// - Throws: `NodeError(.notFound)` when a block of the DAG is missing, `.corrupt` when one fails its hash.
    public func exportCAR(root: CID, output: @escaping (UnsafeRawBufferPointer) throws -> Void,
                          progress: @escaping @Sendable (Int64) -> Void) async throws {
        do {
            var writer = try CARWriter(roots: [root], output: output)
            try walkDAG(from: root) { block in
                try writer.write(block)
                progress(Int64(block.data.count))
            }
        } catch {
            throw NodeError.wrapping(error, context: "export \(root)")
        }
    }

    /// Writes the DAG under `root` as a CAR file at `path` (replaced atomically when complete).
    public func exportCAR(root: CID, toFile path: String, progress: @escaping @Sendable (Int64) -> Void) async throws {
        let temporary = path + ".cairn-partial"
        let file = try OutputFile(path: temporary)
        do {
            try await exportCAR(root: root, output: { try file.write($0) }, progress: progress)
        } catch {
            try? file.close()
            unlink(temporary)
            throw error
        }
        try file.close()
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw NodeError(.failed, "cannot move \(temporary) to \(path): \(reason)")
        }
    }

    /// Visits each block of the DAG under `root` once, depth-first, parents before children.
    func walkDAG(from root: CID, _ visit: (Block) throws -> Void) throws {
        var seen: Set<Multihash> = []
        var stack: [CID] = [root]
        while let cid = stack.popLast() {
            guard seen.insert(cid.multihash).inserted else { continue }
            let block = try blocks.get(cid)
            try visit(block)
            let children = try CairnDAG.links(of: block)
            stack.append(contentsOf: children.reversed())
        }
    }

    /// Imports every block of the CAR file at `path`, verified, in one batch: a truncated or corrupt
    /// archive imports nothing. Afterwards each root whose DAG is complete is pinned (with `pinRoots`).
    /// - Throws: `NodeError(.invalidInput)` for a malformed archive (saying where it broke),
    ///   `.corrupt` for a block that does not match its CID, `.diskFull`.
    public func importCAR(fromFile path: String, pinRoots: Bool) async throws -> CARImportReport {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw NodeError(.invalidInput, "cannot read \(path): no such file or not readable")
        }
        defer { try? handle.close() }
        return try await withSharedLock {
            let batch = try mapErrors { try blocks.makeWriteBatch() }
            var blockCount = 0
            var byteCount = 0
            let roots: [CID]
            do {
                var reader = try CARReader(source: { buffer, maximum in
                    let data = try handle.read(upToCount: maximum) ?? Data()
                    buffer.append(contentsOf: data)
                    return data.count
                })
                roots = reader.header.roots
                while let block = try reader.next() {
                    try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
                    blockCount += 1
                    byteCount += block.data.count
                }
                try batch.commit()
            } catch {
                batch.abort()
                throw NodeError.wrapping(error, context: "import \(path) (nothing was imported)")
            }
            var pinned: [CID] = []
            var incomplete: [CID] = []
            for root in roots {
                if isComplete(root) {
                    if pinRoots {
                        try mapErrors { try database.addPin(root, kind: .recursive, name: nil, at: now()) }
                        pinned.append(root)
                    }
                } else {
                    incomplete.append(root)
                }
            }
            return CARImportReport(file: path, blocks: blockCount, bytes: byteCount, roots: roots,
                                   pinnedRoots: pinned, incompleteRoots: incomplete)
        }
    }

    /// Whether every block of the DAG under `root` is present and valid.
    func isComplete(_ root: CID) -> Bool {
        (try? walkDAG(from: root) { _ in }) != nil
    }
}

/// A file opened for writing with plain `write(2)`, used for exports.
final class OutputFile: Sendable {
    private let descriptor: Int32
    private let path: String

    init(path: String, mode: mode_t = 0o644) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw NodeError(.invalidInput, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = Glibc.write(descriptor, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                let code: NodeError.Code = errno == ENOSPC ? .diskFull : .failed
                throw NodeError(code, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            remaining -= n
            base += n
        }
    }

    /// Flushes the file to disk and closes it.
    func close() throws {
        fsync(descriptor)
        guard Glibc.close(descriptor) == 0 else {
            throw NodeError(.failed, "cannot close \(path): \(String(cString: strerror(errno)))")
        }
    }
}
