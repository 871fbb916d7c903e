import Crypto
import Foundation

/// A private file's 256-bit encryption key. Its bytes never appear in `description`, logs or errors.
public struct FileKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key length in bytes.
    public static let byteCount = 32
    let bytes: [UInt8]

    /// Wraps existing key bytes (from a read-cap or the keyring).
    /// - Throws: `PrivateFileError.invalidKey` unless there are exactly 32 bytes.
    public init(bytes: [UInt8]) throws(PrivateFileError) {
        guard bytes.count == Self.byteCount else { throw .invalidKey(byteCount: bytes.count) }
        self.bytes = bytes
    }

    /// A fresh random key from `generator` (the system's CSPRNG unless a test injects one).
    public static func random(using generator: inout some RandomNumberGenerator) -> FileKey {
        FileKey(unchecked: (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// A fresh key from the system's CSPRNG.
    public static func random() -> FileKey {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The convergent key of a plaintext for one owner: `HMAC-SHA256(convergenceSecret, tag ‖ plaintext hash ‖
    /// parameters)`. The same owner adding the same bytes with the same parameters gets the same key (so the
    /// shares dedupe); without the owner's secret nobody can derive it, so nobody can confirm a guess of the
    /// content by encrypting candidates.
    /// - Parameters:
    ///   - plaintextHash: `HashTag.plaintext` over the file's bytes.
    ///   - parameters: an encoding of every choice that changes the ciphertext (format version, segment size,
    ///     padding); a different choice gives a different key, so one key never seals two different layouts.
    public static func convergent(plaintextHash: [UInt8], parameters: [UInt8], convergenceSecret: ConvergenceSecret) -> FileKey {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: convergenceSecret.bytes))
        mac.update(data: HashTag.convergentKey.hash([plaintextHash, parameters]))
        return FileKey(unchecked: Array(mac.finalize()))
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// The key as CryptoKit's type, for sealing.
    var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }

    /// The raw bytes, for a read-cap's encoding and the keyring only.
    public var rawBytes: [UInt8] { bytes }

    public var description: String { "FileKey(<redacted>)" }
    public var debugDescription: String { description }
}

/// The owner's convergence secret (kept in the keyring). Redacted in every description.
public struct ConvergenceSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    let bytes: [UInt8]

    /// Wraps stored secret bytes (32).
    /// - Throws: `PrivateFileError.invalidKey` unless there are exactly 32 bytes.
    public init(bytes: [UInt8]) throws(PrivateFileError) {
        guard bytes.count == FileKey.byteCount else { throw .invalidKey(byteCount: bytes.count) }
        self.bytes = bytes
    }

    /// A fresh random secret.
    public static func random() -> ConvergenceSecret {
        var generator = SystemRandomNumberGenerator()
        return ConvergenceSecret(unchecked: (0..<FileKey.byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public var description: String { "ConvergenceSecret(<redacted>)" }
    public var debugDescription: String { description }
}
