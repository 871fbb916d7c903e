import CairnCore
import CairnTestSupport
import Testing

@testable import CairnDHT

/// `/pk/` record validation: the key suffix must be the peer ID of the public key in the value.
@Suite struct RecordValidatorTests {
    /// The Ed25519 public key vector of libp2p/specs `peer-ids/peer-ids.md`.
    static let ed25519PublicKey = DHTTestPeers.hex("""
        08 01        # Type = Ed25519
        12 20        # Data, 32 bytes:
        1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e
        """)
    static let pk = Array("/pk/".utf8)

    @Test func ed25519PeerIDIsTheIdentityMultihash() throws {
        let peerID = try RecordValidator.peerIDBytes(fromPublicKey: Self.ed25519PublicKey)
        #expect(peerID == [0x00, 0x24] + Self.ed25519PublicKey)
        try RecordValidator.validate(DHTRecord(key: Self.pk + peerID, value: Self.ed25519PublicKey))
    }

    /// Long keys (RSA) are named by the sha2-256 multihash of the encoding; RSA's Type 0 is still written.
    @Test func rsaPeerIDIsSHA256() throws {
        var rng = SeededRandom(seed: 3)
        let data = rng.bytes(294)
        let value: [UInt8] = [0x08, 0x00, 0x12, 0xa6, 0x02] + data
        let peerID = try RecordValidator.peerIDBytes(fromPublicKey: value)
        #expect(peerID == Multihash.sha256(value).bytes)
        try RecordValidator.validatePublicKeyRecord(key: Self.pk + peerID, value: value)
        // The same key without the (default) Type field hashes the canonical form, so it matches too.
        #expect(try RecordValidator.peerIDBytes(fromPublicKey: [0x12, 0xa6, 0x02] + data + [0x08, 0x00]) == peerID)
    }

    @Test func rejections() throws {
        let peerID = try RecordValidator.peerIDBytes(fromPublicKey: Self.ed25519PublicKey)
        var otherKey = Self.ed25519PublicKey
        otherKey[10] ^= 1
        #expect(throws: DHTError.publicKeyDoesNotMatchPeerID) {
            try RecordValidator.validatePublicKeyRecord(key: Self.pk + peerID, value: otherKey)
        }
        #expect(throws: DHTError.publicKeyDoesNotMatchPeerID) {
            try RecordValidator.validatePublicKeyRecord(key: Self.pk + peerID.dropLast(), value: Self.ed25519PublicKey)
        }
        #expect(throws: DHTError.unsupportedRecordNamespace("/foo/bar")) {
            try RecordValidator.validate(DHTRecord(key: Array("/foo/bar".utf8), value: Self.ed25519PublicKey))
        }
        #expect(throws: DHTError.unsupportedRecordNamespace("/ipns/")) {
            try RecordValidator.validate(DHTRecord(key: Array("/ipns/".utf8) + peerID, value: []))
        }
        let malformed: [[UInt8]] = [
            [],  // no fields
            [0x08, 0x01],  // no Data
            [0x12, 0x02, 0x01, 0x02],  // no Type (and too short for Ed25519 anyway)
            [0x08, 0x01, 0x12, 0x02, 0x01, 0x02],  // Ed25519 key of 2 bytes
            [0x08, 0x02, 0x12, 0x02, 0x01, 0x02],  // secp256k1 key of 2 bytes
            [0x08, 0x07, 0x12, 0x01, 0x01],  // unknown key type
            [0x08, 0x01, 0x12, 0x20, 0x01],  // truncated
            [0x0a, 0x01, 0x01],  // Type with the wrong wire type
        ]
        for value in malformed {
            #expect(throws: DHTError.self) { try RecordValidator.validatePublicKeyRecord(key: Self.pk + peerID, value: value) }
        }
        #expect(throws: DHTError.tooLarge(context: "public key", byteCount: 8193, limit: 8192)) {
            try RecordValidator.peerIDBytes(fromPublicKey: [UInt8](repeating: 0, count: 8193))
        }
    }

    /// Arbitrary bytes never trap the public-key parser.
    @Test func arbitraryBytesNeverTrap() {
        var rng = SeededRandom(seed: 12)
        for _ in 0..<2000 {
            var bytes = rng.bytes(Int.random(in: 0..<48, using: &rng))
            if !bytes.isEmpty && Bool.random(using: &rng) { bytes[0] = 0x08 }
            _ = try? RecordValidator.peerIDBytes(fromPublicKey: bytes)
        }
    }

    /// Every truncation of a valid key is rejected without trapping.
    @Test func truncationsNeverTrap() {
        for cut in 0..<Self.ed25519PublicKey.count {
            #expect(throws: DHTError.self) { try RecordValidator.peerIDBytes(fromPublicKey: Array(Self.ed25519PublicKey[..<cut])) }
        }
    }
}
