/// A multicodec code from multiformats/multicodec `table.csv`: the content type of a CID,
/// a multihash function, or a multiaddr protocol.
public struct Multicodec: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code.
    public let rawValue: UInt64
    /// Wraps a numeric code.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Raw binary content (`0x55`).
    public static let raw = Multicodec(rawValue: 0x55)
    /// MerkleDAG protobuf, the UnixFS node format (`0x70`).
    public static let dagPB = Multicodec(rawValue: 0x70)
    /// DAG-CBOR (`0x71`).
    public static let dagCBOR = Multicodec(rawValue: 0x71)
    /// DAG-JSON (`0x0129`).
    public static let dagJSON = Multicodec(rawValue: 0x0129)
    /// A libp2p public key, used for peer IDs written as CIDs (`0x72`).
    public static let libp2pKey = Multicodec(rawValue: 0x72)

    /// The table name of well-known codes (`dag-pb`, `raw`, …) or a hex form for others.
    public var name: String {
        switch rawValue {
        case 0x55: "raw"
        case 0x70: "dag-pb"
        case 0x71: "dag-cbor"
        case 0x0129: "dag-json"
        case 0x72: "libp2p-key"
        default: "0x" + String(rawValue, radix: 16)
        }
    }

    /// The table name, as `name`.
    public var description: String { name }
}
