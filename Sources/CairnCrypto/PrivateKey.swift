import Crypto
import Foundation

/// A libp2p private key that Cairn can sign with: Ed25519.
///
/// Wire form, as kubo stores it in its repository config and as go-libp2p marshals it:
/// ```
/// 08 01          field 1 Type = Ed25519
/// 12 40          field 2 Data, 64 bytes
/// <32-byte seed> <32-byte public key>
/// ```
/// The key material never appears in ``description`` or in any error. See `docs/specs/peer-id.md`.
public struct PrivateKey: Sendable, CustomStringConvertible {
    /// The byte length of an Ed25519 seed (the private scalar's source).
    public static let ed25519SeedByteCount = 32
    /// The byte length of the serialized private key (`08 01 12 40` plus seed and public key).
    public static let ed25519ProtobufByteCount = 4 + 64

    private let key: Curve25519.Signing.PrivateKey

    /// The key algorithm (always Ed25519 today).
    public var type: KeyType { .ed25519 }

    /// Generates a fresh Ed25519 key from the system's cryptographically secure random source.
    public static func generateEd25519() -> PrivateKey {
        PrivateKey(key: Curve25519.Signing.PrivateKey())
    }

    private init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
    }

    /// Creates an Ed25519 key from its 32-byte seed.
    /// - Throws: `.invalidKeyLength` when `seed` is not 32 bytes.
    public init(ed25519Seed seed: [UInt8]) throws(CryptoError) {
        guard seed.count == Self.ed25519SeedByteCount else {
            throw .invalidKeyLength(.ed25519, byteCount: seed.count, expected: Self.ed25519SeedByteCount)
        }
        do {
            self.key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw .invalidKey(.ed25519, reason: "seed rejected")
        }
    }

    /// Decodes the libp2p protobuf form (`08 01 12 40 ‖ seed ‖ public key`).
    /// - Throws: `.tooLarge`, `.truncated`, `.malformedProtobuf`, `.unknownKeyType`,
    ///   `.unsupportedKeyType` for RSA, secp256k1 and ECDSA private keys, `.invalidKeyLength`, and
    ///   `.invalidKey` when the embedded public key does not belong to the seed.
    public init(protobufBytes: [UInt8]) throws(CryptoError) {
        let limit = PublicKey.maximumProtobufByteCount * 4
        guard protobufBytes.count <= limit else {
            throw .tooLarge(context: "private key protobuf", byteCount: protobufBytes.count, limit: limit)
        }
        let (typeValue, data) = try KeyProtobuf.decode(protobufBytes, context: "PrivateKey")
        guard let type = KeyType(rawValue: typeValue) else { throw .unknownKeyType(typeValue) }
        guard type == .ed25519 else { throw .unsupportedKeyType(type, operation: "private keys") }
        guard data.count == 2 * Self.ed25519SeedByteCount else {
            throw .invalidKeyLength(.ed25519, byteCount: data.count, expected: 2 * Self.ed25519SeedByteCount)
        }
        try self.init(ed25519Seed: Array(data[0..<Self.ed25519SeedByteCount]))
        guard publicKey.data.elementsEqual(data[Self.ed25519SeedByteCount...]) else {
            throw .invalidKey(.ed25519, reason: "the public half does not match the seed")
        }
        guard self.protobufBytes == protobufBytes else { throw .nonCanonicalEncoding(context: "PrivateKey") }
    }

    /// The libp2p protobuf form; this is secret key material, handle it like the key itself.
    public var protobufBytes: [UInt8] {
        KeyProtobuf.encode(type: KeyType.ed25519.rawValue, data: Array(key.rawRepresentation) + Array(key.publicKey.rawRepresentation))
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        // A swift-crypto Ed25519 public key is always 32 bytes, which is all `init(type:data:)` checks.
        guard let key = try? PublicKey(type: .ed25519, data: Array(key.publicKey.rawRepresentation)) else {
            preconditionFailure("swift-crypto returned an Ed25519 public key that is not 32 bytes")
        }
        return key
    }

    /// The peer ID of this key's public half.
    public var peerID: PeerID { publicKey.peerID }

    /// Signs `message` (Ed25519 signs the raw message, no pre-hashing); returns the 64-byte signature.
    /// - Throws: `.invalidKey` if the underlying library refuses to sign (not expected in practice).
    public func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        do {
            return Array(try key.signature(for: message))
        } catch {
            throw .invalidKey(.ed25519, reason: "signing failed")
        }
    }

    /// The key type and peer ID, never the key material.
    public var description: String { "PrivateKey(\(type), <redacted>, peer: \(peerID))" }
}
