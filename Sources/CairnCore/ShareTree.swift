/// The hash that names a private file's share: a binary Merkle tree over the share's 4 KiB chunks, so an
/// auditor can check any chunk (a byte range) of a share against the share's CID without the rest of it.
///
/// Shape as RFC 6962 (a tree of n leaves splits at the largest power of two below n). Every hash is
/// a ``TaggedSHA256`` (length-prefixed, versioned tag and length-prefixed parts):
/// - leaf `i`: `H("cairn/share/v1/leaf", u64be(i), chunk)`
/// - node: `H("cairn/share/v1/node", left, right)`
/// - root: `H("cairn/share/v1/root", u64be(byteCount), top)` — the share's length is bound in, so a
///   truncated or extended share never matches.
///
/// An empty share has one empty leaf. The multihash code is in the multicodec private-use range
/// (``Multihash/Function/cairnShareTree``).
public enum ShareTree {
    /// The bytes under one leaf.
    public static let chunkByteCount = 4096
    /// The digest length.
    public static let digestByteCount = 32

    private static let leafTag = "cairn/share/v1/leaf"
    private static let nodeTag = "cairn/share/v1/node"
    private static let rootTag = "cairn/share/v1/root"

    /// The number of leaves of a `byteCount`-byte share.
    public static func leafCount(forByteCount byteCount: Int) -> Int {
        max(1, byteCount / chunkByteCount + (byteCount % chunkByteCount > 0 ? 1 : 0))  // no overflow near Int.max
    }

    /// The root of `bytes` (the share's digest).
    public static func root(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var stack = SubtreeStack(combine: { nodeHash($0, $1) })
        let count = leafCount(forByteCount: bytes.count)
        for index in 0..<count {
            let start = index * chunkByteCount
            let end = min(start + chunkByteCount, bytes.count)
            stack.push(leafHash(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), index: index))
        }
        return committedRoot(stack.top(), byteCount: bytes.count)
    }

    /// The root of `bytes`.
    public static func root(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { root($0) }
    }

    /// The sibling hashes from chunk `index` of `bytes` up to the top, bottom first.
    /// - Throws: `.chunkOutOfRange` for an index outside the share.
    public static func proof(_ bytes: [UInt8], chunk index: Int) throws(ShareTreeError) -> [[UInt8]] {
        let count = leafCount(forByteCount: bytes.count)
        guard (0..<count).contains(index) else { throw .chunkOutOfRange(index: index, count: count) }
        let leaves = bytes.withUnsafeBytes { buffer in
            (0..<count).map { leaf in
                let start = leaf * chunkByteCount
                return leafHash(UnsafeRawBufferPointer(rebasing: buffer[start..<min(start + chunkByteCount, buffer.count)]), index: leaf)
            }
        }
        return MerkleShape.proof(leaves[...], index: index, node: nodeHash)
    }

    /// Whether `chunk` is chunk `index` of a `byteCount`-byte share whose digest is `root`, given `proof`.
    public static func verify(chunk: [UInt8], index: Int, byteCount: Int, proof: [[UInt8]], root: [UInt8]) -> Bool {
        let count = leafCount(forByteCount: byteCount)
        guard byteCount >= 0, (0..<count).contains(index), proof.count <= 64 else { return false }
        let expectedChunkLength = min(chunkByteCount, byteCount - index * chunkByteCount)
        guard chunk.count == expectedChunkLength else { return false }
        var remaining = proof[...]
        let leaf = chunk.withUnsafeBytes { leafHash($0, index: index) }
        guard let top = MerkleShape.rebuild(leaf, index: index, count: count, proof: &remaining, node: nodeHash), remaining.isEmpty else { return false }
        return committedRoot(top, byteCount: byteCount) == root
    }

    // MARK: - Hashing

    static func leafHash(_ chunk: UnsafeRawBufferPointer, index: Int) -> [UInt8] {
        var hasher = TaggedSHA256(tag: leafTag)
        hasher.absorb(uint64: UInt64(index))
        hasher.absorb(chunk)
        return hasher.finalize()
    }

    static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = TaggedSHA256(tag: nodeTag)
        hasher.absorb(left)
        hasher.absorb(right)
        return hasher.finalize()
    }

    static func committedRoot(_ top: [UInt8], byteCount: Int) -> [UInt8] {
        var hasher = TaggedSHA256(tag: rootTag)
        hasher.absorb(uint64: UInt64(byteCount))
        hasher.absorb(top)
        return hasher.finalize()
    }
}

/// Builds an RFC 6962-shaped Merkle tree from leaf hashes arriving left to right, holding only one hash
/// per level (O(log n) memory): complete subtrees of equal size merge as soon as both exist, and the
/// remaining ones fold right to left at the end — the same root as splitting at the largest power of two.
public struct SubtreeStack: Sendable {
    private var levels: [(size: Int, hash: [UInt8])] = []
    private let combine: @Sendable ([UInt8], [UInt8]) -> [UInt8]

    /// A stack that joins subtrees with `combine(left, right)`.
    public init(combine: @escaping @Sendable ([UInt8], [UInt8]) -> [UInt8]) {
        self.combine = combine
    }

    /// The number of leaves pushed.
    public private(set) var leafCount = 0

    /// Adds the next leaf hash.
    public mutating func push(_ leafHash: [UInt8]) {
        leafCount += 1
        var size = 1
        var hash = leafHash
        while let last = levels.last, last.size == size {
            levels.removeLast()
            hash = combine(last.hash, hash)
            size *= 2
        }
        levels.append((size, hash))
    }

    /// The top hash of everything pushed (empty when nothing was).
    public func top() -> [UInt8] {
        guard var hash = levels.last?.hash else { return [] }
        for level in levels.dropLast().reversed() { hash = combine(level.hash, hash) }
        return hash
    }
}

/// Why a share-tree operation failed.
public enum ShareTreeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A chunk index outside the share.
    case chunkOutOfRange(index: Int, count: Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .chunkOutOfRange(let index, let count): "share tree: chunk \(index) is outside 0..<\(count)"
        }
    }
}
