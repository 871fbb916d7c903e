import CairnCore
import CairnTestSupport
import Foundation
import Testing

/// The share tree that names private-file shares (multihash 0x300c01): fixed vectors, an independent
/// implementation of the construction in the doc comment (and docs/specs/private.md), chunk proofs,
/// and the streaming `SubtreeStack` against a recursive RFC 6962 tree.
@Suite("Share tree")
struct ShareTreeTests {
    // MARK: - An independent implementation, written from the spec

    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Multihash.sha256(bytes).digest }

    static func uvarint(_ value: Int) -> [UInt8] {
        var value = UInt64(value)
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        return out + [UInt8(value)]
    }

    static func u64be(_ value: Int) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: UInt64(value) >> (56 - 8 * $0)) } }

    /// `H(tag, parts…)`: SHA-256 over the length-prefixed tag and length-prefixed parts.
    static func tagged(_ tag: String, _ parts: [[UInt8]]) -> [UInt8] {
        var input = uvarint(tag.utf8.count) + Array(tag.utf8)
        for part in parts { input += uvarint(part.count) + part }
        return sha256(input)
    }

    static func referenceLeaf(_ chunk: [UInt8], index: Int) -> [UInt8] { tagged("cairn/share/v1/leaf", [u64be(index), chunk]) }
    static func referenceNode(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { tagged("cairn/share/v1/node", [left, right]) }

    /// RFC 6962 §2.1: MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n.
    static func rfc6962(_ leaves: ArraySlice<[UInt8]>, node: ([UInt8], [UInt8]) -> [UInt8]) -> [UInt8] {
        if leaves.count == 1 { return leaves[leaves.startIndex] }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let middle = leaves.startIndex + split
        return node(rfc6962(leaves[..<middle], node: node), rfc6962(leaves[middle...], node: node))
    }

    static func chunks(_ bytes: [UInt8]) -> [[UInt8]] {
        guard !bytes.isEmpty else { return [[]] }
        return stride(from: 0, to: bytes.count, by: 4096).map { Array(bytes[$0..<min($0 + 4096, bytes.count)]) }
    }

    static func referenceRoot(_ bytes: [UInt8]) -> [UInt8] {
        let leaves = chunks(bytes).enumerated().map { referenceLeaf($0.element, index: $0.offset) }
        let top = rfc6962(leaves[...], node: referenceNode)
        return tagged("cairn/share/v1/root", [u64be(bytes.count), top])
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    // MARK: - Vectors

    /// Recorded in docs/specs/private.md; a change here is a change of the share CID format.
    static let vectors: [(name: String, bytes: [UInt8], root: String, cid: String)] = [
        ("empty", [],
         "7dd93ae1a8deaf8de93a67d6bc162a74e1c24a9908d7d3b317850ac341939c74",
         "bafkydggaaeqh3wj24gun5l4n5e5gpvv4cyvhjyocjkmqrv6twmlykcwdigjzy5a"),
        ("one byte 0x00", [0],
         "1fa4ba8d336c7b62c484abb75b913eb3f3db0e2cc30f58201ec62f4b783c4eac",
         "bafkydggaaeqb7jf2ruzwy63cysckxn23se7lh463bywmgd2yeapmml2lpa6e5la"),
        ("4096 × 0x61", [UInt8](repeating: 0x61, count: 4096),
         "d47e6877c916cbfa6f34f4cc2a823f3f0b51f78f58eb8a80b9aff87d2f8f0e96",
         "bafkydggaaeqni7tio7erns72n42pjtbkqi7t6c2r66hvr24kqc4276d5f6hq5fq"),
        ("4097 × 0x61", [UInt8](repeating: 0x61, count: 4097),
         "69c151f4cb4175f0c91120826953c0c0d0651e22d3894e187f80c08369ad54b7",
         "bafkydggaaeqgtqkr6tfuc5pqzeisbatjkpambudfdyrnhckodb7ybqedngwvjny"),
        ("10000 bytes i % 251", TestData.pattern(count: 10_000),
         "a5ed2719ee819fa04173b464a222670c06255b7eeb0a7b3f4449f3067ef778fd",
         "bafkydggaaeqkl3jhdhxidh5aifz3izfcejtqybrfln7owct3h5cet4ygp33xr7i"),
    ]

    @Test("fixed vectors, equal to an independent implementation of the documented construction")
    func fixedVectors() throws {
        for vector in Self.vectors {
            let root = ShareTree.root(vector.bytes)
            #expect(Self.hex(root) == vector.root, "\(vector.name)")
            #expect(root == Self.referenceRoot(vector.bytes), "\(vector.name)")
            let cid = try CID(version: .v1, codec: .raw, multihash: Multihash(function: .cairnShareTree, digest: root))
            #expect(cid.description == vector.cid, "\(vector.name)")
            #expect(try Block(cid: CID(vector.cid), data: vector.bytes).data == vector.bytes)
        }
    }

    @Test("the reference and the implementation agree on sizes around every chunk and power-of-two boundary")
    func agreesWithReference() {
        var random = SeededRandom(seed: 0x7368_6172)
        for size in [0, 1, 4095, 4096, 4097, 8191, 8192, 8193, 3 * 4096, 5 * 4096 + 3, 9 * 4096, 40_000, 65_536, 65_537] {
            let bytes = random.bytes(size)
            #expect(ShareTree.root(bytes) == Self.referenceRoot(bytes), "size \(size)")
            #expect(ShareTree.leafCount(forByteCount: size) == Self.chunks(bytes).count)
        }
    }

    @Test("Multihash.compute(.cairnShareTree) is ShareTree.root; Block(cid:data:) verifies share CIDs")
    func multihashAndBlock() throws {
        for size in [0, 1, 4096, 4097, 40_000] {
            let bytes = TestData.pattern(count: size)
            let multihash = try Multihash.compute(.cairnShareTree, of: bytes)
            #expect(multihash.function.rawValue == 0x300c01)
            #expect(multihash.digest == ShareTree.root(bytes))
            #expect(try Multihash.compute(.cairnShareTree, of: bytes[...]).digest == ShareTree.root(bytes))
            // The multihash's binary form: uvarint(0x300c01) ‖ 0x20 ‖ digest.
            #expect(multihash.bytes == [0x81, 0x98, 0xc0, 0x01, 0x20] + ShareTree.root(bytes))
            #expect(try multihash.matches(bytes))
            let cid = try CID(version: .v1, codec: .raw, multihash: multihash)
            #expect(try CID(cid.description) == cid)
            let block = try Block(cid: cid, data: bytes)
            #expect(block.data == bytes)
            guard size > 0 else { continue }
            for position in Set([0, size / 2, size - 1]) {
                var changed = bytes
                changed[position] ^= 0x01
                #expect(throws: BlockError.hashMismatch(cid: cid)) { _ = try Block(cid: cid, data: changed) }
            }
        }
    }

    @Test("truncating or extending a share changes its root, even by zero bytes")
    func lengthIsBound() {
        let bytes = TestData.pattern(count: 3 * 4096)
        let root = ShareTree.root(bytes)
        for variant in [Array(bytes.dropLast()), Array(bytes.dropLast(4096)), bytes + [0], bytes + [UInt8](repeating: 0, count: 4096), []] {
            #expect(ShareTree.root(variant) != root, "\(variant.count) bytes")
        }
        // Zeros only: an empty share, one zero byte and a chunk of zeros all differ.
        let zeros = [[], [0], [0, 0], [UInt8](repeating: 0, count: 4096), [UInt8](repeating: 0, count: 4097)].map(ShareTree.root)
        #expect(Set(zeros.map(Self.hex)).count == zeros.count)
    }

    // MARK: - Proofs

    @Test("every chunk's proof verifies", arguments: [0, 1, 4096, 4097, 5 * 4096 + 3, 40_000])
    func proofsVerify(size: Int) throws {
        let bytes = TestData.pattern(count: size)
        let root = ShareTree.root(bytes)
        let chunks = Self.chunks(bytes)
        #expect(chunks.count == ShareTree.leafCount(forByteCount: size))
        for (index, chunk) in chunks.enumerated() {
            let proof = try ShareTree.proof(bytes, chunk: index)
            var depth = 0
            while (1 << depth) < chunks.count { depth += 1 }
            #expect(proof.count <= depth)
            #expect(ShareTree.verify(chunk: chunk, index: index, byteCount: size, proof: proof, root: root), "chunk \(index) of \(size)")
        }
        #expect(throws: ShareTreeError.chunkOutOfRange(index: chunks.count, count: chunks.count)) {
            _ = try ShareTree.proof(bytes, chunk: chunks.count)
        }
        #expect(throws: ShareTreeError.chunkOutOfRange(index: -1, count: chunks.count)) { _ = try ShareTree.proof(bytes, chunk: -1) }
    }

    @Test("a proof fails for a wrong chunk, index, byte count, root or tampered sibling")
    func proofsFail() throws {
        let size = 5 * 4096 + 3
        let bytes = TestData.pattern(count: size)
        let root = ShareTree.root(bytes)
        let chunks = Self.chunks(bytes)
        for (index, chunk) in chunks.enumerated() {
            let proof = try ShareTree.proof(bytes, chunk: index)
            func verify(_ chunk: [UInt8] = chunk, index: Int = index, byteCount: Int = size, proof: [[UInt8]] = proof,
                        root: [UInt8] = root) -> Bool {
                ShareTree.verify(chunk: chunk, index: index, byteCount: byteCount, proof: proof, root: root)
            }
            #expect(verify())
            var changed = chunk
            changed[changed.count / 2] ^= 0x80
            #expect(!verify(changed), "changed byte in chunk \(index)")
            #expect(!verify(Array(chunk.dropLast())), "short chunk \(index)")
            #expect(!verify(chunk + [0]), "long chunk \(index)")
            #expect(!verify(chunks[(index + 1) % chunks.count]), "another chunk at \(index)")
            for other in [index - 1, index + 1, -1, chunks.count, Int.max, Int.min] where other != index {
                #expect(!verify(index: other), "index \(other) for chunk \(index)")
            }
            for byteCount in [size - 1, size + 1, size + 4096, 0, -1, index * 4096] {
                #expect(!verify(byteCount: byteCount), "byte count \(byteCount) for chunk \(index)")
            }
            for sibling in proof.indices {
                var tampered = proof
                tampered[sibling][0] ^= 0x01
                #expect(!verify(proof: tampered), "sibling \(sibling) of chunk \(index)")
                var short = proof
                short[sibling].removeLast()
                #expect(!verify(proof: short), "short sibling \(sibling) of chunk \(index)")
            }
            #expect(!verify(proof: Array(proof.dropLast())))
            #expect(!verify(proof: proof + [root]))
            if proof.count >= 2 { #expect(!verify(proof: Array(proof.reversed()))) }
            #expect(!verify(proof: [[UInt8]](repeating: root, count: 65)))
            var otherRoot = root
            otherRoot[31] ^= 1
            #expect(!verify(root: otherRoot))
            // The top of the tree without the length commitment is not the root.
            #expect(!verify(root: Self.rfc6962(chunks.enumerated().map { Self.referenceLeaf($0.element, index: $0.offset) }[...],
                                               node: Self.referenceNode)))
        }
        // The proof of a single-chunk share is empty.
        #expect(try ShareTree.proof([1, 2, 3], chunk: 0).isEmpty)
        #expect(ShareTree.verify(chunk: [1, 2, 3], index: 0, byteCount: 3, proof: [], root: ShareTree.root([1, 2, 3])))
        #expect(ShareTree.verify(chunk: [], index: 0, byteCount: 0, proof: [], root: ShareTree.root([])))
    }

    @Test("verify never traps on absurd byte counts")
    func absurdByteCounts() {
        let root = ShareTree.root([1])
        for byteCount in [Int.max, Int.max - 4095, Int.max - 4096, Int.min, -4096] {
            #expect(!ShareTree.verify(chunk: [1], index: 0, byteCount: byteCount, proof: [], root: root))
        }
    }

    // MARK: - SubtreeStack

    @Test("SubtreeStack gives the recursive RFC 6962 root for 1…40 leaves")
    func subtreeStack() {
        let node: @Sendable ([UInt8], [UInt8]) -> [UInt8] = { Self.sha256([0x01] + $0 + $1) }
        #expect(SubtreeStack(combine: node).top().isEmpty)
        for count in 1...40 {
            let leaves = (0..<count).map { Self.sha256([0x00] + Self.u64be($0)) }
            var stack = SubtreeStack(combine: node)
            for leaf in leaves { stack.push(leaf) }
            #expect(stack.leafCount == count)
            #expect(stack.top() == Self.rfc6962(leaves[...], node: node), "\(count) leaves")
        }
        // Order matters: a stack of non-commutative joins records the leaf order.
        var forward = SubtreeStack(combine: node)
        var backward = SubtreeStack(combine: node)
        for i in 0..<5 { forward.push([UInt8(i)]); backward.push([UInt8(4 - i)]) }
        #expect(forward.top() != backward.top())
    }
}

