import CairnTestSupport
import Testing
@testable import CairnPrivate

/// Share Merkle trees: every leaf of every tree size proves alone; anything altered fails.
@Suite("Merkle trees")
struct MerkleTreeTests {
    static func leaves(_ count: Int) -> [[UInt8]] {
        (0..<count).map { Array("chunk \($0)".utf8) + TestData.pattern(count: $0 % 7) }
    }

    @Test("every leaf of trees with 1…40 leaves verifies; wrong leaf, index, count, proof or root fails")
    func proofs() throws {
        for count in 1...40 {
            let leaves = Self.leaves(count)
            let tree = MerkleTree(leaves: leaves)
            for index in 0..<count {
                let proof = try tree.proof(for: index)
                #expect(proof.count <= 6)
                #expect(MerkleTree.verify(leaf: leaves[index], index: index, count: count, proof: proof, root: tree.root))
                #expect(!MerkleTree.verify(leaf: leaves[index] + [0], index: index, count: count, proof: proof, root: tree.root))
                if count > 1 {
                    let other = (index + 1) % count
                    #expect(!MerkleTree.verify(leaf: leaves[index], index: other, count: count, proof: proof, root: tree.root))
                    var bent = proof
                    bent[0][0] ^= 1
                    #expect(!MerkleTree.verify(leaf: leaves[index], index: index, count: count, proof: bent, root: tree.root))
                    #expect(!MerkleTree.verify(leaf: leaves[index], index: index, count: count, proof: proof + [tree.root], root: tree.root))
                }
                #expect(!MerkleTree.verify(leaf: leaves[index], index: index, count: count + 1, proof: proof, root: tree.root))
            }
            #expect(throws: MerkleError.indexOutOfRange(index: count, count: count)) { _ = try tree.proof(for: count) }
        }
    }

    @Test("leaf and node hashes are separated: a two-leaf root is not a leaf hash of the concatenation")
    func domainSeparation() {
        let tree = MerkleTree(leaves: [[1], [2]])
        #expect(tree.root != MerkleTree.leafHash(tree.leafHashes[0] + tree.leafHashes[1], index: 0))
        #expect(MerkleTree(leaves: [[1], [2]]).root != MerkleTree(leaves: [[2], [1]]).root)
        #expect(MerkleTree(leaves: []).root.count == 32)
    }
}
