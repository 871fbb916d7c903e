import CairnCore
import Synchronization

/// An in-memory `BlockStore` for tests and `--offline` experiments: a dictionary from multihash to
/// bytes behind a `Mutex`. It re-hashes on every read like the file store, so the two behave alike.
public final class MemoryBlockStore: BlockStore {
    let blocks = Mutex<[Multihash: [UInt8]]>([:])

    /// Creates an empty store.
    public init() {}

    /// Whether the block is stored.
    public func has(_ multihash: Multihash) throws(StoreError) -> Bool {
        blocks.withLock { $0[multihash] != nil }
    }

    /// Reads and re-hashes the block; throws `.corruptBlock(cid:path:)` when it does not match.
    public func get(_ cid: CID) throws(StoreError) -> Block {
        guard let bytes = blocks.withLock({ $0[cid.multihash] }) else { throw .blockNotFound(cid: cid) }
        do {
            return try Block(cid: cid, data: bytes)
        } catch {
            switch error {
            case .hashMismatch: throw .corruptBlock(cid: cid, path: Self.path(for: cid.multihash))
            case .unverifiable(_, let reason): throw .unverifiableBlock(cid: cid, reason: reason)
            }
        }
    }

    /// The stored size in bytes, or nil when the block is not stored.
    public func size(of multihash: Multihash) throws(StoreError) -> Int? {
        blocks.withLock { $0[multihash]?.count }
    }

    /// Removes the block; returns its size, or nil when it was not stored.
    @discardableResult
    public func delete(_ multihash: Multihash) throws(StoreError) -> Int? {
        blocks.withLock { $0.removeValue(forKey: multihash)?.count }
    }

    /// Calls `body` for each stored multihash (a snapshot taken under the lock).
    public func forEachMultihash(_ body: (Multihash) throws -> Void) throws {
        for multihash in blocks.withLock({ Array($0.keys) }) { try body(multihash) }
    }

    /// Counts blocks and bytes.
    public func stat() throws(StoreError) -> BlockStoreStat {
        blocks.withLock { blocks in
            BlockStoreStat(blockCount: blocks.count, totalByteCount: blocks.values.reduce(0) { $0 + $1.count })
        }
    }

    /// Re-hashes every block and returns those that do not match.
    public func verify(progress: (BlockStoreVerifyProgress) -> Void) throws(StoreError) -> [BadBlock] {
        let snapshot = blocks.withLock { $0 }
        var bad: [BadBlock] = []
        var status = BlockStoreVerifyProgress(checkedBlockCount: 0, checkedByteCount: 0, badBlockCount: 0)
        for (multihash, bytes) in snapshot {
            let matches = (try? multihash.matches(bytes)) ?? false
            if !matches {
                bad.append(BadBlock(cid: CID(v1: .raw, multihash), path: Self.path(for: multihash),
                                    reason: "content (\(bytes.count) bytes) does not match its hash"))
            }
            status.checkedBlockCount += 1
            status.checkedByteCount += bytes.count
            status.badBlockCount = bad.count
            progress(status)
        }
        return bad
    }

    /// Starts a new, empty write batch.
    public func makeWriteBatch() throws(StoreError) -> MemoryWriteBatch {
        MemoryWriteBatch(store: self)
    }

    /// Replaces the stored bytes of a block without any check, to simulate disk corruption in tests.
    public func _overwrite(_ multihash: Multihash, with bytes: [UInt8]) {
        blocks.withLock { $0[multihash] = bytes }
    }

    /// The pseudo-path reported for a block in error messages.
    static func path(for multihash: Multihash) -> String { "memory:" + multihash.description }
}

/// A write batch for `MemoryBlockStore`: blocks are copied into a `Mutex`-protected pending map
/// (so concurrent `write` calls are safe) and merged into the store on `commit`.
public final class MemoryWriteBatch: BlockSink {
    private struct State: Sendable {
        var pending: [Multihash: [UInt8]] = [:]
        var isFinished = false
    }

    private let store: MemoryBlockStore
    private let state = Mutex(State())

    init(store: MemoryBlockStore) { self.store = store }

    /// Copies the block into the batch.
    /// - Throws: `StoreError.batchFinished` after `commit` or `abort`.
    public func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws {
        let copy = [UInt8](bytes)
        let accepted = state.withLock { state in
            guard !state.isFinished else { return false }
            state.pending[cid.multihash] = copy
            return true
        }
        guard accepted else { throw StoreError.batchFinished }
    }

    /// Makes every written block visible; blocks already stored keep their stored bytes.
    /// - Throws: `StoreError.batchFinished` when called twice or after `abort`.
    public func commit() throws {
        let pending: [Multihash: [UInt8]]? = state.withLock { state in
            guard !state.isFinished else { return nil }
            defer { state.pending = [:]; state.isFinished = true }
            return state.pending
        }
        guard let pending else { throw StoreError.batchFinished }
        store.blocks.withLock { blocks in
            blocks.merge(pending) { stored, _ in stored }
        }
    }

    /// Drops every written block.
    public func abort() {
        state.withLock { state in
            state.pending = [:]
            state.isFinished = true
        }
    }
}
