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
/// `maximumBlockCount` blocks or `maximumByteCount` bytes, and only committed blocks are announced.
///
/// Commits (two `syncfs` calls each) overlap with the network: a full batch is committed in the
/// background while the next one fills, with at most one commit in flight, so the fetch never waits for
/// the disk unless the disk is the slower of the two.
actor FetchedBlockWriter {
    private let blocks: FileBlockStore
    private let maximumBlockCount: Int
    private let maximumByteCount: Int
    private var batch: FileWriteBatch?
    private var pending: [CID] = []
    private var pendingSet: Set<CID> = []
    private var pendingBytes = 0
    /// Blocks per batch right now: 1 at first, doubling to `maximumBlockCount`, so the first blocks of a
    /// file become readable at once (a streaming `cat` starts early) while later batches amortise syncs.
    private var batchBlockCount = 1
    /// The commit of the previous batch, and the CIDs it holds (not yet visible through `has`).
    private var committing: Task<Void, any Error>?
    private var committingSet: Set<CID> = []
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
        if pendingSet.contains(block.cid) || committingSet.contains(block.cid) { return false }
        if try blocks.has(block.cid) { return false }
        if batch == nil { batch = try blocks.makeWriteBatch() }
        guard let batch else { return false }
        try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
        pending.append(block.cid)
        pendingSet.insert(block.cid)
        pendingBytes += block.data.count
        if pending.count >= batchBlockCount || pendingBytes >= maximumByteCount { try await startCommit() }
        return true
    }

    /// Commits everything written so far; durable and announced when it returns.
    func flush() async throws {
        try await startCommit()
        try await finishCommit()
    }

    /// Drops uncommitted blocks (after a failed fetch they are fetched again next time); a commit already
    /// under way completes first.
    func abort() async {
        try? await finishCommit()
        batch?.abort()
        batch = nil
        pending = []
        pendingSet = []
        pendingBytes = 0
    }

    /// Hands the current batch to a background commit, after the previous commit finished.
    private func startCommit() async throws {
        guard let batch else { return }
        try await finishCommit()
        self.batch = nil
        let cids = pending
        committingSet = pendingSet
        pending = []
        pendingSet = []
        pendingBytes = 0
        batchBlockCount = min(batchBlockCount * 2, maximumBlockCount)
        let committed = self.committed
        committing = Task {
            try batch.commit()
            await committed(cids)
        }
    }

    /// Waits for the commit under way, if any.
    private func finishCommit() async throws {
        guard let committing else { return }
        self.committing = nil
        defer { committingSet = [] }
        try await committing.value
    }
}
