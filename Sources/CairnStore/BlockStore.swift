import CairnCore

/// A local, synchronous, thread-safe store of content-addressed blocks, keyed by multihash.
///
/// Blocks are keyed by multihash, as kubo does, so the CIDv0 and CIDv1 of the same bytes share one
/// stored copy; the CID passed to `get` only decides how the returned block is labelled.
/// Every read re-hashes the stored bytes: a block that no longer matches its hash is reported as
/// `StoreError.corruptBlock` and its bytes are never returned.
///
/// Writes go through a batch (`makeWriteBatch()`): nothing written is visible until the batch commits.
/// Every method may be called from any thread; calls block the calling thread on disk I/O.
public protocol BlockStore: BlockSource {
    /// The batch writer this store hands out.
    associatedtype WriteBatch: BlockSink

    /// Whether a block with this multihash is stored (its bytes are not checked).
    /// - Throws: `StoreError.io` when the store cannot be read.
    func has(_ multihash: Multihash) throws(StoreError) -> Bool

    /// Reads the block named by `cid`, re-hashing its bytes.
    /// - Throws: `.blockNotFound`, `.corruptBlock(cid:path:)` when the bytes do not match,
    ///   `.unverifiableBlock` for hash functions Cairn cannot compute, `.io` on read errors.
    func get(_ cid: CID) throws(StoreError) -> Block

    /// The stored size in bytes of the block with this multihash, or nil when it is not stored.
    /// - Throws: `StoreError.io` when the store cannot be read.
    func size(of multihash: Multihash) throws(StoreError) -> Int?

    /// Deletes the block with this multihash; returns the bytes freed, or nil when it was not stored.
    /// Used by garbage collection; callers must hold the repository lock exclusively.
    /// - Throws: `StoreError.io` when the block cannot be removed.
    @discardableResult
    func delete(_ multihash: Multihash) throws(StoreError) -> Int?

    /// Calls `body` once for each stored multihash, in no particular order.
    /// - Throws: whatever `body` throws, or `StoreError.io` when the store cannot be listed.
    func forEachMultihash(_ body: (Multihash) throws -> Void) throws

    /// Counts the stored blocks and their bytes.
    /// - Throws: `StoreError.io` when the store cannot be listed.
    func stat() throws(StoreError) -> BlockStoreStat

    /// Re-hashes every stored block and returns the ones that fail, calling `progress` after each block.
    /// - Throws: `StoreError.io` only when the store cannot be listed at all; unreadable blocks are reported.
    func verify(progress: (BlockStoreVerifyProgress) -> Void) throws(StoreError) -> [BadBlock]

    /// Starts a batch of writes: blocks written to it become visible and durable together on `commit()`.
    /// - Throws: `StoreError.io` when the batch cannot be set up.
    func makeWriteBatch() throws(StoreError) -> WriteBatch
}

extension BlockStore {
    /// Whether the block named by `cid` (by its multihash) is stored.
    public func has(_ cid: CID) throws(StoreError) -> Bool { try has(cid.multihash) }

    /// The stored size in bytes of the block named by `cid`, or nil when it is not stored.
    public func size(of cid: CID) throws(StoreError) -> Int? { try size(of: cid.multihash) }

    /// Deletes the block named by `cid` (by its multihash); returns the bytes freed or nil.
    @discardableResult
    public func delete(_ cid: CID) throws(StoreError) -> Int? { try delete(cid.multihash) }

    /// Every stored multihash, collected into an array (prefer `forEachMultihash` for large stores).
    public func multihashes() throws -> [Multihash] {
        var result: [Multihash] = []
        try forEachMultihash { result.append($0) }
        return result
    }

    /// Every stored block as a CIDv1 with the raw codec, as kubo's `refs local` lists them.
    public func cids() throws -> [CID] {
        try multihashes().map { CID(v1: .raw, $0) }
    }

    /// Re-hashes every stored block without reporting progress.
    public func verify() throws(StoreError) -> [BadBlock] { try verify(progress: { _ in }) }

    /// Stores one block in its own batch and commits it (convenient for tests and single blocks).
    /// - Throws: `StoreError` when the write or commit fails; nothing is left half-written.
    public func put(_ block: Block) throws {
        let batch = try makeWriteBatch()
        do {
            try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
            try batch.commit()
        } catch {
            batch.abort()
            throw error
        }
    }

    /// `BlockSource` conformance: the verified block named by `cid`, read synchronously.
    public func block(_ cid: CID) async throws -> Block { try get(cid) }
}
