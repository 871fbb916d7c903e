import CairnCore
import Synchronization
@testable import CairnDAG

/// An in-memory block sink and source for tests: verifies every write's hash and counts writes.
final class TestBlockStore: BlockSink, BlockSource {
    struct Missing: Error { let cid: CID }
    struct BadHash: Error { let cid: CID }

    private let storage = Mutex<[CID: [UInt8]]>([:])
    private let writes = Mutex(0)

    func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws {
        let data = [UInt8](bytes)
        guard try cid.multihash.matches(data) else { throw BadHash(cid: cid) }
        storage.withLock { $0[cid] = data }
        writes.withLock { $0 += 1 }
    }

    func commit() throws {}
    func abort() {}

    func block(_ cid: CID) async throws -> Block {
        guard let data = storage.withLock({ $0[cid] }) else { throw Missing(cid: cid) }
        return try Block(cid: cid, data: data)
    }

    func bytes(_ cid: CID) -> [UInt8]? { storage.withLock { $0[cid] } }
    var count: Int { storage.withLock { $0.count } }
    var writeCount: Int { writes.withLock { $0 } }
}

/// Deterministic test inputs.
enum TestData {
    /// "pat": byte i is i % 251.
    static func pattern(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            var v: UInt8 = 0
            for i in 0..<count {
                buffer[i] = v
                v = v == 250 ? 0 : v + 1
            }
        }
        return out
    }

    static func hex(_ text: String) -> [UInt8] {
        let chars = Array(text.utf8).filter { $0 != UInt8(ascii: " ") }
        var out: [UInt8] = []
        var i = 0
        while i + 1 < chars.count {
            out.append(UInt8(String(decoding: chars[i...i + 1], as: UTF8.self), radix: 16) ?? 0)
            i += 2
        }
        return out
    }

    static func hexString(_ bytes: [UInt8]) -> String {
        bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }
}

extension FileImporter {
    /// Imports in-memory bytes.
    func importBytes(_ bytes: [UInt8], into sink: some BlockSink) async throws -> Result {
        try await importFile(from: MemoryChunkInput(bytes), into: sink)
    }
}
