import CairnCore
import Crypto
import _CryptoExtras

/// A libp2p public key: its algorithm and its key data.
///
/// Wire form (proto2, libp2p/specs `peer-ids/peer-ids.md`), always deterministic:
/// ```
/// 08 <KeyType varint>            field 1 Type, written even when 0 (RSA)
/// 12 <length varint> <Data>      field 2 Data
/// ```
/// `Data` is the raw 32-byte key for Ed25519, a DER SubjectPublicKeyInfo for RSA and ECDSA, and a
/// 33-byte compressed point for secp256k1. Decoding accepts only this canonical form, so
/// `PublicKey(protobufBytes: b).protobufBytes == b` always holds and the peer ID derived from a
/// decoded key is the one its owner computes. See `docs/specs/peer-id.md`.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The largest `Data` field accepted, in bytes: an RSA-8192 SubjectPublicKeyInfo is about 1,060
    /// bytes and go-libp2p refuses larger RSA keys.
    public static let maximumDataByteCount = 2048
    /// The largest serialized public key accepted, in bytes (`Data` plus at most 8 bytes of framing).
    public static let maximumProtobufByteCount = maximumDataByteCount + 8
    /// The largest signature accepted for verification, in bytes (an RSA-8192 signature is 1,024).
    public static let maximumSignatureByteCount = 1024
    /// The byte length of an Ed25519 public key.
    public static let ed25519ByteCount = 32
    /// The byte length of a compressed secp256k1 public key.
    public static let secp256k1ByteCount = 33
    /// The smallest RSA modulus accepted, in bits; go-libp2p refuses smaller keys too.
    public static let minimumRSAKeyBitCount = 2048

    /// The key algorithm.
    public let type: KeyType
    /// The key data in the form the algorithm's libp2p encoding uses (see the type's documentation).
    public let data: [UInt8]

    /// Creates a key from its type and data, validating the data for the type.
    /// - Throws: `.tooLarge` over `maximumDataByteCount`, `.invalidKeyLength` for a wrong-size
    ///   Ed25519 or secp256k1 key, `.invalidKey` for an RSA key that does not parse or is under
    ///   `minimumRSAKeyBitCount` bits.
    public init(type: KeyType, data: [UInt8]) throws(CryptoError) {
        guard data.count <= Self.maximumDataByteCount else {
            throw .tooLarge(context: "\(type) public key", byteCount: data.count, limit: Self.maximumDataByteCount)
        }
        switch type {
        case .ed25519:
            guard data.count == Self.ed25519ByteCount else {
                throw .invalidKeyLength(.ed25519, byteCount: data.count, expected: Self.ed25519ByteCount)
            }
        case .secp256k1:
            guard data.count == Self.secp256k1ByteCount else {
                throw .invalidKeyLength(.secp256k1, byteCount: data.count, expected: Self.secp256k1ByteCount)
            }
        case .rsa:
            _ = try Self.rsaKey(data)
        case .ecdsa:
            guard !data.isEmpty else { throw .invalidKey(.ecdsa, reason: "empty key data") }
        }
        self.type = type
        self.data = data
    }

    /// Decodes the libp2p protobuf form, accepting only the canonical encoding.
    /// - Throws: `.tooLarge` over `maximumProtobufByteCount`, `.truncated`, `.malformedProtobuf` for
    ///   missing, duplicate or unknown fields, `.unknownKeyType`, `.nonCanonicalEncoding`, and the
    ///   errors of ``init(type:data:)``.
    public init(protobufBytes: [UInt8]) throws(CryptoError) {
        guard protobufBytes.count <= Self.maximumProtobufByteCount else {
            throw .tooLarge(context: "public key protobuf", byteCount: protobufBytes.count, limit: Self.maximumProtobufByteCount)
        }
        let (typeValue, data) = try KeyProtobuf.decode(protobufBytes, context: "PublicKey")
        guard let type = KeyType(rawValue: typeValue) else { throw .unknownKeyType(typeValue) }
        try self.init(type: type, data: data)
        guard self.protobufBytes == protobufBytes else { throw .nonCanonicalEncoding(context: "PublicKey") }
    }

    /// The deterministic libp2p protobuf form (the bytes hashed into a peer ID).
    public var protobufBytes: [UInt8] { KeyProtobuf.encode(type: type.rawValue, data: data) }

    /// The peer ID of this key.
    public var peerID: PeerID { PeerID(publicKey: self) }

    /// Whether `signature` is this key's valid signature over `message`.
    ///
    /// Ed25519 signs the raw message; RSA uses PKCS#1 v1.5 with SHA-256; ECDSA (P-256 only) uses a
    /// DER signature over SHA-256. A malformed or oversized signature is simply not valid.
    /// - Throws: `.unsupportedKeyType` for secp256k1, `.invalidKey` for key data that does not
    ///   parse (for ECDSA: that is not a P-256 SubjectPublicKeyInfo).
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) throws(CryptoError) -> Bool {
        guard signature.count <= Self.maximumSignatureByteCount else { return false }
        switch type {
        case .ed25519:
            do {
                return try Curve25519.Signing.PublicKey(rawRepresentation: data).isValidSignature(signature, for: message)
            } catch {
                throw .invalidKey(.ed25519, reason: "not a valid Ed25519 point")
            }
        case .rsa:
            let key = try Self.rsaKey(data)
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            return key.isValidSignature(rsaSignature, for: message, padding: .insecurePKCS1v1_5)
        case .ecdsa:
            let key: P256.Signing.PublicKey
            do {
                key = try P256.Signing.PublicKey(derRepresentation: data)
            } catch {
                throw .invalidKey(.ecdsa, reason: "not a P-256 SubjectPublicKeyInfo (other curves are not supported)")
            }
            guard let ecdsaSignature = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsaSignature, for: SHA256.hash(data: message))
        case .secp256k1:
            throw .unsupportedKeyType(.secp256k1, operation: "signature verification")
        }
    }

    /// The key type and peer ID; public keys are not secret but are long, so the data is omitted.
    public var description: String { "PublicKey(\(type), peer: \(peerID))" }

    private static func rsaKey(_ data: [UInt8]) throws(CryptoError) -> _RSA.Signing.PublicKey {
        do {
            return try _RSA.Signing.PublicKey(derRepresentation: data)
        } catch {
            throw .invalidKey(.rsa, reason: "not a DER SubjectPublicKeyInfo of at least \(minimumRSAKeyBitCount) bits")
        }
    }
}

