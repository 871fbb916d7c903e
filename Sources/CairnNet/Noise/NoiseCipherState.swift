import Crypto

/// A Noise `CipherState`: a ChaCha20-Poly1305 key and a 64-bit message counter.
///
/// The 96-bit ChaChaPoly nonce is 4 zero bytes followed by the counter in little-endian order
/// (Noise spec section 12.3). Without a key (early in a handshake) encryption is the identity.
/// Counter value 2^64 − 1 is reserved, so after 2^64 − 1 messages every call throws
/// ``NoiseError/nonceExhausted``.
public struct NoiseCipherState: Sendable {
    /// The Poly1305 tag length in bytes.
    public static let tagByteCount = 16
    /// The key length in bytes.
    public static let keyByteCount = 32

    private var key: SymmetricKey?
    /// The counter used for the next message.
    public private(set) var nonce: UInt64

    /// Creates a cipher state with `key` (or none) and a starting counter (0 unless testing exhaustion).
    init(key: SymmetricKey?, nonce: UInt64 = 0) {
        self.key = key
        self.nonce = nonce
    }

    /// Whether a key is set (before the first `MixKey` of a handshake there is none).
    public var hasKey: Bool { key != nil }

    /// Encrypts `plaintext` with `associatedData`, returning ciphertext ‖ 16-byte tag.
    /// - Throws: `.nonceExhausted` after 2^64 − 1 messages.
    public mutating func encrypt(associatedData: [UInt8], plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return plaintext }
        guard nonce != UInt64.max else { throw .nonceExhausted }
        let sealed: ChaChaPoly.SealedBox
        do {
            sealed = try ChaChaPoly.seal(plaintext, using: key, nonce: try currentNonce(), authenticating: associatedData)
        } catch {
            throw .decryptionFailed(context: "encryption (ChaChaPoly refused its input)")
        }
        nonce += 1
        return Array(sealed.ciphertext) + Array(sealed.tag)
    }

    /// Decrypts ciphertext ‖ tag with `associatedData`; the counter advances only on success.
    /// - Throws: `.messageTooShort` under 16 bytes, `.decryptionFailed` when authentication
    ///   fails, `.nonceExhausted` after 2^64 − 1 messages.
    public mutating func decrypt(associatedData: [UInt8], ciphertext: [UInt8], context: String) throws(NoiseError) -> [UInt8] {
        guard let key else { return ciphertext }
        guard nonce != UInt64.max else { throw .nonceExhausted }
        guard ciphertext.count >= Self.tagByteCount else {
            throw .messageTooShort(context: context, byteCount: ciphertext.count, minimum: Self.tagByteCount)
        }
        let split = ciphertext.count - Self.tagByteCount
        let plaintext: [UInt8]
        do {
            let box = try ChaChaPoly.SealedBox(nonce: try currentNonce(), ciphertext: ciphertext[..<split], tag: ciphertext[split...])
            plaintext = Array(try ChaChaPoly.open(box, using: key, authenticating: associatedData))
        } catch {
            throw .decryptionFailed(context: context)
        }
        nonce += 1
        return plaintext
    }

    private func currentNonce() throws -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 4)
        withUnsafeBytes(of: nonce.littleEndian) { bytes.append(contentsOf: $0) }
        return try ChaChaPoly.Nonce(data: bytes)
    }
}
