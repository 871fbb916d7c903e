import CairnCore
import CairnCrypto

/// How often a provider is audited and how many chunk ranges each audit reads.
///
/// Wire form (a sub-message): `1 intervalSeconds uint32 (≥ 1)`, `2 rangesPerAudit uint32 (1…maximumRangesPerAudit)`.
public struct AuditPlan: Sendable, Equatable, Codable {
    /// The most ranges one audit may read.
    public static let maximumRangesPerAudit: UInt32 = 1024

    /// Seconds between audits (≥ 1).
    public var intervalSeconds: UInt32
    /// Chunk ranges read per audit (1…``maximumRangesPerAudit``).
    public var rangesPerAudit: UInt32

    /// Creates a plan.
    public init(intervalSeconds: UInt32, rangesPerAudit: UInt32) {
        self.intervalSeconds = intervalSeconds
        self.rangesPerAudit = rangesPerAudit
    }

    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendVarint(field: 1, UInt64(intervalSeconds))
        writer.appendVarint(field: 2, UInt64(rangesPerAudit))
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "AuditPlan", fieldCount: 2)
        intervalSeconds = try decoder.uint32(1, "intervalSeconds")
        rangesPerAudit = try decoder.uint32(2, "rangesPerAudit")
        try decoder.finish()
        guard intervalSeconds >= 1 else { throw decoder.fail("intervalSeconds", "must be at least 1") }
        guard (1...Self.maximumRangesPerAudit).contains(rangesPerAudit) else {
            throw decoder.fail("rangesPerAudit", "\(rangesPerAudit) is outside 1...\(Self.maximumRangesPerAudit)")
        }
    }
}

/// One share a contract covers; the CID's digest is the share's Merkle root (``ShareTree``).
///
/// Wire form (a sub-message): `1 cid bytes (a share CID)`, `2 byteCount uint32 (1…StorageWire.maximumShareByteCount)`.
public struct ContractShare: Sendable, Hashable {
    /// The share CID (CIDv1, raw, multihash cairn share tree).
    public var cid: CID
    /// The share's length in bytes.
    public var byteCount: UInt32

    /// Creates an entry.
    public init(cid: CID, byteCount: UInt32) {
        self.cid = cid
        self.byteCount = byteCount
    }

    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, cid.bytes)
        writer.appendVarint(field: 2, UInt64(byteCount))
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "ContractShare", fieldCount: 2)
        cid = try decoder.shareCID(1, "cid")
        byteCount = try decoder.uint32(2, "byteCount")
        try decoder.finish()
        guard byteCount >= 1, byteCount <= StorageWire.maximumShareByteCount else {
            throw decoder.fail("byteCount", "\(byteCount) is outside 1...\(StorageWire.maximumShareByteCount)")
        }
    }
}

/// A storage agreement signed by owner and provider: the provider keeps `shares` from `start` for
/// `duration` seconds at `pricePerGiBMonth` and answers audits per `auditPlan` (docs/specs/storage.md).
///
/// ```
///  1 version            uint32   1
///  2 id                 bytes    16
///  3 owner              bytes    Ed25519 public key (libp2p protobuf)
///  4 provider           bytes    Ed25519 public key
///  5 manifest           bytes    CID of the private file's manifest
///  6 shares             repeated ContractShare, 1…65,536, no CID twice
///  7 start              uint64   unix seconds
///  8 duration           uint64   seconds, ≥ 1, start + duration < 2^64
///  9 pricePerGiBMonth   uint64   micro-tokens
/// 10 auditPlan          AuditPlan
/// 11 ownerSignature     bytes    64 or empty
/// 12 providerSignature  bytes    64 or empty
/// ```
/// Both signatures cover ``signingBytes()``: `"cairn/contract/v1"` and fields 1–10.
public struct StorageContract: Sendable, Equatable {
    /// The contract format this code writes and reads.
    public static let currentVersion: UInt32 = 1
    static let signingTag = "cairn/contract/v1"

    /// The format version (``currentVersion``).
    public var version: UInt32
    /// 16 random bytes chosen by the owner.
    public var id: [UInt8]
    /// The owner's key (Ed25519).
    public var owner: PublicKey
    /// The provider's key (Ed25519).
    public var provider: PublicKey
    /// The private file's manifest.
    public var manifest: CID
    /// The shares covered: non-empty, no duplicates, each a share CID.
    public var shares: [ContractShare]
    /// When the contract starts, in unix seconds.
    public var start: UInt64
    /// How long it runs, in seconds (≥ 1).
    public var duration: UInt64
    /// The price, in micro-tokens per GiB per 30-day month.
    public var pricePerGiBMonth: UInt64
    /// How the provider is audited.
    public var auditPlan: AuditPlan
    /// The owner's Ed25519 signature over ``signingBytes()`` (empty until signed).
    public var ownerSignature: [UInt8]
    /// The provider's Ed25519 signature over ``signingBytes()`` (empty until signed).
    public var providerSignature: [UInt8]

    /// Creates an unsigned contract at ``currentVersion``; ``validate()`` checks it.
    public init(id: [UInt8], owner: PublicKey, provider: PublicKey, manifest: CID, shares: [ContractShare], start: UInt64,
                duration: UInt64, pricePerGiBMonth: UInt64, auditPlan: AuditPlan) {
        self.version = Self.currentVersion
        self.id = id
        self.owner = owner
        self.provider = provider
        self.manifest = manifest
        self.shares = shares
        self.start = start
        self.duration = duration
        self.pricePerGiBMonth = pricePerGiBMonth
        self.auditPlan = auditPlan
        self.ownerSignature = []
        self.providerSignature = []
    }

