/// Anything that can hand out verified blocks by CID: the local blockstore now, the network later.
///
/// Implementations must return only blocks whose bytes hash to the requested CID.
public protocol BlockSource: Sendable {
    /// Returns the verified block named by `cid`.
    /// - Throws: an implementation-specific error when the block is missing, corrupt or unreachable.
    func block(_ cid: CID) async throws -> Block
}

/// A destination for freshly built blocks, such as a blockstore write batch or a hash-only counter.
///
/// Writers call `write` for each block, possibly from several threads at once, then `commit` once to
/// make everything written durable, or `abort` to drop it. Nothing written is visible to readers
/// before `commit` returns.
public protocol BlockSink: Sendable {
    /// Writes one block whose bytes are `bytes`; the pointer is valid only during the call.
    /// `cid` must be the hash of `bytes` (the caller has just computed it). Safe to call concurrently.
    func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws
    /// Makes every block written so far durable and visible, atomically per block.
    func commit() throws
    /// Drops every block written since the last commit.
    func abort()
}

/// A sink that stores nothing: used for `add --only-hash`.
public struct DiscardingBlockSink: BlockSink {
    /// Creates a sink that drops every block.
    public init() {}
    /// Drops the block.
    public func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws {}
    /// Does nothing: nothing was kept.
    public func commit() throws {}
    /// Does nothing: nothing was kept.
    public func abort() {}
}
