import CairnCore
import Testing
@testable import CairnCrypto

@Suite("PrivateKey")
struct PrivateKeyTests {
    @Test("the spec's Ed25519 private key decodes, matches its public key and re-encodes")
    func specPrivateKey() throws {
        let key = try PrivateKey(protobufBytes: hex(PeerIDVectors.ed25519PrivateKey))
        #expect(key.protobufBytes == hex(PeerIDVectors.ed25519PrivateKey))
        #expect(key.publicKey.protobufBytes == hex(PeerIDVectors.ed25519PublicKey))
        #expect(key.peerID.description == PeerIDVectors.ed25519PeerID)
        #expect(try key.sign(hex(PeerIDVectors.message)) == hex(PeerIDVectors.ed25519Signature))
    }

    @Test("a seed gives the same key as the protobuf form")
    func seed() throws {
        let seed = Array(hex(PeerIDVectors.ed25519PrivateKey)[4..<36])
        let key = try PrivateKey(ed25519Seed: seed)
        #expect(key.protobufBytes == hex(PeerIDVectors.ed25519PrivateKey))
        #expect(throws: CryptoError.invalidKeyLength(.ed25519, byteCount: 31, expected: 32)) {
            try PrivateKey(ed25519Seed: Array(seed.prefix(31)))
        }
    }

    @Test("generated keys sign and verify; other keys and other messages fail")
    func signVerify() throws {
        let alice = PrivateKey.generateEd25519()
        let bob = PrivateKey.generateEd25519()
        #expect(alice.peerID != bob.peerID)
        #expect(alice.peerID.description.hasPrefix("12D3KooW"))
        let message: [UInt8] = Array("hello cairn".utf8)
        let signature = try alice.sign(message)
        #expect(signature.count == 64)
        #expect(try alice.publicKey.isValidSignature(signature, for: message))
        #expect(try !bob.publicKey.isValidSignature(signature, for: message))
        #expect(try !alice.publicKey.isValidSignature(signature, for: message + [1]))
        let restored = try PrivateKey(protobufBytes: alice.protobufBytes)
        #expect(restored.peerID == alice.peerID)
    }

    @Test("description and errors never show key material")
    func redaction() throws {
        let key = try PrivateKey(protobufBytes: hex(PeerIDVectors.ed25519PrivateKey))
        let seedHex = String(PeerIDVectors.ed25519PrivateKey.dropFirst(8).prefix(64))
        #expect(!key.description.contains(seedHex))
        #expect(!String(describing: key).lowercased().contains(seedHex))
        #expect(!"\(key)".contains("7e0830617c"))
        #expect(key.description.contains("redacted"))
    }

    @Test("a private key whose public half does not match the seed is rejected")
    func mismatchedHalves() {
        var bytes = hex(PeerIDVectors.ed25519PrivateKey)
        bytes[bytes.count - 1] ^= 1
        #expect(throws: CryptoError.invalidKey(.ed25519, reason: "the public half does not match the seed")) {
            try PrivateKey(protobufBytes: bytes)
        }
    }

    @Test("RSA private keys are an unsupported type, truncated keys are rejected")
    func unsupportedAndTruncated() {
        #expect(throws: CryptoError.unsupportedKeyType(.rsa, operation: "private keys")) {
            try PrivateKey(protobufBytes: [0x08, 0x00, 0x12, 0x01, 0x00])
        }
        let bytes = hex(PeerIDVectors.ed25519PrivateKey)
        for length in 0..<bytes.count {
            #expect(throws: CryptoError.self) { try PrivateKey(protobufBytes: Array(bytes.prefix(length))) }
        }
    }
}
