import CairnCore
import CairnTestSupport
import Foundation
import Testing
@testable import CairnCrypto

@Suite("KeyFile")
struct KeyFileTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-keyfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("save writes mode 0600 and load restores the key")
    func roundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("identity.key").path
        let key = PrivateKey.generateEd25519()
        try KeyFile.save(key, to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try KeyFile.load(from: path).protobufBytes == key.protobufBytes)
        let other = PrivateKey.generateEd25519()
        try KeyFile.save(other, to: path)
        #expect(try KeyFile.load(from: path).peerID == other.peerID)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["identity.key"])
    }

    @Test("a key file readable by group or others is refused", arguments: [0o640, 0o604, 0o644, 0o660])
    func insecurePermissions(mode: Int) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("identity.key").path
        try KeyFile.save(PrivateKey.generateEd25519(), to: path)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        #expect(throws: CryptoError.insecureKeyFilePermissions(path: path, mode: UInt32(mode))) {
            try KeyFile.load(from: path)
        }
    }

    @Test("a missing file and a corrupt file are typed errors")
    func missingAndCorrupt() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("identity.key").path
        #expect(throws: CryptoError.self) { try KeyFile.load(from: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data([0x08, 0x01, 0x12]), attributes: [.posixPermissions: 0o600])
        #expect(throws: CryptoError.self) { try KeyFile.load(from: path) }
    }
}
