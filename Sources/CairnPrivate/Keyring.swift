import Crypto
import Foundation
import _CryptoExtras

/// The owner's secrets: the convergence secret, a root key that wraps every per-file key, and the list of
/// files the owner added (manifest ID, name, wrapped key). Stored only sealed under a passphrase
/// (``SealedKeyring``); no key material appears in descriptions or errors.
public struct Keyring: Sendable, Equatable, CustomStringConvertible {
    /// One file the owner added.
    public struct Entry: Sendable, Equatable, Codable {
        /// The manifest's identity (its CID text).
        public var manifest: String
        /// A name for listings.
        public var name: String
        /// The file key sealed under the root key (AES-256-GCM: nonce ‖ ciphertext ‖ tag).
        public var wrappedKey: [UInt8]
        /// When it was added.
        public var added: Date
    }

    /// The secret that keys convergent encryption.
    public internal(set) var convergenceSecret: ConvergenceSecret
    /// The key wrapping every file key.
    var rootKey: FileKey
    /// The files added, oldest first.
    public private(set) var entries: [Entry]

    /// A new keyring with fresh random secrets.
    public static func generate() -> Keyring {
        Keyring(convergenceSecret: .random(), rootKey: .random(), entries: [])
    }

    init(convergenceSecret: ConvergenceSecret, rootKey: FileKey, entries: [Entry]) {
        self.convergenceSecret = convergenceSecret
        self.rootKey = rootKey
        self.entries = entries
    }

    /// Records `key` for `manifest`, wrapped under the root key (replacing an older entry for it).
    public mutating func add(_ key: FileKey, manifest: String, name: String, at time: Date) throws(KeyringError) {
        let wrapped = try Self.wrap(key, manifest: manifest, under: rootKey)
        entries.removeAll { $0.manifest == manifest }
        entries.append(Entry(manifest: manifest, name: name, wrappedKey: wrapped, added: time))
    }

    /// Forgets `manifest`; returns whether it was there.
    @discardableResult
    public mutating func remove(manifest: String) -> Bool {
        let before = entries.count
        entries.removeAll { $0.manifest == manifest }
        return entries.count != before
    }

    /// The file key recorded for `manifest`.
    /// - Throws: `.unknownFile`, or `.corrupt` when the wrapped key does not open under the root key.
    public func key(for manifest: String) throws(KeyringError) -> FileKey {
        guard let entry = entries.first(where: { $0.manifest == manifest }) else { throw .unknownFile(manifest) }
        return try Self.unwrap(entry.wrappedKey, manifest: manifest, under: rootKey)
    }

    /// Replaces the root key and re-wraps every file key under the new one; every file stays readable.
    public mutating func rotateRootKey() throws(KeyringError) {
        let newRoot = FileKey.random()
        var rewrapped: [Entry] = []
        for var entry in entries {
            let key = try Self.unwrap(entry.wrappedKey, manifest: entry.manifest, under: rootKey)
            entry.wrappedKey = try Self.wrap(key, manifest: entry.manifest, under: newRoot)
            rewrapped.append(entry)
        }
        rootKey = newRoot
        entries = rewrapped
    }

    public var description: String { "Keyring(\(entries.count) files, secrets <redacted>)" }

    static func wrap(_ key: FileKey, manifest: String, under root: FileKey) throws(KeyringError) -> [UInt8] {
        do {
            let box = try AES.GCM.seal(key.rawBytes, using: root.symmetricKey,
                                       authenticating: HashTag.keyWrap.hash([Array(manifest.utf8)]))
            guard let combined = box.combined else { throw KeyringError.corrupt("cannot encode a wrapped key") }
            return Array(combined)
        } catch let error as KeyringError {
            throw error
        } catch {
            throw .corrupt("cannot wrap a file key")
        }
    }

    static func unwrap(_ wrapped: [UInt8], manifest: String, under root: FileKey) throws(KeyringError) -> FileKey {
        do {
            let box = try AES.GCM.SealedBox(combined: wrapped)
            let bytes = try AES.GCM.open(box, using: root.symmetricKey, authenticating: HashTag.keyWrap.hash([Array(manifest.utf8)]))
            return try FileKey(bytes: Array(bytes))
        } catch {
            throw .corrupt("the key of \(manifest) does not open under the root key")
        }
    }
}

/// Why a keyring could not be used.
public enum KeyringError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The passphrase does not open the keyring (or the file was altered).
    case wrongPassphrase
    /// The bytes are not a sealed Cairn keyring of a known version; `reason` says what is wrong.
    case malformed(String)
    /// The keyring opened but its contents are inconsistent.
    case corrupt(String)
    /// No entry for that manifest.
    case unknownFile(String)
    /// The passphrase is empty.
    case emptyPassphrase

    /// A one-line explanation (never containing secrets).
    public var description: String {
        switch self {
        case .wrongPassphrase: "keyring: wrong passphrase, or the keyring file was modified"
        case .malformed(let reason): "keyring: not a Cairn keyring: \(reason)"
        case .corrupt(let reason): "keyring: \(reason)"
        case .unknownFile(let manifest): "keyring: no key recorded for \(manifest)"
        case .emptyPassphrase: "keyring: the passphrase is empty; set CAIRN_PASSPHRASE or type one"
        }
    }
}

