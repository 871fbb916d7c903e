import Crypto

/// SHA-256 with domain separation: `SHA-256(uvarint(len(tag)) ‖ tag ‖ for each part: uvarint(len(part)) ‖
/// part)`. Every part is length-prefixed, so no two different part lists hash the same bytes, and the tag
/// makes a hash made for one purpose useless for another. Used by the share tree here and by every
/// purpose of the private-file format (`HashTag` in CairnPrivate).
public struct TaggedSHA256: Sendable {
    private var hasher = SHA256()

    /// Starts a hash for `tag`.
    public init(tag: String) {
        absorb(Array(tag.utf8))
    }

    /// Adds one part.
    public mutating func absorb(_ part: UnsafeRawBufferPointer) {
        beginPart(byteCount: UInt64(part.count))
        continuePart(part)
    }

    /// Adds one part.
    public mutating func absorb(_ part: [UInt8]) {
        part.withUnsafeBytes { absorb($0) }
    }

    /// Adds one part: `value` as 8 big-endian bytes.
    public mutating func absorb(uint64 value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { absorb($0) }
    }

    /// Starts a part of `byteCount` bytes whose bytes follow in ``continuePart(_:)`` calls (streaming).
    public mutating func beginPart(byteCount: UInt64) {
        hasher.update(data: Varint.encode(byteCount))
    }

    /// Adds the next bytes of the part begun with ``beginPart(byteCount:)``.
    public mutating func continuePart(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// The digest.
    public func finalize() -> [UInt8] { Array(hasher.finalize()) }
}
