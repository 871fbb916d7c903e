import CairnPrivate
import CairnStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Repository {
    /// The sealed keyring file (`<repo>/keyring`, mode 0600).
    public var keyringPath: String { (path as NSString).appendingPathComponent("keyring") }

    /// Whether this repository has a keyring yet (the first `add --private` creates one).
    public var hasKeyring: Bool { FileManager.default.fileExists(atPath: keyringPath) }

    /// The keyring, opened with `passphrase`.
    /// - Throws: `NodeError(.notFound)` when there is none, `.accessDenied` for a wrong passphrase.
    public func openKeyring(passphrase: String) throws -> Keyring {
        guard let sealed = FileManager.default.contents(atPath: keyringPath) else {
            throw NodeError(.notFound, "this repository has no keyring yet; `cairn add --private FILE` or `cairn key import FILE` creates one")
        }
        do {
            return try SealedKeyring.open(Array(sealed), passphrase: passphrase)
        } catch {
            throw NodeError.wrapping(error, context: "keyring \(keyringPath)")
        }
    }

    /// The sealed keyring bytes, after checking that `passphrase` opens them (the backup format).
    public func exportKeyring(passphrase: String) throws -> [UInt8] {
        _ = try openKeyring(passphrase: passphrase)
        guard let sealed = FileManager.default.contents(atPath: keyringPath) else {
            throw NodeError(.notFound, "the keyring disappeared while it was exported")
        }
        return Array(sealed)
    }

    /// Installs a keyring exported with `key export`, after checking `passphrase` opens it.
    /// - Parameter replace: required when this repository already has a keyring (it is overwritten).
    /// - Returns: the number of files the imported keyring knows.
    public func importKeyring(_ sealed: [UInt8], passphrase: String, replace: Bool) throws -> Int {
        let keyring: Keyring
        do {
            keyring = try SealedKeyring.open(sealed, passphrase: passphrase)
        } catch {
            throw NodeError.wrapping(error, context: "key import")
        }
        return try withKeyringLock {
            if hasKeyring && !replace {
                throw NodeError(.invalidInput, "this repository already has a keyring; export it first, then import with --force to replace it")
            }
            try writeDurably(Data(sealed), to: keyringPath, mode: 0o600)
            return keyring.entries.count
        }
    }

    /// Opens the keyring (creating an empty one when `create` and none exists), lets `body` change it,
    /// and stores it sealed under `newPassphrase ?? passphrase` — all under an exclusive lock, so two
    /// processes never lose each other's changes.
    public func updateKeyring<T>(passphrase: String, create: Bool, newPassphrase: String? = nil,
                                 _ body: (inout Keyring) throws -> T) throws -> T {
        try withKeyringLock {
            var keyring: Keyring
            if !hasKeyring && create {
                guard !passphrase.isEmpty else { throw NodeError.wrapping(KeyringError.emptyPassphrase, context: "keyring") }
                keyring = Keyring.generate()
            } else {
                keyring = try openKeyring(passphrase: passphrase)
            }
            let result = try body(&keyring)
            do {
                let sealed = try SealedKeyring.seal(keyring, passphrase: newPassphrase ?? passphrase)
                try writeDurably(Data(sealed), to: keyringPath, mode: 0o600)
            } catch {
                throw NodeError.wrapping(error, context: "keyring \(keyringPath)")
            }
            return result
        }
    }

    private func withKeyringLock<T>(_ body: () throws -> T) throws -> T {
        let lock = try mapErrors { try RepoLock(path: keyringPath + ".lock") }
        try mapErrors { try lock.lockExclusive() }
        defer { lock.unlock() }
        return try body()
    }
}
