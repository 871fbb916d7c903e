import CairnCore
import CairnExchange
import CairnNode
import CairnStore

/// Bitswap's view of the repository's blockstore: sizes for HAVE answers and verified blocks to send.
struct RepositoryBitswapStore: BitswapBlockStore {
    let blocks: FileBlockStore

    func blockSize(_ cid: CID) async -> Int? {
        try? blocks.size(of: cid)
    }

    func storedBlock(_ cid: CID) async -> Block? {
        // `get` re-hashes the bytes: a block damaged on disk is never sent.
        try? blocks.get(cid)
    }
}

/// Stores blocks arriving from the network in crash-safe batches: a batch commits after 1, 2, 4 … up to
/// `maximumBlockCount` blocks, `maximumByteCount` bytes, or when ``flush()`` is called, and only committed blocks are announced.
actor FetchedBlockWriter {
    private let blocks: FileBlockStore
    private let maximumBlockCount: Int
    private let maximumByteCount: Int
    private var batch: FileWriteBatch?
    private var pending: [CID] = []
    private var pendingBytes = 0
    /// Blocks per batch right now: 1 at first, doubling to `maximumBlockCount`, so the first blocks of a
    /// file become readable at once (a streaming `cat` starts early) while later batches amortise syncs.
    private var batchBlockCount = 1
    private let committed: @Sendable ([CID]) async -> Void

    init(blocks: FileBlockStore, maximumBlockCount: Int = 64, maximumByteCount: Int = 16 << 20,
         committed: @escaping @Sendable ([CID]) async -> Void) {
        self.blocks = blocks
        self.maximumBlockCount = maximumBlockCount
        self.maximumByteCount = maximumByteCount
        self.committed = committed
    }

    /// Adds `block` to the current batch unless the store already has it; returns whether it was new.
    @discardableResult
    func write(_ block: Block) async throws -> Bool {
        if try blocks.has(block.cid) || pending.contains(block.cid) { return false }
        if batch == nil { batch = try blocks.makeWriteBatch() }
        guard let batch else { return false }
        try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
        pending.append(block.cid)
        pendingBytes += block.data.count
        if pending.count >= batchBlockCount || pendingBytes >= maximumByteCount { try await flush() }
        return true
    }

    /// Commits the current batch (durable when it returns) and announces its blocks.
    func flush() async throws {
        guard let batch else { return }
        self.batch = nil
        let cids = pending
        pending = []
        pendingBytes = 0
        try batch.commit()
        batchBlockCount = min(batchBlockCount * 2, maximumBlockCount)
        await committed(cids)
    }

    /// Drops uncommitted blocks (after a failed fetch they are fetched again next time).
    func abort() {
        batch?.abort()
        batch = nil
        pending = []
        pendingBytes = 0
    }
}