/// The shared `{ Type = 1; Data = 2 }` layout of the libp2p `PublicKey` and `PrivateKey` messages.
enum KeyProtobuf {
    /// Writes `08 type 12 len data`.
    static func encode(type: UInt64, data: some Collection<UInt8>) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendVarint(field: 1, type)
        writer.appendBytes(field: 2, data)
        return writer.bytes
    }

    /// Reads both required fields, rejecting unknown, duplicate and missing ones.
    static func decode(_ bytes: [UInt8], context: String) throws(CryptoError) -> (type: UInt64, data: [UInt8]) {
        var reader = ProtobufReader.libp2pStrict(bytes)
        var type: UInt64?
        var data: [UInt8]?
        while let (number, value) = try reader.nextField(context: context) {
            switch (number, value) {
            case (1, .varint(let v)):
                guard type == nil else { throw .malformedProtobuf(context: context, reason: "duplicate Type field") }
                type = v
            case (2, .bytes(let b)):
                guard data == nil else { throw .malformedProtobuf(context: context, reason: "duplicate Data field") }
                data = b
            default:
                throw .malformedProtobuf(context: context, reason: "unexpected field \(number)")
            }
        }
        guard let type else { throw .malformedProtobuf(context: context, reason: "missing required Type field") }
        guard let data else { throw .malformedProtobuf(context: context, reason: "missing required Data field") }
        return (type, data)
    }
}
