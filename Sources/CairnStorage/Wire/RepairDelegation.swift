import CairnCore
import CairnCrypto
import CairnPrivate

/// An owner asks an always-on node to check and repair a file with its verify-cap (never a read-cap: a
/// delegation carrying a key is refused both when signing and when decoding).
///
/// ```
/// 1 verifyCap  string    cairn-verify-v1-…, ≤ 512 bytes, naming `manifest`
/// 2 manifest   bytes     CID
/// 3 locations  repeated  ShareLocation, ≤ 65,536
/// 4 contracts  repeated  StorageContract, ≤ 1,024, each owned by `owner`, no ID twice
/// 5 owner      bytes     Ed25519 public key
/// 6 issuedAt   uint64    unix milliseconds
/// 7 signature  bytes     64 or empty, Ed25519 over "cairn/delegation/v1" ‖ fields 1–6
/// ```
public struct RepairDelegation: Sendable, Equatable {
    static let signingTag = "cairn/delegation/v1"

    /// The verify-cap text of the file.
    public var verifyCap: String
    /// The file's manifest (the one the verify-cap names).
    public var manifest: CID
    /// Where the file's shares live.
    public var locations: [ShareLocation]
    /// The contracts those shares are held under.
    public var contracts: [StorageContract]
    /// The file's owner (Ed25519).
    public var owner: PublicKey
    /// When the delegation was made, in unix milliseconds.
    public var issuedAt: UInt64
    /// The owner's Ed25519 signature over ``signingBytes()`` (empty until signed).
    public var signature: [UInt8]

    /// Creates an unsigned delegation.
    public init(verifyCap: String, manifest: CID, locations: [ShareLocation], contracts: [StorageContract], owner: PublicKey, issuedAt: UInt64) {
        self.verifyCap = verifyCap
        self.manifest = manifest
        self.locations = locations
        self.contracts = contracts
        self.owner = owner
        self.issuedAt = issuedAt
        self.signature = []
    }

    private func body() -> ProtobufWriter {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, Array(verifyCap.utf8))
        writer.appendBytes(field: 2, manifest.bytes)
        for location in locations { writer.appendBytes(field: 3, location.encoded()) }
        for contract in contracts { writer.appendBytes(field: 4, contract.encoded()) }
        writer.appendBytes(field: 5, owner.protobufBytes)
        writer.appendVarint(field: 6, issuedAt)
        return writer
    }

    /// What the owner signs: `uvarint(19) ‖ "cairn/delegation/v1" ‖` fields 1–6 as encoded.
    public func signingBytes() -> [UInt8] { SigningDomain.bytes(tag: Self.signingTag, body: body().bytes) }

    /// Signs as the owner.
    /// - Throws: `StorageWireError.wrongSigningKey` unless `key` is ``owner``'s; `.malformed` when
    ///   ``verifyCap`` is not a verify-cap for ``manifest`` (a read-cap would hand the file key away);
    ///   `CryptoError` if signing fails.
    public mutating func sign(with key: PrivateKey) throws {
        guard key.publicKey == owner else { throw StorageWireError.wrongSigningKey(role: "owner") }
        try Self.checkVerifyCap(verifyCap, manifest: manifest)
        signature = try key.sign(signingBytes())
    }

    /// Whether ``signature`` is the owner's valid signature.
    public var hasValidSignature: Bool { owner.verifies(signature, for: signingBytes()) }

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = body()
        writer.appendBytes(field: 7, signature)
        return writer.bytes
    }

    /// Decodes the canonical encoding; the signature must be 64 bytes or empty and is not checked.
    /// - Throws: `StorageWireError`, also for a capability that is not a verify-cap of `manifest`, a
    ///   contract of another owner or a contract listed twice.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "RepairDelegation", fieldCount: 7)
        verifyCap = try decoder.string(1, "verifyCap", limit: StorageWire.maximumVerifyCapByteCount)
        manifest = try decoder.cid(2, "manifest")
        try Self.checkVerifyCap(verifyCap, manifest: manifest)
        locations = try decoder.repeated(3, "locations", limit: StorageWire.maximumLocationsPerDelegation, elementLimit: 1024) {
            (bytes) throws(StorageWireError) in try ShareLocation(decoding: bytes)
        }
        contracts = try decoder.repeated(4, "contracts", limit: StorageWire.maximumContractsPerDelegation,
                                         elementLimit: StorageWire.maximumMessageByteCount) {
            (bytes) throws(StorageWireError) in try StorageContract(decoding: bytes)
        }
        owner = try decoder.publicKey(5, "owner")
        issuedAt = try decoder.uint64(6, "issuedAt")
        signature = try decoder.signature(7, "signature", optional: true)
        try decoder.finish()
        let owner = owner
        guard contracts.allSatisfy({ $0.owner == owner }) else { throw decoder.fail("contracts", "a contract belongs to another owner") }
        guard Set(contracts.map(\.id)).count == contracts.count else { throw decoder.fail("contracts", "a contract is listed twice") }
    }

    /// Throws unless `text` is a verify-cap naming `manifest`.
    static func checkVerifyCap(_ text: String, manifest: CID) throws(StorageWireError) {
        guard text.utf8.count <= StorageWire.maximumVerifyCapByteCount else {
            throw .tooLarge("RepairDelegation.verifyCap", byteCount: text.utf8.count, limit: StorageWire.maximumVerifyCapByteCount)
        }
        guard let capability = try? Capability(text), case .verify(let named) = capability, capability.text == text else {
            throw .malformed(field: "RepairDelegation.verifyCap", reason: "not a verify-cap")
        }
        guard named == manifest else { throw .malformed(field: "RepairDelegation.verifyCap", reason: "names another manifest than \(manifest)") }
    }
}
