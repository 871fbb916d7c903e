/// The XOR distance between two Kademlia keys, ordered as a 256-bit unsigned integer (smaller is closer).
public struct KademliaDistance: Sendable, Hashable, Comparable, CustomStringConvertible {
    let words: (UInt64, UInt64, UInt64, UInt64)

    /// The distance from a key to itself.
    public static let zero = KademliaDistance(words: (0, 0, 0, 0))

    /// The number of leading zero bits (256 for the zero distance): the common prefix length of the two keys.
    public var leadingZeroBitCount: Int {
        if words.0 != 0 { return words.0.leadingZeroBitCount }
        if words.1 != 0 { return 64 + words.1.leadingZeroBitCount }
        if words.2 != 0 { return 128 + words.2.leadingZeroBitCount }
        return 192 + words.3.leadingZeroBitCount
    }

    /// Compares as big-endian 256-bit unsigned integers.
    public static func < (lhs: KademliaDistance, rhs: KademliaDistance) -> Bool {
        if lhs.words.0 != rhs.words.0 { return lhs.words.0 < rhs.words.0 }
        if lhs.words.1 != rhs.words.1 { return lhs.words.1 < rhs.words.1 }
        if lhs.words.2 != rhs.words.2 { return lhs.words.2 < rhs.words.2 }
        return lhs.words.3 < rhs.words.3
    }

    /// Equality of all 256 bits.
    public static func == (lhs: KademliaDistance, rhs: KademliaDistance) -> Bool { lhs.words == rhs.words }

    /// Hashes all 256 bits.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// The 32 big-endian bytes as lower-case hex.
    public var description: String {
        [words.0, words.1, words.2, words.3].map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
