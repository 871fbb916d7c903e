/// Every way a key, signature, peer ID or key file operation in CairnCrypto can fail.
///
/// Parse errors name the field and the limit that was broken; no case ever carries key material,
/// so an error can be logged or shown to a user as is.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before the value was complete; `context` names what was being read.
    case truncated(context: String)
    /// The input is larger than the named limit allows.
    case tooLarge(context: String, byteCount: Int, limit: Int)
    /// A protobuf message is structurally wrong (bad wire type, duplicate or missing field, unknown field).
    case malformedProtobuf(context: String, reason: String)
    /// A protobuf message decoded but is not in the one deterministic encoding libp2p hashes for peer IDs.
    case nonCanonicalEncoding(context: String)
    /// The protobuf `KeyType` value is not one libp2p defines.
    case unknownKeyType(UInt64)
    /// The key type is known but Cairn cannot perform `operation` with it (for example secp256k1 verification).
    case unsupportedKeyType(KeyType, operation: String)
    /// The key bytes have the wrong length for their type.
    case invalidKeyLength(KeyType, byteCount: Int, expected: Int)
    /// The key bytes could not be parsed for their type; `reason` says why (never the bytes themselves).
    case invalidKey(KeyType, reason: String)
    /// The text or binary form of a peer ID is not valid; `reason` says why.
    case invalidPeerID(reason: String)
    /// A key file is readable or writable by group or others; `mode` is its permission bits.
    case insecureKeyFilePermissions(path: String, mode: UInt32)
    /// A file-system call on a key file failed with `errno`.
    case keyFileSystemCall(path: String, operation: String, errno: Int32)

    /// A one-line explanation of the failure for logs and CLI output.
    public var description: String {
        switch self {
        case .truncated(let context): "truncated input while reading \(context)"
        case .tooLarge(let context, let count, let limit): "\(context) is \(count) bytes, over the limit of \(limit)"
        case .malformedProtobuf(let context, let reason): "malformed \(context) protobuf: \(reason)"
        case .nonCanonicalEncoding(let context): "\(context) is not deterministically encoded (fields out of order, duplicated or with non-minimal lengths)"
        case .unknownKeyType(let value): "unknown libp2p key type \(value)"
        case .unsupportedKeyType(let type, let operation): "\(type) keys are not supported for \(operation)"
        case .invalidKeyLength(let type, let count, let expected): "\(type) key is \(count) bytes, expected \(expected)"
        case .invalidKey(let type, let reason): "invalid \(type) key: \(reason)"
        case .invalidPeerID(let reason): "invalid peer ID: \(reason)"
        case .insecureKeyFilePermissions(let path, let mode):
            "key file \(path) has permissions \(String(mode, radix: 8)); it must not be accessible by group or others (chmod 600 \(path))"
        case .keyFileSystemCall(let path, let operation, let errno): "\(operation) failed for key file \(path) (errno \(errno))"
        }
    }
}
