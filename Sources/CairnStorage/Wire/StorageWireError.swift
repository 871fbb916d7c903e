import CairnCore
import CairnPrivate

/// Why a storage-protocol message could not be decoded (or signed): a closed enum, so a peer's bad input
/// is always a typed error and never a crash.
public enum StorageWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside the named message or field.
    case truncated(String)
    /// A field is present but wrong: unknown, duplicate, out of order, wrong wire type, non-canonical, or a
    /// value that breaks the message's rules.
    case malformed(field: String, reason: String)
    /// A message, field or repeated field (then `byteCount` is an element count) is over its limit; found
    /// before anything of that size is allocated.
    case tooLarge(String, byteCount: Int, limit: Int)
    /// A request or response envelope names a message (its field number) this version does not know.
    case unknownMessage(UInt64)
    /// A key tried to sign for a role (owner, provider) whose key it is not; a caller's mistake, never input.
    case wrongSigningKey(role: String)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .truncated(let what): "storage wire: input ended inside \(what)"
        case .malformed(let field, let reason): "storage wire: \(field): \(reason)"
        case .tooLarge(let what, let byteCount, let limit): "storage wire: \(what) is \(byteCount), over the limit of \(limit)"
        case .unknownMessage(let number): "storage wire: unknown message \(number)"
        case .wrongSigningKey(let role): "storage wire: the key is not the \(role)'s"
        }
    }
}

/// The limits of the storage protocol's wire format (docs/specs/storage.md, "Limits").
public enum StorageWire {
    /// The largest request or response, in bytes: room for a full share upload and for a repair
    /// delegation of a large file, and small enough to buffer.
    public static let maximumMessageByteCount = 8 << 20
    /// The most shares one contract covers (a 64 GiB file at 1 MiB segments and 20 shares per segment
    /// spread over 20 providers needs about 65,536 per provider).
    public static let maximumSharesPerContract = 65_536
    /// The largest share, in bytes: CairnPrivate's largest coded payload plus its 48-byte share header.
    public static let maximumShareByteCount = ErasureParameters.maximumShareByteCount + ShareHeader.byteCount
    /// The most chunks one read asks for: every chunk of the largest share.
    public static let maximumChunksPerRead = ShareTree.leafCount(forByteCount: maximumShareByteCount)
    /// The most hashes a range proof carries (a range proof of a share needs at most two per tree level).
    public static let maximumProofHashCount = 64
    /// The longest refusal message, in UTF-8 bytes.
    public static let maximumRefusalMessageByteCount = 1024
    /// The longest verify-cap text, in UTF-8 bytes.
    public static let maximumVerifyCapByteCount = 512
    /// The most share locations in one repair delegation.
    public static let maximumLocationsPerDelegation = 65_536
    /// The most contracts in one repair delegation.
    public static let maximumContractsPerDelegation = 1024
    /// The most share CIDs in one `held` response.
    public static let maximumHeldShares = 65_536
    /// The length of a contract ID, in bytes.
    public static let contractIDByteCount = 16
    /// The length of an Ed25519 signature, the only kind storage messages carry.
    public static let signatureByteCount = 64
    /// The longest binary peer ID accepted (an identity multihash of an Ed25519 key is 38 bytes).
    public static let maximumPeerIDByteCount = 64
}
