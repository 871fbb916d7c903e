import CairnCore

/// A binary Merkle tree over byte-string leaves with domain-separated leaf and node hashes, shaped as in
/// RFC 6962 (a tree of n leaves splits at the largest power of two below n), so a proof for any leaf is at
/// most ⌈log2 n⌉ hashes and a leaf can be checked alone against the root.
///
/// Used twice: over the fixed-size chunks of one share (so an audit can check a byte range), and over the
/// roots of the shares in one column (one share index across all segments).
public struct MerkleTree: Sendable, Equatable {
    /// The leaf hashes, in order.
    public let leafHashes: [[UInt8]]
    /// The root hash: the top of the tree bound to the number of leaves.
    public let root: [UInt8]

    /// Builds the tree over `leaves` (each is hashed with the leaf tag and its index).
    public init(leaves: [[UInt8]]) {
        let hashes = leaves.enumerated().map { Self.leafHash($0.element, index: $0.offset) }
        self.leafHashes = hashes
        self.root = Self.committedRoot(hashes.isEmpty ? [] : MerkleShape.root(hashes[...], node: Self.nodeHash), count: hashes.count)
    }

    /// The number of leaves.
    public var leafCount: Int { leafHashes.count }

    /// The sibling hashes from leaf `index` up to the root.
    /// - Throws: `MerkleError.indexOutOfRange`.
    public func proof(for index: Int) throws(MerkleError) -> [[UInt8]] {
        guard leafHashes.indices.contains(index) else { throw .indexOutOfRange(index: index, count: leafCount) }
        return MerkleShape.proof(leafHashes[...], index: index, node: Self.nodeHash)
    }

    /// Whether `leaf` is leaf `index` of a `count`-leaf tree with root `root`, given its `proof`.
    public static func verify(leaf: [UInt8], index: Int, count: Int, proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard count > 0, (0..<count).contains(index), proof.count <= 64 else { return false }
        var remaining = proof[...]
        guard let computed = MerkleShape.rebuild(leafHash(leaf, index: index), index: index, count: count, proof: &remaining, node: nodeHash),
              remaining.isEmpty else { return false }
        return committedRoot(computed, count: count) == root
    }

    /// The published root: the tree's top hash bound to its leaf count, so a proof cannot be replayed
    /// against a tree of another size.
    static func committedRoot(_ top: [UInt8], count: Int) -> [UInt8] {
        HashTag.merkleNode.hash([Array("root".utf8), SegmentCipher.uint64(count), top])
    }

    static func leafHash(_ leaf: [UInt8], index: Int) -> [UInt8] {
        HashTag.merkleLeaf.hash([SegmentCipher.uint64(index), leaf])
    }

    static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        HashTag.merkleNode.hash([left, right])
    }
}

/// Why a Merkle operation failed.
public enum MerkleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A leaf index outside the tree.
    case indexOutOfRange(index: Int, count: Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .indexOutOfRange(let index, let count): "merkle: leaf \(index) is outside 0..<\(count)"
        }
    }
}
