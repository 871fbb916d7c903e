import Crypto

/// A Noise `SymmetricState` for SHA-256: the chaining key `ck`, the handshake hash `h` and a
/// ``NoiseCipherState`` (Noise spec section 5.2).
///
/// HKDF is RFC 5869 HKDF-SHA256 with salt `ck`, empty info and 64 output bytes split in two.
public struct NoiseSymmetricState: Sendable {
    /// The SHA-256 output length in bytes (`HASHLEN`).
    public static let hashByteCount = 32

    /// The chaining key `ck`.
    public private(set) var chainingKey: [UInt8]
    /// The handshake hash `h`, also the associated data of every handshake encryption.
    public private(set) var handshakeHash: [UInt8]
    private var cipher: NoiseCipherState

    /// `InitializeSymmetric(protocolName)`: a name of at most 32 bytes is zero-padded and used as
    /// `h` directly (`Noise_XX_25519_ChaChaPoly_SHA256` is exactly 32), a longer one is hashed;
    /// `ck = h` and there is no key yet.
    public init(protocolName: [UInt8]) {
        let h = protocolName.count <= Self.hashByteCount
            ? protocolName + [UInt8](repeating: 0, count: Self.hashByteCount - protocolName.count)
            : Array(SHA256.hash(data: protocolName))
        self.handshakeHash = h
        self.chainingKey = h
        self.cipher = NoiseCipherState(key: nil)
    }

    /// Whether a key has been mixed in yet.
    public var hasKey: Bool { cipher.hasKey }

    /// `MixHash(data)`: `h = SHA-256(h ‖ data)`.
    public mutating func mixHash(_ data: [UInt8]) {
        var hasher = SHA256()
        hasher.update(data: handshakeHash)
        hasher.update(data: data)
        handshakeHash = Array(hasher.finalize())
    }

    /// `MixKey(ikm)`: `ck, k = HKDF(ck, ikm)` and the cipher takes `k` with a zero counter.
    public mutating func mixKey(_ inputKeyMaterial: [UInt8]) {
        let (first, second) = hkdf(inputKeyMaterial)
        chainingKey = first
        cipher = NoiseCipherState(key: SymmetricKey(data: second))
    }

    /// `EncryptAndHash(plaintext)`: encrypts with AD = `h` (identity without a key), then mixes the result into `h`.
    /// - Throws: `.nonceExhausted` (not reachable within a handshake).
    public mutating func encryptAndHash(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let ciphertext = try cipher.encrypt(associatedData: handshakeHash, plaintext: plaintext)
        mixHash(ciphertext)
        return ciphertext
    }

    /// `DecryptAndHash(ciphertext)`: decrypts with AD = `h`, then mixes the ciphertext into `h`.
    /// - Throws: `.messageTooShort` or `.decryptionFailed` naming `context`.
    public mutating func decryptAndHash(_ ciphertext: [UInt8], context: String) throws(NoiseError) -> [UInt8] {
        let plaintext = try cipher.decrypt(associatedData: handshakeHash, ciphertext: ciphertext, context: context)
        mixHash(ciphertext)
        return plaintext
    }

    /// `Split()`: the initiator-to-responder and responder-to-initiator transport cipher states.
    public func split() -> (initiatorToResponder: NoiseCipherState, responderToInitiator: NoiseCipherState) {
        let (first, second) = hkdf([])
        return (NoiseCipherState(key: SymmetricKey(data: first)), NoiseCipherState(key: SymmetricKey(data: second)))
    }

    private func hkdf(_ inputKeyMaterial: [UInt8]) -> ([UInt8], [UInt8]) {
        let output = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: inputKeyMaterial),
            salt: chainingKey,
            info: [UInt8](),
            outputByteCount: 2 * Self.hashByteCount
        )
        let bytes = output.withUnsafeBytes { Array($0) }
        return (Array(bytes[..<Self.hashByteCount]), Array(bytes[Self.hashByteCount...]))
    }
}
