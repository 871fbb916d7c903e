import CairnCore
import CairnCrypto

/// A provider's signed announcement of its space and price (docs/specs/storage.md, "StorageOffer").
///
/// ```
/// 1 provider            bytes   libp2p protobuf Ed25519 public key
/// 2 capacityByteCount   uint64
/// 3 committedByteCount  uint64
/// 4 storedByteCount     uint64
/// 5 pricePerGiBMonth    uint64  micro-tokens
/// 6 protocolVersion     uint32  ≥ 1
/// 7 issuedAt            uint64  unix milliseconds
/// 8 signature           bytes   64, Ed25519 over "cairn/offer/v1" ‖ fields 1–7
/// ```
public struct StorageOffer: Sendable, Equatable {
    /// The signing domain.
    static let signingTag = "cairn/offer/v1"

    /// The provider's key (Ed25519).
    public var provider: PublicKey
    /// Space offered in all, in bytes.
    public var capacityByteCount: UInt64
    /// Bytes promised under live contracts.
    public var committedByteCount: UInt64
    /// Bytes actually held on disk.
    public var storedByteCount: UInt64
    /// The price, in micro-tokens per GiB per 30-day month.
    public var pricePerGiBMonth: UInt64
    /// The storage protocol version the provider speaks (≥ 1).
    public var protocolVersion: UInt32
    /// When the offer was made, in unix milliseconds.
    public var issuedAt: UInt64
    /// The provider's Ed25519 signature over ``signingBytes()``.
    public var signature: [UInt8]

    /// Creates an offer from its fields (use ``signed(by:capacityByteCount:committedByteCount:storedByteCount:pricePerGiBMonth:issuedAt:)``
    /// to make a signed one).
    public init(provider: PublicKey, capacityByteCount: UInt64, committedByteCount: UInt64, storedByteCount: UInt64,
                pricePerGiBMonth: UInt64, protocolVersion: UInt32 = CairnStorage.protocolVersion, issuedAt: UInt64, signature: [UInt8] = []) {
        self.provider = provider
        self.capacityByteCount = capacityByteCount
        self.committedByteCount = committedByteCount
        self.storedByteCount = storedByteCount
        self.pricePerGiBMonth = pricePerGiBMonth
        self.protocolVersion = protocolVersion
        self.issuedAt = issuedAt
        self.signature = signature
    }

    /// Space not yet promised: capacity − committed, 0 when over-committed.
    public var freeByteCount: UInt64 {
        capacityByteCount > committedByteCount ? capacityByteCount - committedByteCount : 0
    }

    /// The provider's peer ID.
    public var providerPeerID: PeerID { provider.peerID }

    /// An offer for `key`'s public key at the current protocol version, signed by `key`.
    /// - Throws: `CryptoError` if signing fails.
    public static func signed(by key: PrivateKey, capacityByteCount: UInt64, committedByteCount: UInt64, storedByteCount: UInt64,
                              pricePerGiBMonth: UInt64, issuedAt: UInt64) throws -> StorageOffer {
        var offer = StorageOffer(provider: key.publicKey, capacityByteCount: capacityByteCount, committedByteCount: committedByteCount,
                                 storedByteCount: storedByteCount, pricePerGiBMonth: pricePerGiBMonth, issuedAt: issuedAt)
        offer.signature = try key.sign(offer.signingBytes())
        return offer
    }

    /// What the provider signs: `uvarint(14) ‖ "cairn/offer/v1" ‖` fields 1–7 as encoded.
    public func signingBytes() -> [UInt8] {
        SigningDomain.bytes(tag: Self.signingTag, body: body().bytes)
    }

    /// Whether ``signature`` is the provider's valid signature.
    public var hasValidSignature: Bool {
        provider.verifies(signature, for: signingBytes())
    }

    private func body() -> ProtobufWriter {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, provider.protobufBytes)
        writer.appendVarint(field: 2, capacityByteCount)
        writer.appendVarint(field: 3, committedByteCount)
        writer.appendVarint(field: 4, storedByteCount)
        writer.appendVarint(field: 5, pricePerGiBMonth)
        writer.appendVarint(field: 6, UInt64(protocolVersion))
        writer.appendVarint(field: 7, issuedAt)
        return writer
    }

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = body()
        writer.appendBytes(field: 8, signature)
        return writer.bytes
    }

    /// Decodes the canonical encoding; the signature must be 64 bytes but is not checked (see ``hasValidSignature``).
    /// - Throws: `StorageWireError` for anything but the canonical encoding of a well-formed offer.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "StorageOffer", fieldCount: 8)
        provider = try decoder.publicKey(1, "provider")
        capacityByteCount = try decoder.uint64(2, "capacityByteCount")
        committedByteCount = try decoder.uint64(3, "committedByteCount")
        storedByteCount = try decoder.uint64(4, "storedByteCount")
        pricePerGiBMonth = try decoder.uint64(5, "pricePerGiBMonth")
        protocolVersion = try decoder.uint32(6, "protocolVersion")
        issuedAt = try decoder.uint64(7, "issuedAt")
        signature = try decoder.signature(8, "signature")
        try decoder.finish()
        guard protocolVersion >= 1 else { throw decoder.fail("protocolVersion", "must be at least 1") }
    }
}
