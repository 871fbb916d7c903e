import Foundation
import Testing
@testable import CairnPrivate

/// The owner's keyring: wrapping, rotation, sealing under a passphrase, export → wipe → import.
@Suite("Keyring")
struct KeyringTests {
    /// Cheap scrypt for tests; the format and code path are the same as the default cost.
    static let cost = SealedKeyring.Cost(logN: 10, r: 8, p: 1)
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("file keys survive sealing, a wrong passphrase or any changed byte fails, rotation keeps files readable")
    func roundTrip() throws {
        var keyring = Keyring.generate()
        let keys = (0..<3).map { _ in FileKey.random() }
        for (index, key) in keys.enumerated() {
            try keyring.add(key, manifest: "bafymanifest\(index)", name: "file \(index)", at: Self.t0)
        }
        let sealed = try SealedKeyring.seal(keyring, passphrase: "correct horse", cost: Self.cost)
        let opened = try SealedKeyring.open(sealed, passphrase: "correct horse")
        #expect(opened == keyring)
        for (index, key) in keys.enumerated() { #expect(try opened.key(for: "bafymanifest\(index)") == key) }

        #expect(throws: KeyringError.wrongPassphrase) { try SealedKeyring.open(sealed, passphrase: "wrong horse") }
        for offset in [0, 9, 12, SealedKeyring.headerByteCount + 3, sealed.count - 1] {
            var damaged = sealed
            damaged[offset] ^= 0x01
            #expect(throws: KeyringError.self) { try SealedKeyring.open(damaged, passphrase: "correct horse") }
        }
        #expect(throws: KeyringError.self) { try SealedKeyring.open(Array(sealed.prefix(40)), passphrase: "correct horse") }
        #expect(throws: KeyringError.emptyPassphrase) { try SealedKeyring.seal(keyring, passphrase: "", cost: Self.cost) }

        var rotated = opened
        try rotated.rotateRootKey()
        #expect(rotated.rootKey != opened.rootKey)
        #expect(rotated.entries.map(\.wrappedKey) != opened.entries.map(\.wrappedKey))
        for (index, key) in keys.enumerated() { #expect(try rotated.key(for: "bafymanifest\(index)") == key) }
        #expect(throws: KeyringError.unknownFile("bafynope")) { try rotated.key(for: "bafynope") }
    }

    @Test("export → wipe → import gives the same secrets and keys")
    func exportWipeImport() throws {
        var keyring = Keyring.generate()
        let key = FileKey.random()
        try keyring.add(key, manifest: "bafyexported", name: "report.pdf", at: Self.t0)
        let exported = try SealedKeyring.seal(keyring, passphrase: "backup passphrase", cost: Self.cost)
        keyring = Keyring.generate()  // the wipe
        let imported = try SealedKeyring.open(exported, passphrase: "backup passphrase")
        #expect(try imported.key(for: "bafyexported") == key)
        #expect(imported.entries.first?.name == "report.pdf")
        #expect(imported.convergenceSecret != keyring.convergenceSecret)
    }

    @Test("a wrapped key moved to another manifest does not open; descriptions hold no secrets")
    func bindingAndRedaction() throws {
        var keyring = Keyring.generate()
        try keyring.add(FileKey.random(), manifest: "bafyone", name: "one", at: Self.t0)
        let wrapped = keyring.entries[0].wrappedKey
        #expect(throws: KeyringError.self) { _ = try Keyring.unwrap(wrapped, manifest: "bafytwo", under: keyring.rootKey) }
        #expect("\(keyring)" == "Keyring(1 files, secrets <redacted>)")
        let removedOnce = keyring.remove(manifest: "bafyone")
        let removedTwice = keyring.remove(manifest: "bafyone")
        #expect(removedOnce && !removedTwice)
    }
}