// MARK: - Range proofs

extension ShareTreeTests {
    static let rangeSizes = [0, 1, 4095, 4096, 4097, 5 * 4096 + 17, 40 * 4096]

    @Test("every chunk range of a share verifies", arguments: rangeSizes)
    func everyRangeVerifies(size: Int) throws {
        let bytes = TestData.pattern(count: size)
        let root = ShareTree.root(bytes)
        let count = ShareTree.leafCount(forByteCount: size)
        for lower in 0..<count {
            for upper in (lower + 1)...count {
                let proof = try ShareTree.rangeProof(bytes, chunks: lower..<upper)
                let data = Array(bytes[ShareTree.byteRange(ofChunks: lower..<upper, byteCount: size)])
                #expect(ShareTree.verifyRange(data, chunks: lower..<upper, byteCount: size, proof: proof, root: root),
                        "\(lower)..<\(upper) of \(size)")
                // At most two hashes per level of the tree.
                #expect(proof.count <= 2 * (Int.bitWidth - (count - 1).leadingZeroBitCount))
                if lower == 0 && upper == count { #expect(proof.isEmpty) }
            }
        }
    }

    @Test("a one-chunk range proof is the chunk proof, and each verifier accepts the other's proof", arguments: rangeSizes)
    func singleChunkAgrees(size: Int) throws {
        let bytes = TestData.pattern(count: size)
        let root = ShareTree.root(bytes)
        for (index, chunk) in Self.chunks(bytes).enumerated() {
            let rangeProof = try ShareTree.rangeProof(bytes, chunks: index..<(index + 1))
            let chunkProof = try ShareTree.proof(bytes, chunk: index)
            #expect(rangeProof == chunkProof, "chunk \(index) of \(size)")
            #expect(ShareTree.verifyRange(chunk, chunks: index..<(index + 1), byteCount: size, proof: chunkProof, root: root))
            #expect(ShareTree.verify(chunk: chunk, index: index, byteCount: size, proof: rangeProof, root: root))
        }
    }

