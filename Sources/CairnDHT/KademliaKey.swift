import CairnCore
import Foundation
import Crypto

/// A point in the 256-bit Kademlia key space: SHA-256 of a DHT key's bytes.
///
/// Which bytes are hashed (ipfs/specs `src/routing/kad-dht.md`):
/// - a peer: its binary peer-ID multihash;
/// - content: the CID's **multihash**, not the CID bytes (so CIDv0 and CIDv1 of one block meet);
/// - a record: the record-key bytes, e.g. `/pk/<peer-ID bytes>`.
///
/// Stored as four big-endian 64-bit words so XOR and comparison are a few instructions.
public struct KademliaKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The number of bytes in a key.
    public static let byteCount = 32
    /// The number of bits in a key, and so the largest possible common prefix length.
    public static let bitCount = 256

    let words: (UInt64, UInt64, UInt64, UInt64)

    init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    /// The key of arbitrary DHT key bytes: their SHA-256 digest.
    public init(hashing bytes: some DataProtocol) {
        let digest = Array(SHA256.hash(data: bytes))
        self.init(uncheckedBytes: digest)
    }

    /// The key of a peer, from its binary peer-ID multihash bytes.
    public init(peerIDBytes: [UInt8]) { self.init(hashing: peerIDBytes) }

    /// The key of content: SHA-256 of the multihash bytes.
    public init(multihash: Multihash) { self.init(hashing: multihash.bytes) }

    /// The key of content named by a CID: that of its multihash (the CID bytes are not used).
    public init(cid: CID) { self.init(multihash: cid.multihash) }

    /// A key from its 32 raw bytes (an already computed digest).
    /// - Throws: `DHTError.invalidKademliaKeyLength` unless there are exactly 32 bytes.
    public init(rawBytes: [UInt8]) throws(DHTError) {
        guard rawBytes.count == Self.byteCount else { throw .invalidKademliaKeyLength(rawBytes.count) }
        self.init(uncheckedBytes: rawBytes)
    }

    private init(uncheckedBytes bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount)
        func word(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in bytes[index * 8..<index * 8 + 8] { value = value << 8 | UInt64(byte) }
            return value
        }
        self.words = (word(0), word(1), word(2), word(3))
    }

    /// The 32 raw bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.byteCount)
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return out
    }

    /// The XOR distance to `other`.
    public func distance(to other: KademliaKey) -> KademliaDistance {
        KademliaDistance(words: (words.0 ^ other.words.0, words.1 ^ other.words.1, words.2 ^ other.words.2, words.3 ^ other.words.3))
    }

    /// The number of leading bits this key shares with `other` (0...256; 256 only for equal keys).
    public func commonPrefixLength(with other: KademliaKey) -> Int {
        distance(to: other).leadingZeroBitCount
    }

    /// Orders keys as 256-bit big-endian unsigned integers.
    public static func < (lhs: KademliaKey, rhs: KademliaKey) -> Bool {
        KademliaDistance(words: lhs.words) < KademliaDistance(words: rhs.words)
    }

    /// Equality of all 256 bits.
    public static func == (lhs: KademliaKey, rhs: KademliaKey) -> Bool {
        lhs.words == rhs.words
    }

    /// Hashes all 256 bits.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// Decodes the 32 raw bytes (a Codable single value, used in routing-table snapshots).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode([UInt8].self)
        guard raw.count == Self.byteCount else { throw DHTError.invalidKademliaKeyLength(raw.count) }
        self.init(uncheckedBytes: raw)
    }

    /// Encodes the 32 raw bytes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }

    /// Lower-case hex of the 32 bytes.
    public var description: String { Base16.encode(bytes) }
}
