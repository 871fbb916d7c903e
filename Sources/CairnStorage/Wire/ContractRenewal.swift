import CairnCore
import CairnCrypto

/// Extends a contract to a new end: the owner signs and asks, the provider countersigns to accept.
///
/// ```
/// 1 contractID         bytes   16
/// 2 newEnd             uint64  unix seconds
/// 3 ownerSignature     bytes   64 or empty
/// 4 providerSignature  bytes   64 or empty
/// ```
/// Both signatures cover ``signingBytes()``: `"cairn/renewal/v1"` and fields 1–2.
public struct ContractRenewal: Sendable, Equatable {
    static let signingTag = "cairn/renewal/v1"

    /// The contract extended (16 bytes).
    public var contractID: [UInt8]
    /// The new end, in unix seconds.
    public var newEnd: UInt64
    /// The owner's Ed25519 signature (empty until signed).
    public var ownerSignature: [UInt8]
    /// The provider's Ed25519 signature (empty until signed).
    public var providerSignature: [UInt8]

    /// Creates an unsigned renewal.
    public init(contractID: [UInt8], newEnd: UInt64) {
        self.contractID = contractID
        self.newEnd = newEnd
        self.ownerSignature = []
        self.providerSignature = []
    }

    private func body() -> ProtobufWriter {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, contractID)
        writer.appendVarint(field: 2, newEnd)
        return writer
    }

    /// What both parties sign: `uvarint(16) ‖ "cairn/renewal/v1" ‖` fields 1–2 as encoded.
    public func signingBytes() -> [UInt8] { SigningDomain.bytes(tag: Self.signingTag, body: body().bytes) }

    /// Signs as the owner (the contract's owner key is the caller's to choose).
    /// - Throws: `CryptoError` if signing fails.
    public mutating func signAsOwner(with key: PrivateKey) throws { ownerSignature = try key.sign(signingBytes()) }

    /// Signs as the provider.
    /// - Throws: `CryptoError` if signing fails.
    public mutating func signAsProvider(with key: PrivateKey) throws { providerSignature = try key.sign(signingBytes()) }

    /// Whether ``ownerSignature`` is `owner`'s valid signature.
    public func hasValidOwnerSignature(_ owner: PublicKey) -> Bool { owner.verifies(ownerSignature, for: signingBytes()) }

    /// Whether ``providerSignature`` is `provider`'s valid signature.
    public func hasValidProviderSignature(_ provider: PublicKey) -> Bool { provider.verifies(providerSignature, for: signingBytes()) }

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = body()
        writer.appendBytes(field: 3, ownerSignature)
        writer.appendBytes(field: 4, providerSignature)
        return writer.bytes
    }

    /// Decodes the canonical encoding; signatures must be 64 bytes or empty and are not checked.
    /// - Throws: `StorageWireError`.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "ContractRenewal", fieldCount: 4)
        contractID = try decoder.contractID(1, "contractID")
        newEnd = try decoder.uint64(2, "newEnd")
        ownerSignature = try decoder.signature(3, "ownerSignature", optional: true)
        providerSignature = try decoder.signature(4, "providerSignature", optional: true)
        try decoder.finish()
    }
}
