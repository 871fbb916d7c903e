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
    /// A chunk range that is empty or reaches outside the share's `count` chunks.
    case chunkRangeOutOfRange(lowerBound: Int, upperBound: Int, count: Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .chunkOutOfRange(let index, let count): "share tree: chunk \(index) is outside 0..<\(count)"
        case .chunkRangeOutOfRange(let lower, let upper, let count):
            "share tree: chunk range \(lower)..<\(upper) is empty or outside 0..<\(count)"
        }
    }
}

// MARK: - Range proofs

/// Proofs for a run of consecutive chunks, so a range read (or an audit of several chunks) carries one
/// proof instead of one per chunk.
///
/// Both sides walk the RFC 6962 shape from the top (splitting at ``MerkleShape/split(_:)``). A subtree
/// wholly inside the range is rebuilt by the verifier from the data; one disjoint from it contributes its
/// hash to the proof; any other splits again. At a split node with one disjoint child, the other child is
/// walked first and the disjoint child's hash follows it, so the proof of a one-chunk range is exactly
/// ``ShareTree/proof(_:chunk:)`` (bottom first). The verifier consumes hashes in the same order and
/// requires every one to be used.
extension ShareTree {
    /// The most proof hashes ``verifyRange(_:chunks:byteCount:proof:root:)`` accepts: two per level of the
    /// deepest tree an `Int` byte count can describe.
    public static let maximumRangeProofHashCount = 128

    /// Sibling hashes that prove chunks `chunks` of the share `bytes` against its root (in the order
    /// ``verifyRange(_:chunks:byteCount:proof:root:)`` consumes them); empty when `chunks` covers every chunk.
    /// - Throws: `.chunkRangeOutOfRange` for an empty range or one outside the share (an empty share
    ///   has one empty chunk, so its only range is `0..<1`).
    public static func rangeProof(_ bytes: [UInt8], chunks: Range<Int>) throws(ShareTreeError) -> [[UInt8]] {
        let count = leafCount(forByteCount: bytes.count)
        guard !chunks.isEmpty, chunks.lowerBound >= 0, chunks.upperBound <= count else {
            throw .chunkRangeOutOfRange(lowerBound: chunks.lowerBound, upperBound: chunks.upperBound, count: count)
        }
        let leaves = bytes.withUnsafeBytes { buffer in
            (0..<count).map { leaf in
                let start = leaf * chunkByteCount
                return leafHash(UnsafeRawBufferPointer(rebasing: buffer[start..<min(start + chunkByteCount, buffer.count)]), index: leaf)
            }
        }
        var proof: [[UInt8]] = []
        collectRange(leaves[...], chunks: chunks, into: &proof)
        return proof
    }

    /// Appends the proof hashes of the subtree over `leaves` (absolute indices) for `chunks`.
    private static func collectRange(_ leaves: ArraySlice<[UInt8]>, chunks: Range<Int>, into proof: inout [[UInt8]]) {
        let subtree = leaves.startIndex..<leaves.endIndex
        if chunks.lowerBound <= subtree.lowerBound && subtree.upperBound <= chunks.upperBound { return }
        if !subtree.overlaps(chunks) {
            proof.append(MerkleShape.root(leaves, node: nodeHash))
            return
        }
        let middle = subtree.lowerBound + MerkleShape.split(subtree.count)
        let left = leaves[..<middle], right = leaves[middle...]
        if !(subtree.lowerBound..<middle).overlaps(chunks) {
            collectRange(right, chunks: chunks, into: &proof)
            proof.append(MerkleShape.root(left, node: nodeHash))
        } else if !(middle..<subtree.upperBound).overlaps(chunks) {
            collectRange(left, chunks: chunks, into: &proof)
            proof.append(MerkleShape.root(right, node: nodeHash))
        } else {
            collectRange(left, chunks: chunks, into: &proof)
            collectRange(right, chunks: chunks, into: &proof)
        }
    }

