import CairnCore
import Foundation

/// The purposes Cairn's private-file format hashes for, each with its own versioned tag, so a hash made for
/// one purpose can never be taken for another (domain separation).
public enum HashTag: String, Sendable, CaseIterable {
    /// The convergent file key: HMAC under the owner's convergence secret.
    case convergentKey = "cairn/private/v1/convergent-key"
    /// The identity of a file, bound into every segment's associated data.
    case fileID = "cairn/private/v1/file-id"
    /// The associated data of one sealed segment.
    case segmentAssociatedData = "cairn/private/v1/segment-ad"
    /// The hash of a whole plaintext (input to the convergent key).
    case plaintext = "cairn/private/v1/plaintext"
    /// The hash of the whole ciphertext, recorded in the manifest.
    case ciphertext = "cairn/private/v1/ciphertext"
    /// The associated data of a file key wrapped under the keyring's root key.
    case keyWrap = "cairn/private/v1/key-wrap"
    /// The checksum of a capability string.
    case capabilityChecksum = "cairn/private/v1/cap-checksum"
    /// A leaf of a Merkle tree (a chunk of a share, or a share's root in a column).
    case merkleLeaf = "cairn/private/v1/merkle-leaf"
    /// An inner node of a Merkle tree.
    case merkleNode = "cairn/private/v1/merkle-node"

    /// ``TaggedSHA256`` of `parts` under this purpose's tag: every part is length prefixed, so no two
    /// different part lists encode the same bytes.
    public func hash(_ parts: [[UInt8]]) -> [UInt8] {
        var hasher = TaggedSHA256(tag: rawValue)
        for part in parts { hasher.absorb(part) }
        return hasher.finalize()
    }

    /// An incremental form of ``hash(_:)`` for one large part (a whole file): feed its bytes in any chunks.
    public func streamingHasher(partByteCount: UInt64) -> StreamingTaggedHash {
        var hasher = TaggedSHA256(tag: rawValue)
        hasher.beginPart(byteCount: partByteCount)
        return StreamingTaggedHash(hasher: hasher)
    }
}

/// A tagged hash of one part whose bytes arrive in chunks (see ``HashTag/streamingHasher(partByteCount:)``).
public struct StreamingTaggedHash: Sendable {
    var hasher: TaggedSHA256

    /// Adds the next chunk of the part.
    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { hasher.continuePart($0) }
    }

    /// The digest (equal to `tag.hash([allBytes])` when exactly `partByteCount` bytes were added).
    public func finalize() -> [UInt8] { hasher.finalize() }
}
