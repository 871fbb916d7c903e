import CairnCore
import CairnCrypto

/// An owner withdraws a repair delegation (the file was removed): the agent stops checking and repairing
/// the file and cancels the contracts it signed for it.
///
/// ```
/// 1 manifest   bytes   CID of the file
/// 2 owner      bytes   Ed25519 public key (the delegation's owner)
/// 3 at         uint64  unix seconds when it was withdrawn
/// 4 signature  bytes   64 or empty, Ed25519 over "cairn/revoke/v1" ‖ fields 1–3
/// ```
public struct DelegationRevocation: Sendable, Equatable {
    static let signingTag = "cairn/revoke/v1"

    /// The file whose delegation ends.
    public var manifest: CID
    /// The file's owner, who made the delegation (Ed25519).
    public var owner: PublicKey
    /// When it was withdrawn, in unix seconds.
    public var at: UInt64
    /// The owner's Ed25519 signature over ``signingBytes()`` (empty until signed).
    public var signature: [UInt8]

    /// Creates an unsigned revocation.
    public init(manifest: CID, owner: PublicKey, at: UInt64) {
        self.manifest = manifest
        self.owner = owner
        self.at = at
        self.signature = []
    }

    private func body() -> ProtobufWriter {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, manifest.bytes)
        writer.appendBytes(field: 2, owner.protobufBytes)
        writer.appendVarint(field: 3, at)
        return writer
    }

    /// What the owner signs: `uvarint(15) ‖ "cairn/revoke/v1" ‖` fields 1–3 as encoded.
    public func signingBytes() -> [UInt8] { SigningDomain.bytes(tag: Self.signingTag, body: body().bytes) }

    /// Signs as the owner.
    /// - Throws: `StorageWireError.wrongSigningKey` unless `key` is ``owner``'s; `CryptoError` if signing fails.
    public mutating func sign(with key: PrivateKey) throws {
        guard key.publicKey == owner else { throw StorageWireError.wrongSigningKey(role: "owner") }
        signature = try key.sign(signingBytes())
    }

    /// Whether ``signature`` is the owner's valid signature.
    public var hasValidSignature: Bool { owner.verifies(signature, for: signingBytes()) }

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = body()
        writer.appendBytes(field: 4, signature)
        return writer.bytes
    }

    /// Decodes the canonical encoding; the signature must be 64 bytes or empty and is not checked.
    /// - Throws: `StorageWireError`.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "DelegationRevocation", fieldCount: 4)
        manifest = try decoder.cid(1, "manifest")
        owner = try decoder.publicKey(2, "owner")
        at = try decoder.uint64(3, "at")
        signature = try decoder.signature(4, "signature", optional: true)
        try decoder.finish()
    }
}
