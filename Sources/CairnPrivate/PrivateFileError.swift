/// Every way sealing, opening or parsing a private file can fail; messages never contain key material.
public enum PrivateFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Key bytes of the wrong length.
    case invalidKey(byteCount: Int)
    /// A segment failed authentication: the wrong key, a flipped bit, a segment from another file or
    /// position, or a truncated segment.
    case segmentAuthenticationFailed(index: Int)
    /// A segment index outside `0..<count`, or an absurd count.
    case segmentOutOfRange(index: Int, count: Int)
    /// A sealed segment shorter than the authentication tag.
    case truncatedSegment(index: Int, byteCount: Int)
    /// The padding at the end of the decrypted file is malformed (not produced by this format).
    case invalidPadding

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .invalidKey(let count): "private file: a key must be 32 bytes, not \(count)"
        case .segmentAuthenticationFailed(let index):
            "private file: segment \(index) failed authentication (wrong key, damaged or substituted data)"
        case .segmentOutOfRange(let index, let count): "private file: segment \(index) is outside 0..<\(count)"
        case .truncatedSegment(let index, let count): "private file: segment \(index) is truncated (\(count) bytes)"
        case .invalidPadding: "private file: the decrypted data has no valid padding (damaged or not a Cairn private file)"
        }
    }
}
