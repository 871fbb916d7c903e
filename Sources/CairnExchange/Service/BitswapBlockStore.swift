import CairnCore

/// The local blocks the Bitswap server answers from (the node's blockstore behind a small adapter).
public protocol BitswapBlockStore: Sendable {
    /// The size in bytes of the stored block `cid`, or nil when it is not stored.
    func blockSize(_ cid: CID) async -> Int?

    /// The stored block `cid` (verified when read), or nil when it is not stored or unreadable.
    func storedBlock(_ cid: CID) async -> Block?
}
