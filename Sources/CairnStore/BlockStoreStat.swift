/// How many blocks a store holds and how many bytes they take.
public struct BlockStoreStat: Sendable, Equatable {
    /// The number of stored blocks.
    public var blockCount: Int
    /// The sum of the stored blocks' sizes, in bytes (file contents, not disk blocks used).
    public var totalByteCount: Int

    /// Creates a stat value.
    public init(blockCount: Int, totalByteCount: Int) {
        self.blockCount = blockCount
        self.totalByteCount = totalByteCount
    }
}