/// A keyring sealed under a passphrase: `CAIRNKR1` ‖ scrypt log2(N), r, p (1 byte each) ‖ 16-byte salt ‖
/// AES-256-GCM (nonce ‖ ciphertext ‖ tag) of the JSON contents, with the header as associated data.
/// The same bytes are the export format.
public enum SealedKeyring {
    static let magic = Array("CAIRNKR1".utf8)
    static let headerByteCount = 8 + 3 + 16

    /// scrypt cost parameters: the default N = 2^15, r = 8, p = 1 takes 32 MiB and ~0.1 s per attempt.
    public struct Cost: Sendable, Equatable {
        /// log2 of scrypt's N.
        public var logN: UInt8
        /// scrypt's r.
        public var r: UInt8
        /// scrypt's p.
        public var p: UInt8
        /// The default cost.
        public static let standard = Cost(logN: 15, r: 8, p: 1)
        /// Creates a cost.
        public init(logN: UInt8, r: UInt8, p: UInt8) {
            self.logN = logN
            self.r = r
            self.p = p
        }
    }

    struct Contents: Codable {
        var convergenceSecret: [UInt8]
        var rootKey: [UInt8]
        var entries: [Keyring.Entry]
    }

    /// `keyring` sealed under `passphrase`.
    public static func seal(_ keyring: Keyring, passphrase: String, cost: Cost = .standard) throws(KeyringError) -> [UInt8] {
        guard !passphrase.isEmpty else { throw .emptyPassphrase }
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = UInt8.random(in: 0...255, using: &generator) }
        let header = magic + [cost.logN, cost.r, cost.p] + salt
        let key = try deriveKey(passphrase, salt: salt, cost: cost)
        let contents = Contents(convergenceSecret: keyring.convergenceSecret.bytes, rootKey: keyring.rootKey.rawBytes,
                                entries: keyring.entries)
        do {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let box = try AES.GCM.seal(try encoder.encode(contents), using: key, authenticating: header)
            guard let combined = box.combined else { throw KeyringError.corrupt("cannot encode the sealed keyring") }
            return header + Array(combined)
        } catch let error as KeyringError {
            throw error
        } catch {
            throw .corrupt("cannot seal the keyring")
        }
    }

    /// The keyring in `bytes`.
    /// - Throws: `.malformed` for a wrong magic, cost or length; `.wrongPassphrase` when it does not open.
    public static func open(_ bytes: [UInt8], passphrase: String) throws(KeyringError) -> Keyring {
        guard !passphrase.isEmpty else { throw .emptyPassphrase }
        guard bytes.count > headerByteCount + 28, Array(bytes.prefix(8)) == magic else {
            throw .malformed("missing the CAIRNKR1 header or too short")
        }
        let cost = Cost(logN: bytes[8], r: bytes[9], p: bytes[10])
        guard (10...22).contains(cost.logN), (1...32).contains(cost.r), (1...16).contains(cost.p) else {
            throw .malformed("unsupported scrypt cost N=2^\(cost.logN) r=\(cost.r) p=\(cost.p)")
        }
        let header = Array(bytes.prefix(headerByteCount))
        let key = try deriveKey(passphrase, salt: Array(header.suffix(16)), cost: cost)
        let plaintext: Data
        do {
            plaintext = try AES.GCM.open(try AES.GCM.SealedBox(combined: bytes.dropFirst(headerByteCount)), using: key,
                                         authenticating: header)
        } catch {
            throw .wrongPassphrase
        }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let contents = try decoder.decode(Contents.self, from: plaintext)
            return Keyring(convergenceSecret: try ConvergenceSecret(bytes: contents.convergenceSecret),
                           rootKey: try FileKey(bytes: contents.rootKey), entries: contents.entries)
        } catch {
            throw .corrupt("the keyring's contents do not parse")
        }
    }

    static func deriveKey(_ passphrase: String, salt: [UInt8], cost: Cost) throws(KeyringError) -> SymmetricKey {
        do {
            return try KDF.Scrypt.deriveKey(from: Array(passphrase.utf8), salt: salt, outputByteCount: 32,
                                            rounds: 1 << Int(cost.logN), blockSize: Int(cost.r), parallelism: Int(cost.p))
        } catch {
            throw .malformed("scrypt refused the cost parameters")
        }
    }
}
