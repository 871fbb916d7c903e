import CairnCore
import Testing
@testable import CairnCrypto

@Suite("PublicKey and PeerID")
struct PublicKeyTests {
    @Test("the spec's Ed25519 vector gives the known peer ID and CID")
    func ed25519Vector() throws {
        let key = try PublicKey(protobufBytes: hex(PeerIDVectors.ed25519PublicKey))
        #expect(key.type == .ed25519)
        #expect(key.data.count == 32)
        #expect(key.protobufBytes == hex(PeerIDVectors.ed25519PublicKey))
        let peer = key.peerID
        #expect(peer.description == PeerIDVectors.ed25519PeerID)
        #expect(peer.multihash.function == .identity)
        #expect(peer.cid.description == PeerIDVectors.ed25519PeerCID)
        #expect(try PeerID(PeerIDVectors.ed25519PeerID) == peer)
        #expect(try PeerID(PeerIDVectors.ed25519PeerCID) == peer)
        #expect(try peer.embeddedPublicKey() == key)
        #expect(peer.matches(key))
    }

    @Test("RSA, ECDSA and secp256k1 spec keys round-trip and give the right peer IDs",
          arguments: [
            (PeerIDVectors.rsaPublicKey, KeyType.rsa, PeerIDVectors.rsaPeerID),
            (PeerIDVectors.ecdsaPublicKey, KeyType.ecdsa, PeerIDVectors.ecdsaPeerID),
            (PeerIDVectors.secp256k1PublicKey, KeyType.secp256k1, PeerIDVectors.secp256k1PeerID),
          ])
    func otherKeyVectors(encoded: String, type: KeyType, peerText: String) throws {
        let key = try PublicKey(protobufBytes: hex(encoded))
        #expect(key.type == type)
        #expect(key.protobufBytes == hex(encoded))
        #expect(key.peerID.description == peerText)
        let parsed = try PeerID(peerText)
        #expect(parsed == key.peerID)
        #expect(try PeerID(parsed.cid.description) == parsed)
        #expect(try PeerID(bytes: parsed.bytes) == parsed)
        if type == .secp256k1 {
            #expect(try parsed.embeddedPublicKey() == key)
        } else {
            #expect(try parsed.embeddedPublicKey() == nil)
        }
    }

    @Test("RSA keys always write Type = 0")
    func rsaTypeFieldWritten() throws {
        let key = try PublicKey(protobufBytes: hex(PeerIDVectors.rsaPublicKey))
        #expect(Array(key.protobufBytes.prefix(2)) == [0x08, 0x00])
    }

    @Test("RSA, ECDSA and Ed25519 signature vectors verify; altered ones do not")
    func signatureVectors() throws {
        let message = hex(PeerIDVectors.message)
        let cases = [
            (PeerIDVectors.rsaPublicKey, PeerIDVectors.rsaSignature),
            (PeerIDVectors.ecdsaPublicKey, PeerIDVectors.ecdsaSignature),
            (PeerIDVectors.ed25519PublicKey, PeerIDVectors.ed25519Signature),
        ]
        for (encodedKey, encodedSignature) in cases {
            let key = try PublicKey(protobufBytes: hex(encodedKey))
            var signature = hex(encodedSignature)
            #expect(try key.isValidSignature(signature, for: message))
            #expect(try !key.isValidSignature(signature, for: message + [0]))
            signature[signature.count / 2] ^= 0x01
            #expect(try !key.isValidSignature(signature, for: message))
            #expect(try !key.isValidSignature([], for: message))
            #expect(try !key.isValidSignature([UInt8](repeating: 7, count: 5000), for: message))
        }
    }

    @Test("secp256k1 verification is a clear unsupportedKeyType error")
    func secp256k1Unsupported() throws {
        let key = try PublicKey(protobufBytes: hex(PeerIDVectors.secp256k1PublicKey))
        #expect(throws: CryptoError.unsupportedKeyType(.secp256k1, operation: "signature verification")) {
            try key.isValidSignature([1, 2, 3], for: [4])
        }
    }

    @Test("every truncation of a valid key is rejected with a typed error")
    func truncations() {
        for vector in [PeerIDVectors.ed25519PublicKey, PeerIDVectors.rsaPublicKey, PeerIDVectors.ecdsaPublicKey] {
            let bytes = hex(vector)
            for length in 0..<bytes.count {
                #expect(throws: CryptoError.self) { try PublicKey(protobufBytes: Array(bytes.prefix(length))) }
            }
        }
    }

    @Test("malformed key protobufs are rejected",
          arguments: [
            ([0x08, 0x01], "missing Data"),
            ([0x12, 0x00], "missing Type"),
            ([0x08, 0x04, 0x12, 0x00], "unknown type"),
            ([0x08, 0x01, 0x12, 0x01, 0x00], "short Ed25519"),
            ([0x08, 0x01, 0x08, 0x01, 0x12, 0x00], "duplicate Type"),
            ([0x18, 0x01, 0x08, 0x01, 0x12, 0x00], "unknown field"),
            ([0x0d, 0, 0, 0, 0], "fixed32 wire type"),
            ([0x08, 0x81, 0x00, 0x12, 0x00], "non-minimal varint"),
            ([0x08, 0x00, 0x12, 0x03, 0x30, 0x01, 0x00], "garbage RSA DER"),
            ([0x08, 0x01, 0x12, 0xff, 0xff, 0xff, 0xff, 0x0f], "huge length"),
          ] as [([UInt8], String)])
    func malformed(bytes: [UInt8], label: String) {
        #expect(throws: CryptoError.self, "\(label)") { try PublicKey(protobufBytes: bytes) }
    }

    @Test("fields out of order are not canonical")
    func nonCanonical() {
        let key = hex(PeerIDVectors.ed25519PublicKey)
        let reordered = Array(key[2...]) + Array(key[0..<2])
        #expect(throws: CryptoError.nonCanonicalEncoding(context: "PublicKey")) { try PublicKey(protobufBytes: reordered) }
    }

    @Test("oversized keys are rejected before parsing")
    func oversized() {
        let bytes = [UInt8](repeating: 0, count: PublicKey.maximumProtobufByteCount + 1)
        #expect(throws: CryptoError.tooLarge(context: "public key protobuf", byteCount: bytes.count, limit: PublicKey.maximumProtobufByteCount)) {
            try PublicKey(protobufBytes: bytes)
        }
    }

    @Test("bad peer ID text is rejected",
          arguments: ["", "12D3KooW", "Qm", "QmaeANgBs1DTSxWSrPPtobgQuxW8XTfsS4ydbK4rCHzq0G",
                      "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
                      String(repeating: "1", count: 600)])
    func badPeerIDText(text: String) {
        #expect(throws: CryptoError.self) { try PeerID(text) }
    }

    @Test("decoding arbitrary short byte strings never traps")
    func arbitraryBytes() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = Int(state >> 58)
            var bytes: [UInt8] = []
            for index in 0..<length { bytes.append(UInt8(truncatingIfNeeded: state >> (index % 56))) }
            if length > 1 { bytes[0] = 0x08 }
            _ = try? PublicKey(protobufBytes: bytes)
            _ = try? PeerID(bytes: bytes)
            _ = try? PrivateKey(protobufBytes: bytes)
        }
    }
}
