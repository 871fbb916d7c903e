/// The libp2p key algorithms, with their protobuf `KeyType` numbers.
///
/// See libp2p/specs `peer-ids/peer-ids.md`: `enum KeyType { RSA = 0; Ed25519 = 1; Secp256k1 = 2; ECDSA = 3; }`.
public enum KeyType: UInt64, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// RSA; the key data is a DER SubjectPublicKeyInfo, signatures are PKCS#1 v1.5 over SHA-256.
    case rsa = 0
    /// Ed25519; the key data is the raw 32-byte public key.
    case ed25519 = 1
    /// secp256k1; the key data is a 33-byte compressed point. Cairn cannot verify these signatures.
    case secp256k1 = 2
    /// ECDSA (Cairn verifies P-256); the key data is a DER SubjectPublicKeyInfo, signatures are DER.
    case ecdsa = 3

    /// The spec's name for the algorithm.
    public var description: String {
        switch self {
        case .rsa: "RSA"
        case .ed25519: "Ed25519"
        case .secp256k1: "Secp256k1"
        case .ecdsa: "ECDSA"
        }
    }
}
