/// The named limits and kubo-compatible defaults used throughout CairnDAG.
///
/// Each value is what kubo 0.22 uses (boxo), so that Cairn produces the same CIDs and accepts the
/// same blocks.
public enum DAGLimits {
    /// The largest block Cairn builds or decodes: 2 MiB, the bitswap/kubo block limit.
    public static let maximumBlockByteCount = 2 * 1024 * 1024
    /// The default fixed chunk size of `ipfs add`: 256 KiB (boxo `chunker.DefaultBlockSize`).
    public static let defaultChunkByteCount = 256 * 1024
    /// The largest chunk the `size-N` chunker accepts: 1 MiB (boxo `chunker.ChunkSizeLimit`), so a
    /// leaf plus its header stays far below the block limit.
    public static let maximumChunkByteCount = 1024 * 1024
    /// Links per internal node of a balanced file DAG: 8192/47 = 174 (boxo `helpers.DefaultLinksPerBlock`).
    public static let defaultLinksPerNode = 174
    /// The estimated directory size at or above which a directory becomes a HAMT (boxo `HAMTShardingSize`).
    public static let hamtShardingSize = 262_144
    /// The fanout of HAMT shards kubo writes.
    public static let hamtFanout = 256
    /// The deepest a HAMT can go: 8 levels of 8 bits consume the 64-bit murmur3 hash.
    public static let hamtMaximumDepth = 8
    /// The deepest DAG the reader follows before declaring it malformed (bounds recursion).
    public static let maximumReadDepth = 64
    /// The largest link count a single dag-pb node may hold when decoding (bounds memory).
    public static let maximumLinkCount = 65_536
}
