/// The RFC 6962 tree shape shared by Cairn's Merkle trees (the share tree here, the column trees of
/// private files): a tree of n leaves splits at the largest power of two below n. The node hash is the
/// caller's, so each tree keeps its own domain separation.
public enum MerkleShape {
    /// The largest power of two strictly below `count` (count ≥ 2); cannot overflow.
    public static func split(_ count: Int) -> Int {
        var power = 1
        while power < count - power { power *= 2 }
        return power
    }

    /// The top hash over `hashes` (empty for none).
    public static func root(_ hashes: ArraySlice<[UInt8]>, node: ([UInt8], [UInt8]) -> [UInt8]) -> [UInt8] {
        guard hashes.count > 1 else { return hashes.first ?? [] }
        let middle = hashes.startIndex + split(hashes.count)
        return node(root(hashes[..<middle], node: node), root(hashes[middle...], node: node))
    }

    /// The sibling hashes from leaf `index` up to the top, bottom first.
    public static func proof(_ hashes: ArraySlice<[UInt8]>, index: Int, node: ([UInt8], [UInt8]) -> [UInt8]) -> [[UInt8]] {
        var path: [[UInt8]] = []
        collect(hashes, index: index, node: node, into: &path)
        return path
    }

    private static func collect(_ hashes: ArraySlice<[UInt8]>, index: Int, node: ([UInt8], [UInt8]) -> [UInt8], into path: inout [[UInt8]]) {
        guard hashes.count > 1 else { return }
        let leftCount = split(hashes.count)
        let middle = hashes.startIndex + leftCount
        if index < leftCount {
            collect(hashes[..<middle], index: index, node: node, into: &path)
            path.append(root(hashes[middle...], node: node))
        } else {
            collect(hashes[middle...], index: index - leftCount, node: node, into: &path)
            path.append(root(hashes[..<middle], node: node))
        }
    }

    /// The top hash recomputed from a leaf hash and its proof (consumed bottom-up); nil when the proof is
    /// too short or a sibling is not `siblingByteCount` bytes.
    public static func rebuild(_ leaf: [UInt8], index: Int, count: Int, proof: inout ArraySlice<[UInt8]>, siblingByteCount: Int = 32,
                               node: ([UInt8], [UInt8]) -> [UInt8]) -> [UInt8]? {
        guard count > 1 else { return leaf }
        let leftCount = split(count)
        if index < leftCount {
            guard let left = rebuild(leaf, index: index, count: leftCount, proof: &proof, siblingByteCount: siblingByteCount, node: node),
                  let sibling = proof.popFirst(), sibling.count == siblingByteCount else { return nil }
            return node(left, sibling)
        } else {
            guard let right = rebuild(leaf, index: index - leftCount, count: count - leftCount, proof: &proof,
                                      siblingByteCount: siblingByteCount, node: node),
                  let sibling = proof.popFirst(), sibling.count == siblingByteCount else { return nil }
            return node(sibling, right)
        }
    }
}