    @Test("empty and out-of-bounds ranges throw")
    func badRangesThrow() {
        let bytes = TestData.pattern(count: 3 * 4096)
        for range in [0..<0, 2..<2, -1..<1, 0..<4, 3..<4, Int.max - 1..<Int.max] {
            #expect(throws: ShareTreeError.chunkRangeOutOfRange(lowerBound: range.lowerBound, upperBound: range.upperBound, count: 3)) {
                _ = try ShareTree.rangeProof(bytes, chunks: range)
            }
            #expect(!ShareTree.verifyRange([], chunks: range, byteCount: bytes.count, proof: [], root: ShareTree.root(bytes)))
        }
        #expect(throws: ShareTreeError.chunkRangeOutOfRange(lowerBound: 0, upperBound: 2, count: 1)) {
            _ = try ShareTree.rangeProof([], chunks: 0..<2)
        }
        // An empty share has one empty chunk, as ShareTree.root says.
        #expect(ShareTree.verifyRange([], chunks: 0..<1, byteCount: 0, proof: [], root: ShareTree.root([])))
        #expect(ShareTree.byteRange(ofChunks: 0..<1, byteCount: 0) == 0..<0)
    }

    @Test("byteRange clamps to the share and never traps")
    func byteRanges() {
        #expect(ShareTree.byteRange(ofChunks: 0..<1, byteCount: 1) == 0..<1)
        #expect(ShareTree.byteRange(ofChunks: 1..<3, byteCount: 5 * 4096 + 17) == 4096..<12_288)
        #expect(ShareTree.byteRange(ofChunks: 4..<6, byteCount: 5 * 4096 + 17) == 16_384..<20_497)
        #expect(ShareTree.byteRange(ofChunks: 9..<10, byteCount: 4096) == 4096..<4096)
        #expect(ShareTree.byteRange(ofChunks: -5..<Int.max, byteCount: 100) == 0..<100)
        #expect(ShareTree.byteRange(ofChunks: 0..<1, byteCount: -7) == 0..<0)
    }

    @Test("every way to break a range proof fails", arguments: [4097, 5 * 4096 + 17, 40 * 4096])
    func brokenRangesFail(size: Int) throws {
        let bytes = TestData.pattern(count: size)
        let root = ShareTree.root(bytes)
        let count = ShareTree.leafCount(forByteCount: size)
        var ranges = [0..<count, 0..<1, (count - 1)..<count]
        if count > 3 { ranges += [1..<(count - 1), 1..<3, (count / 2)..<count] }
        for range in ranges {
            let proof = try ShareTree.rangeProof(bytes, chunks: range)
            let data = Array(bytes[ShareTree.byteRange(ofChunks: range, byteCount: size)])
            func verify(_ data: [UInt8] = data, chunks: Range<Int> = range, byteCount: Int = size, proof: [[UInt8]] = proof,
                        root: [UInt8] = root) -> Bool {
                ShareTree.verifyRange(data, chunks: chunks, byteCount: byteCount, proof: proof, root: root)
            }
            #expect(verify(), "\(range)")
            for position in Set([0, data.count / 2, data.count - 1, 4095 % data.count]) {
                var changed = data
                changed[position] ^= 0x01
                #expect(!verify(changed), "data bit at \(position) of \(range)")
            }
            #expect(!verify(Array(data.dropLast())))
            #expect(!verify(data + [0]))
            for index in proof.indices {
                for bit in [0, 7, 255] {
                    var tampered = proof
                    tampered[index][bit / 8] ^= UInt8(1 << (bit % 8))
                    #expect(!verify(proof: tampered), "proof hash \(index) bit \(bit) of \(range)")
                }
                var dropped = proof
                dropped.remove(at: index)
                #expect(!verify(proof: dropped), "dropped hash \(index) of \(range)")
                var short = proof
                short[index].removeLast()
                #expect(!verify(proof: short))
            }
            #expect(!verify(proof: proof + [root]), "extra hash after \(range)")
            #expect(!verify(proof: [root] + proof), "extra hash before \(range)")
            if proof.count >= 2 && proof.first != proof.last { #expect(!verify(proof: proof.reversed())) }
            #expect(!verify(proof: [[UInt8]](repeating: root, count: ShareTree.maximumRangeProofHashCount + 1)))
            for shifted in [(range.lowerBound + 1)..<(range.upperBound + 1), (range.lowerBound - 1)..<(range.upperBound - 1)] {
                #expect(!verify(chunks: shifted), "\(range) shifted to \(shifted)")
            }
            for byteCount in [size - 1, size + 1, size + 4096, size - 4096, 0, -1, Int.max, Int.min] {
                #expect(!verify(byteCount: byteCount), "byte count \(byteCount) for \(range)")
            }
            var otherRoot = root
            otherRoot[0] ^= 1
            #expect(!verify(root: otherRoot))
        }
    }
}
