/// Every way a multiformat value (varint, multibase, multihash, CID, multiaddr) can fail to parse.
///
/// Each case names what was wrong so that the message shown to a user says what to fix.
public enum MultiformatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before the value was complete; `context` names what was being read.
    case truncated(context: String)
    /// A varint ran past the 9-byte / 63-bit limit of the unsigned-varint spec.
    case varintTooLong
    /// A varint used more bytes than needed where the spec requires minimal encoding.
    case varintNotMinimal
    /// The multibase prefix character is not one Cairn knows.
    case unknownMultibasePrefix(Character)
    /// A character is not in the alphabet of the named base.
    case invalidCharacter(Character, base: String)
    /// Padding or trailing bits are wrong for the named base.
    case invalidPadding(base: String)
    /// The input was empty where a value was expected.
    case empty(context: String)
    /// The input is larger than the format allows.
    case tooLarge(context: String, byteCount: Int, limit: Int)
    /// The multihash function code is not supported for this operation.
    case unsupportedHashFunction(code: UInt64)
    /// The multihash declares a digest length that does not match its function or the bytes present.
    case digestLengthMismatch(code: UInt64, expected: Int, actual: Int)
    /// A truncated digest is too short to verify content against.
    case digestTooShort(code: UInt64, byteCount: Int, minimum: Int)
    /// The CID version is neither 0 nor 1.
    case unsupportedCIDVersion(UInt64)
    /// A CIDv0 was malformed (not a 34-byte sha2-256 multihash in base58btc).
    case invalidCIDv0(reason: String)
    /// Bytes were left over after a complete value.
    case trailingBytes(context: String, count: Int)
    /// A multiaddr protocol code or name is unknown.
    case unknownMultiaddrProtocol(String)
    /// A multiaddr component value is malformed.
    case invalidMultiaddrValue(protocolName: String, value: String, reason: String)
    /// A multiaddr string does not start with `/`, has an empty protocol name, or lacks a required value.
    case invalidMultiaddrSyntax(String, reason: String)

    /// A one-line explanation of the failure for logs and CLI output.
    public var description: String {
        switch self {
        case .truncated(let context): "truncated input while reading \(context)"
        case .varintTooLong: "varint longer than 9 bytes (values are limited to 63 bits)"
        case .varintNotMinimal: "varint is not minimally encoded"
        case .unknownMultibasePrefix(let c): "unknown multibase prefix '\(c)'"
        case .invalidCharacter(let c, let base): "invalid character '\(c)' for \(base)"
        case .invalidPadding(let base): "invalid padding or trailing bits for \(base)"
        case .empty(let context): "empty \(context)"
        case .tooLarge(let context, let count, let limit): "\(context) is \(count) bytes, over the limit of \(limit)"
        case .unsupportedHashFunction(let code): "unsupported multihash function 0x\(String(code, radix: 16))"
        case .digestLengthMismatch(let code, let expected, let actual):
            "multihash 0x\(String(code, radix: 16)) digest length \(actual), expected \(expected)"
        case .digestTooShort(let code, let count, let minimum):
            "multihash 0x\(String(code, radix: 16)) digest of \(count) bytes is too short to verify (minimum \(minimum))"
        case .unsupportedCIDVersion(let v): "unsupported CID version \(v)"
        case .invalidCIDv0(let reason): "invalid CIDv0: \(reason)"
        case .trailingBytes(let context, let count): "\(count) unexpected trailing bytes after \(context)"
        case .unknownMultiaddrProtocol(let name): "unknown multiaddr protocol '\(name)'"
        case .invalidMultiaddrValue(let p, let v, let reason): "invalid /\(p) value '\(v)': \(reason)"
        case .invalidMultiaddrSyntax(let text, let reason): "invalid multiaddr '\(text)': \(reason)"
        }
    }
}
