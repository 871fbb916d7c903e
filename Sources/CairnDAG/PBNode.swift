import CairnCore

/// A dag-pb node (codec `0x70`): ordered links and optional opaque data (UnixFS puts its
/// `Data` message here).
///
/// Canonical byte layout (ipld/ipld `specs/codecs/dag-pb/spec.md`, boxo `merkledag/coding.go`):
/// ```
/// for each link:  12 <len> [0a <cid len> <binary cid>] [12 <name len> <name>] [18 <tsize>]
/// then, if data:  0a <len> <data>
/// ```
/// Links (field 2) come before Data (field 1); `Name` is always written, even when empty (`12 00`).
/// See `PBNode+Wire.swift` for the encoder and the strict decoder, and docs/specs/dag-pb-unixfs.md.
public struct PBNode: Sendable, Equatable {
    /// The links, in stored order.
    public var links: [PBLink]
    /// The node's data field, if present.
    public var data: [UInt8]?

    /// Creates a node.
    public init(links: [PBLink] = [], data: [UInt8]?) {
        self.links = links
        self.data = data
    }
}