    /// The bytes stored: the sum of the shares' byte counts.
    public var byteCount: UInt64 { shares.reduce(0) { $0 + UInt64($1.byteCount) } }

    /// When the contract ends, in unix seconds: start + duration (saturating; a decoded contract never overflows).
    public var end: UInt64 {
        let (sum, overflow) = start.addingReportingOverflow(duration)
        return overflow ? .max : sum
    }

    /// The ID as lowercase hex.
    public var idText: String { id.lowercaseHex }

    /// Whether the contract runs at `unixSeconds`: `start ≤ unixSeconds < end`.
    public func isLive(at unixSeconds: UInt64) -> Bool { start <= unixSeconds && unixSeconds < end }

    /// What both parties sign: `uvarint(17) ‖ "cairn/contract/v1" ‖` fields 1–10 as encoded.
    public func signingBytes() -> [UInt8] {
        SigningDomain.bytes(tag: Self.signingTag, body: body().bytes)
    }

    /// Signs as the owner.
    /// - Throws: `StorageWireError.wrongSigningKey` unless `key` is ``owner``'s; `CryptoError` if signing fails.
    public mutating func signAsOwner(with key: PrivateKey) throws {
        guard key.publicKey == owner else { throw StorageWireError.wrongSigningKey(role: "owner") }
        ownerSignature = try key.sign(signingBytes())
    }

    /// Signs as the provider.
    /// - Throws: `StorageWireError.wrongSigningKey` unless `key` is ``provider``'s; `CryptoError` if signing fails.
    public mutating func signAsProvider(with key: PrivateKey) throws {
        guard key.publicKey == provider else { throw StorageWireError.wrongSigningKey(role: "provider") }
        providerSignature = try key.sign(signingBytes())
    }

    /// Whether ``ownerSignature`` is the owner's valid signature.
    public var hasValidOwnerSignature: Bool { owner.verifies(ownerSignature, for: signingBytes()) }
    /// Whether ``providerSignature`` is the provider's valid signature.
    public var hasValidProviderSignature: Bool { provider.verifies(providerSignature, for: signingBytes()) }
    /// Whether both signatures are valid.
    public var isFullySigned: Bool { hasValidOwnerSignature && hasValidProviderSignature }

    /// Checks the rules a decoded contract obeys (version, ID length, shares, duration, audit plan, signature lengths).
    /// - Throws: `StorageWireError.malformed` or `.tooLarge` naming the first broken rule.
    public func validate() throws(StorageWireError) {
        _ = try StorageContract(decoding: encoded())
    }

    private func body() -> ProtobufWriter {
        var writer = ProtobufWriter()
        writer.appendVarint(field: 1, UInt64(version))
        writer.appendBytes(field: 2, id)
        writer.appendBytes(field: 3, owner.protobufBytes)
        writer.appendBytes(field: 4, provider.protobufBytes)
        writer.appendBytes(field: 5, manifest.bytes)
        for share in shares { writer.appendBytes(field: 6, share.encoded()) }
        writer.appendVarint(field: 7, start)
        writer.appendVarint(field: 8, duration)
        writer.appendVarint(field: 9, pricePerGiBMonth)
        writer.appendBytes(field: 10, auditPlan.encoded())
        return writer
    }

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = body()
        writer.appendBytes(field: 11, ownerSignature)
        writer.appendBytes(field: 12, providerSignature)
        return writer.bytes
    }

    /// Decodes the canonical encoding; signatures must be 64 bytes or empty and are not checked.
    /// - Throws: `StorageWireError` for anything but the canonical encoding of a contract that obeys every rule.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "StorageContract", fieldCount: 12)
        version = try decoder.uint32(1, "version")
        guard version == Self.currentVersion else { throw decoder.fail("version", "\(version) is not supported (this build reads 1)") }
        id = try decoder.contractID(2, "id")
        owner = try decoder.publicKey(3, "owner")
        provider = try decoder.publicKey(4, "provider")
        manifest = try decoder.cid(5, "manifest")
        shares = try decoder.repeated(6, "shares", limit: StorageWire.maximumSharesPerContract, elementLimit: 512) { (bytes) throws(StorageWireError) in
            try ContractShare(decoding: bytes)
        }
        start = try decoder.uint64(7, "start")
        duration = try decoder.uint64(8, "duration")
        pricePerGiBMonth = try decoder.uint64(9, "pricePerGiBMonth")
        auditPlan = try AuditPlan(decoding: decoder.bytes(10, "auditPlan", limit: 32))
        ownerSignature = try decoder.signature(11, "ownerSignature", optional: true)
        providerSignature = try decoder.signature(12, "providerSignature", optional: true)
        try decoder.finish()
        guard !shares.isEmpty else { throw decoder.fail("shares", "a contract covers at least one share") }
        guard Set(shares.map(\.cid)).count == shares.count else { throw decoder.fail("shares", "a share is listed twice") }
        guard duration >= 1 else { throw decoder.fail("duration", "must be at least 1 second") }
        guard !start.addingReportingOverflow(duration).overflow else { throw decoder.fail("duration", "start + duration overflows") }
    }
}
