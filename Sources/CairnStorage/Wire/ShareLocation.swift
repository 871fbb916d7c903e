import CairnCore
import CairnCrypto

/// Where one share of a file lives: which share it is, who holds it and under which contract.
///
/// ```
/// 1 segment     uint32
/// 2 index       uint32  share index in its segment, < 2^16
/// 3 share       bytes   share CID
/// 4 provider    bytes   binary peer ID
/// 5 contractID  bytes   16
/// ```
public struct ShareLocation: Sendable, Hashable {
    /// The segment the share belongs to.
    public var segment: UInt32
    /// The share's index in its segment.
    public var index: UInt16
    /// The share CID.
    public var share: CID
    /// The provider holding it.
    public var provider: PeerID
    /// The contract it is held under (16 bytes).
    public var contractID: [UInt8]

    /// Creates a location.
    public init(segment: UInt32, index: UInt16, share: CID, provider: PeerID, contractID: [UInt8]) {
        self.segment = segment
        self.index = index
        self.share = share
        self.provider = provider
        self.contractID = contractID
    }

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendVarint(field: 1, UInt64(segment))
        writer.appendVarint(field: 2, UInt64(index))
        writer.appendBytes(field: 3, share.bytes)
        writer.appendBytes(field: 4, provider.multihash.bytes)
        writer.appendBytes(field: 5, contractID)
        return writer.bytes
    }

    /// Decodes the canonical encoding.
    /// - Throws: `StorageWireError`.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "ShareLocation", fieldCount: 5)
        segment = try decoder.uint32(1, "segment")
        index = try decoder.uint16(2, "index")
        share = try decoder.shareCID(3, "share")
        provider = try decoder.peerID(4, "provider")
        contractID = try decoder.contractID(5, "contractID")
        try decoder.finish()
    }
}