    /// Whether `data` — the bytes of chunks `chunks` of a share of `byteCount` bytes (the last chunk may be
    /// short when it is the share's last) — with `proof` rebuilds `root` (the share CID's digest, i.e. the
    /// committed root). False for an empty or out-of-bounds range, a wrong data length, a missing, extra or
    /// wrong-size proof hash, or more than ``maximumRangeProofHashCount`` hashes; never traps.
    public static func verifyRange(_ data: [UInt8], chunks: Range<Int>, byteCount: Int, proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard byteCount >= 0, proof.count <= maximumRangeProofHashCount else { return false }
        let count = leafCount(forByteCount: byteCount)
        guard !chunks.isEmpty, chunks.lowerBound >= 0, chunks.upperBound <= count,
              data.count == byteRange(ofChunks: chunks, byteCount: byteCount).count else { return false }
        let leaves = data.withUnsafeBytes { buffer in
            chunks.map { leaf in
                let start = (leaf - chunks.lowerBound) * chunkByteCount
                return leafHash(UnsafeRawBufferPointer(rebasing: buffer[start..<min(start + chunkByteCount, buffer.count)]), index: leaf)
            }
        }
        var remaining = proof[...]
        guard let top = rebuildRange(0..<count, chunks: chunks, leaves: leaves, proof: &remaining), remaining.isEmpty else { return false }
        return committedRoot(top, byteCount: byteCount) == root
    }

    /// The top hash of `subtree` rebuilt from the range's leaf hashes and the proof; nil when the proof runs
    /// out or a hash is not ``digestByteCount`` bytes.
    private static func rebuildRange(_ subtree: Range<Int>, chunks: Range<Int>, leaves: [[UInt8]], proof: inout ArraySlice<[UInt8]>) -> [UInt8]? {
        if chunks.lowerBound <= subtree.lowerBound && subtree.upperBound <= chunks.upperBound {
            let offset = chunks.lowerBound
            return MerkleShape.root(leaves[(subtree.lowerBound - offset)..<(subtree.upperBound - offset)], node: nodeHash)
        }
        if !subtree.overlaps(chunks) {
            guard let hash = proof.popFirst(), hash.count == digestByteCount else { return nil }
            return hash
        }
        let middle = subtree.lowerBound + MerkleShape.split(subtree.count)
        let left = subtree.lowerBound..<middle, right = middle..<subtree.upperBound
        let leftHash: [UInt8], rightHash: [UInt8]
        if !left.overlaps(chunks) {
            guard let rebuilt = rebuildRange(right, chunks: chunks, leaves: leaves, proof: &proof),
                  let sibling = proof.popFirst(), sibling.count == digestByteCount else { return nil }
            (leftHash, rightHash) = (sibling, rebuilt)
        } else if !right.overlaps(chunks) {
            guard let rebuilt = rebuildRange(left, chunks: chunks, leaves: leaves, proof: &proof),
                  let sibling = proof.popFirst(), sibling.count == digestByteCount else { return nil }
            (leftHash, rightHash) = (rebuilt, sibling)
        } else {
            guard let l = rebuildRange(left, chunks: chunks, leaves: leaves, proof: &proof),
                  let r = rebuildRange(right, chunks: chunks, leaves: leaves, proof: &proof) else { return nil }
            (leftHash, rightHash) = (l, r)
        }
        return nodeHash(leftHash, rightHash)
    }

    /// The byte range of `chunks` in a share of `byteCount` bytes, clamped to `0..<byteCount` (so a range
    /// past the end is empty, and an empty share's chunk 0 is `0..<0`); never traps.
    public static func byteRange(ofChunks chunks: Range<Int>, byteCount: Int) -> Range<Int> {
        let size = max(0, byteCount)
        func offset(_ chunk: Int) -> Int {
            guard chunk > 0 else { return 0 }
            let (product, overflow) = chunk.multipliedReportingOverflow(by: chunkByteCount)
            return overflow ? size : min(product, size)
        }
        return offset(chunks.lowerBound)..<offset(chunks.upperBound)
    }
}
