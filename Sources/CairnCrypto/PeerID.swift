import CairnCore

/// A libp2p peer ID: the multihash of a serialized ``PublicKey``.
///
/// A serialized key of at most 42 bytes (Ed25519, secp256k1) is embedded with the identity
/// multihash (`00 24 08 01 12 20 <key>`, text `12D3KooW…`); a longer one (RSA, ECDSA) is hashed with
/// sha2-256 (`12 20 <digest>`, text `Qm…`). The text form is base58btc of the multihash; a CIDv1
/// with codec libp2p-key (`0x72`) in any multibase is also accepted. See `docs/specs/peer-id.md`.
public struct PeerID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The largest serialized public key embedded with the identity multihash, in bytes.
    public static let maximumInlineKeyByteCount = 42
    /// The longest peer ID text accepted, in characters (a CIDv1 of a 44-byte multihash in base2 is ~370).
    public static let maximumTextLength = 512

    /// The multihash: identity over the serialized key, or sha2-256 of it.
    public let multihash: Multihash

    /// The peer ID of `publicKey`.
    public init(publicKey: PublicKey) {
        let serialized = publicKey.protobufBytes
        if serialized.count <= Self.maximumInlineKeyByteCount, let inline = try? Multihash(function: .identity, digest: serialized) {
            self.multihash = inline
        } else {
            self.multihash = Multihash.sha256(serialized)
        }
    }

    /// Wraps a multihash, checking that it can be a peer ID.
    /// - Throws: `.invalidPeerID` unless it is a full sha2-256 digest or an identity multihash of a
    ///   valid serialized public key of at most `maximumInlineKeyByteCount` bytes.
    public init(multihash: Multihash) throws(CryptoError) {
        switch multihash.function {
        case .sha2_256:
            guard multihash.digest.count == 32 else { throw .invalidPeerID(reason: "sha2-256 digest of \(multihash.digest.count) bytes") }
        case .identity:
            guard multihash.digest.count <= Self.maximumInlineKeyByteCount else {
                throw .invalidPeerID(reason: "identity multihash of \(multihash.digest.count) bytes, over \(Self.maximumInlineKeyByteCount)")
            }
            do {
                _ = try PublicKey(protobufBytes: multihash.digest)
            } catch {
                throw .invalidPeerID(reason: "identity multihash does not hold a public key (\(error))")
            }
        default:
            throw .invalidPeerID(reason: "multihash function 0x\(String(multihash.function.rawValue, radix: 16)) is neither identity nor sha2-256")
        }
        self.multihash = multihash
    }

    /// Parses the binary form (the multihash bytes).
    /// - Throws: `.invalidPeerID` for anything but a valid peer ID multihash.
    public init(bytes: [UInt8]) throws(CryptoError) {
        let multihash: Multihash
        do {
            multihash = try Multihash(bytes: bytes)
        } catch {
            throw .invalidPeerID(reason: error.description)
        }
        try self.init(multihash: multihash)
    }

    /// Parses the text form: base58btc (`12D3KooW…`, `Qm…`) or a CIDv1 with codec libp2p-key.
    /// - Throws: `.invalidPeerID` (with the reason) for anything else.
    public init(_ text: String) throws(CryptoError) {
        guard !text.isEmpty else { throw .invalidPeerID(reason: "empty string") }
        guard text.utf8.count <= Self.maximumTextLength else {
            throw .invalidPeerID(reason: "\(text.utf8.count) characters, over the limit of \(Self.maximumTextLength)")
        }
        if text.hasPrefix("1") || text.hasPrefix("Qm") {
            let bytes: [UInt8]
            do {
                bytes = try Base58.decode(text)
            } catch {
                throw .invalidPeerID(reason: error.description)
            }
            try self.init(bytes: bytes)
            return
        }
        let cid: CID
        do {
            cid = try CID(text)
        } catch {
            throw .invalidPeerID(reason: error.description)
        }
        guard cid.version == .v1, cid.codec == .libp2pKey else {
            throw .invalidPeerID(reason: "a CID peer ID must be CIDv1 with codec libp2p-key (0x72), not \(cid.codec)")
        }
        try self.init(multihash: cid.multihash)
    }

    /// The binary form (the multihash bytes), as carried in libp2p messages.
    public var bytes: [UInt8] { multihash.bytes }

    /// The peer ID as a CIDv1 with codec libp2p-key; its `description` is the `bafz…` base32 form.
    public var cid: CID { CID(v1: .libp2pKey, multihash) }

    /// The public key embedded in an identity peer ID, or nil for a hashed (sha2-256) one.
    /// - Throws: never for a value built by this type's initializers (they validate the key); the
    ///   signature is throwing so callers handle a decode error rather than trap.
    public func embeddedPublicKey() throws(CryptoError) -> PublicKey? {
        guard multihash.function == .identity else { return nil }
        return try PublicKey(protobufBytes: multihash.digest)
    }

    /// Whether `publicKey` is the key this peer ID names.
    public func matches(_ publicKey: PublicKey) -> Bool { PeerID(publicKey: publicKey) == self }

    /// The base58btc text form (`12D3KooW…` or `Qm…`).
    public var description: String { Base58.encode(multihash.bytes) }

    /// Orders peer IDs by their binary form.
    public static func < (lhs: PeerID, rhs: PeerID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
