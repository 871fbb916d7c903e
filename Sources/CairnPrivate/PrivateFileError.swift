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
    /// Erasure or layout parameters that this format does not allow.
    case invalidParameters(String)
    /// The manifest block is not one this format wrote.
    case malformedManifest(String)
    /// A share table does not parse or does not belong to its manifest.
    case malformedTable(index: Int, reason: String)
    /// A share table block is missing or damaged.
    case tableUnavailable(index: Int, reason: String)
    /// Fewer than k valid shares of a segment could be found.
    case notEnoughShares(segment: Int, valid: Int, needed: Int)
    /// A share has the right hash but the wrong size for its place (a manifest built wrongly).
    case shareSizeMismatch(segment: Int, share: Int, byteCount: Int, expected: Int)
    /// Share digests in the tables do not match the manifest's column roots or ciphertext hash.
    case manifestMismatch(String)
    /// Reading the plaintext failed.
    case input(String)
    /// The key in the read-cap is not this file's key (its file ID does not match the manifest).
    case wrongKey

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .invalidKey(let count): "private file: a key must be 32 bytes, not \(count)"
        case .segmentAuthenticationFailed(let index):
            "private file: segment \(index) failed authentication (wrong key, damaged or substituted data)"
        case .segmentOutOfRange(let index, let count): "private file: segment \(index) is outside 0..<\(count)"
        case .truncatedSegment(let index, let count): "private file: segment \(index) is truncated (\(count) bytes)"
        case .invalidPadding: "private file: the decrypted data has no valid padding (damaged or not a Cairn private file)"
        case .invalidParameters(let reason): "private file: \(reason)"
        case .malformedManifest(let reason): "private file: malformed manifest: \(reason)"
        case .malformedTable(let index, let reason): "private file: malformed share table \(index): \(reason)"
        case .tableUnavailable(let index, let reason): "private file: share table \(index) is unavailable: \(reason)"
        case .notEnoughShares(let segment, let valid, let needed):
            "private file: segment \(segment) has \(valid) valid shares; \(needed) are needed to read it"
        case .shareSizeMismatch(let segment, let share, let count, let expected):
            "private file: share \(share) of segment \(segment) has \(count) bytes, expected \(expected)"
        case .manifestMismatch(let reason): "private file: the manifest does not match its tables: \(reason)"
        case .input(let reason): "private file: cannot read the input: \(reason)"
        case .wrongKey: "private file: the key does not belong to this file (a wrong or mistyped read-cap)"
        }
    }
}
