import CairnCore
import CairnCrypto

/// Ends a contract early: the owner signs.
///
/// ```
/// 1 contractID      bytes   16
/// 2 at              uint64  unix seconds when the contract ends
/// 3 ownerSignature  bytes   64 or empty
/// ```
/// The signature covers ``signingBytes()``: `"cairn/cancel/v1"` and fields 1–2.
public struct ContractCancellation: Sendable, Equatable {
    static let signingTag = "cairn/cancel/v1"

    /// The contract cancelled (16 bytes).
    public var contractID: [UInt8]
    /// When it ends, in unix seconds.
    public var at: UInt64
    /// The owner's Ed25519 signature (empty until signed).
    public var ownerSignature: [UInt8]

    /// Creates an unsigned cancellation.
    public init(contractID: [UInt8], at: UInt64) {
        self.contractID = contractID
        self.at = at
        self.ownerSignature = []
    }

    private func body() -> ProtobufWriter {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, contractID)
        writer.appendVarint(field: 2, at)
        return writer
    }

    /// What the owner signs: `uvarint(15) ‖ "cairn/cancel/v1" ‖` fields 1–2 as encoded.
    public func signingBytes() -> [UInt8] { SigningDomain.bytes(tag: Self.signingTag, body: body().bytes) }

    /// Signs as the owner.
    /// - Throws: `CryptoError` if signing fails.
    public mutating func sign(with key: PrivateKey) throws { ownerSignature = try key.sign(signingBytes()) }

    /// Whether ``ownerSignature`` is `owner`'s valid signature.
    public func hasValidSignature(_ owner: PublicKey) -> Bool { owner.verifies(ownerSignature, for: signingBytes()) }

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = body()
        writer.appendBytes(field: 3, ownerSignature)
        return writer.bytes
    }

    /// Decodes the canonical encoding; the signature must be 64 bytes or empty and is not checked.
    /// - Throws: `StorageWireError`.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "ContractCancellation", fieldCount: 3)
        contractID = try decoder.contractID(1, "contractID")
        at = try decoder.uint64(2, "at")
        ownerSignature = try decoder.signature(3, "ownerSignature", optional: true)
        try decoder.finish()
    }
}
