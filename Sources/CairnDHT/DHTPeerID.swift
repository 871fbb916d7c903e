import CairnCore

/// A libp2p peer ID as the DHT sees it: the binary peer-ID multihash bytes, with its Kademlia key.
///
/// Deliberately independent of CairnCrypto's `PeerID`: the DHT only compares, hashes and forwards these
/// bytes. Creating one validates that the bytes are a multihash (identity for small keys such as Ed25519,
/// sha2-256 otherwise) no longer than `Multiaddr.maximumPeerIDByteCount`.
public struct DHTPeerID: Sendable, Hashable, CustomStringConvertible {
    /// The binary multihash bytes of the peer ID.
    public let bytes: [UInt8]
    /// SHA-256 of `bytes`, the peer's position in the Kademlia key space.
    public let kademliaKey: KademliaKey

    /// Wraps and validates binary peer-ID bytes.
    /// - Throws: `DHTError.invalidPeerID` when the bytes are empty, too long or not a multihash.
    public init(bytes: [UInt8]) throws(DHTError) {
        guard !bytes.isEmpty else { throw .invalidPeerID(reason: "empty") }
        guard bytes.count <= Multiaddr.maximumPeerIDByteCount else {
            throw .invalidPeerID(reason: "\(bytes.count) bytes, over the limit of \(Multiaddr.maximumPeerIDByteCount)")
        }
        do {
            _ = try Multihash(bytes: bytes)
        } catch {
            throw .invalidPeerID(reason: error.description)
        }
        self.bytes = bytes
        self.kademliaKey = KademliaKey(hashing: bytes)
    }

    /// Wraps the peer ID held in a multihash.
    public init(multihash: Multihash) {
        self.bytes = multihash.bytes
        self.kademliaKey = KademliaKey(hashing: bytes)
    }

    /// Equality is by bytes (the key follows from them).
    public static func == (lhs: DHTPeerID, rhs: DHTPeerID) -> Bool { lhs.bytes == rhs.bytes }

    /// Hashes the bytes.
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    /// Hex of the binary form (base58 display belongs to CairnCrypto).
    public var description: String { Base16.encode(bytes) }
}
