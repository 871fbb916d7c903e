import CairnTestSupport
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


extension FileImporter {
    /// Imports in-memory bytes.
    func importBytes(_ bytes: [UInt8], into sink: some BlockSink) async throws -> Result {
        try await importFile(from: MemoryChunkInput(bytes), into: sink)
    }
}
