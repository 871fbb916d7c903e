import CairnCore

/// A stored block that failed verification, as reported by `BlockStore.verify`.
public struct BadBlock: Sendable, Equatable, CustomStringConvertible {
    /// The block as a CIDv1 with the raw codec, or nil when even the file name is not a multihash.
    public var cid: CID?
    /// Where the bad block lives (a file path for `FileBlockStore`).
    public var path: String
    /// What is wrong: a hash mismatch, an unreadable file, an unexpected name or location.
    public var reason: String

    /// Creates a report entry.
    public init(cid: CID?, path: String, reason: String) {
        self.cid = cid
        self.path = path
        self.reason = reason
    }

    /// A human-readable rendering.
    public var description: String { "\(cid.map { "\($0)" } ?? "-") \(path): \(reason)" }
}

/// Progress of a running `verify`, handed to its progress callback after each block.
public struct BlockStoreVerifyProgress: Sendable, Equatable {
    /// Blocks checked so far.
    public var checkedBlockCount: Int
    /// Bytes read and hashed so far.
    public var checkedByteCount: Int
    /// Bad blocks found so far.
    public var badBlockCount: Int

    /// Creates a progress value.
    public init(checkedBlockCount: Int, checkedByteCount: Int, badBlockCount: Int) {
        self.checkedBlockCount = checkedBlockCount
        self.checkedByteCount = checkedByteCount
        self.badBlockCount = badBlockCount
    }
}
