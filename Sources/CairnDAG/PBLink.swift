import CairnCore

/// One link of a dag-pb node: the child's CID, its name in the parent, and its cumulative size.
///
/// Wire form (ipld dag-pb spec): `PBLink { Hash = 1 bytes; Name = 2 string; Tsize = 3 uint64 }`.
public struct PBLink: Sendable, Equatable, Hashable {
    /// The child's CID.
    public var cid: CID
    /// The link name: a directory entry name, a HAMT slot name, or `""` for file chunks.
    public var name: String
    /// The child's cumulative size in bytes (block length plus all descendants), when known.
    public var tsize: UInt64?

    /// Creates a link.
    public init(cid: CID, name: String = "", tsize: UInt64?) {
        self.cid = cid
        self.name = name
        self.tsize = tsize
    }
}
