import CairnTestSupport
import CairnCore
import CairnCrypto
import Testing
@testable import CairnNet

@Suite("libp2p Noise handshake")
struct NoiseHandshakeStateMachineTests {
    /// Removes the 2-byte length prefix of a single frame, checking it.
    private func body(_ frame: [UInt8]) throws -> [UInt8] {
        var decoder = NoiseFrameDecoder()
        try decoder.append(frame)
        let next = decoder.nextFrame()
        let body = try #require(next)
        #expect(decoder.bufferedByteCount == 0)
        return body
    }

    private struct Outcome {
        var initiator: NoiseSession
        var responder: NoiseSession
        var frames: [[UInt8]]
    }

    private func handshake(seed: UInt64, initiatorKey: PrivateKey, responderKey: PrivateKey, expected: PeerID? = nil) throws -> Outcome {
        var initiatorRandom = SeededRandom(seed: seed)
        var responderRandom = SeededRandom(seed: seed &+ 1)
        var initiator = NoiseHandshakeStateMachine(role: .initiator, identity: initiatorKey, expectedRemotePeerID: expected, using: &initiatorRandom)
        var responder = NoiseHandshakeStateMachine(role: .responder, identity: responderKey, using: &responderRandom)
        #expect(try responder.start() == nil)
        let firstFrame = try initiator.start()
        let first = try #require(firstFrame)
        guard case .send(let second) = try responder.receive(frameBody: try body(first)) else {
            Issue.record("responder did not answer message 1"); throw NoiseError.unexpectedMessage(state: "test")
        }
        guard case .sendAndComplete(let third, let initiatorSession) = try initiator.receive(frameBody: try body(second)) else {
            Issue.record("initiator did not complete"); throw NoiseError.unexpectedMessage(state: "test")
        }
        guard case .complete(let responderSession) = try responder.receive(frameBody: try body(third)) else {
            Issue.record("responder did not complete"); throw NoiseError.unexpectedMessage(state: "test")
        }
        #expect(initiator.isComplete && responder.isComplete)
        return Outcome(initiator: initiatorSession, responder: responderSession, frames: [first, second, third])
    }

    @Test("a full handshake authenticates both peers and carries data both ways")
    func fullHandshake() throws {
        let alice = try PrivateKey(ed25519Seed: [UInt8](repeating: 1, count: 32))
        let bob = try PrivateKey(ed25519Seed: [UInt8](repeating: 2, count: 32))
        var outcome = try handshake(seed: 42, initiatorKey: alice, responderKey: bob, expected: bob.peerID)
        #expect(outcome.frames[0].count == 34, "kubo's message 1 is exactly 32 bytes plus the length prefix")
        #expect(outcome.initiator.remotePeerID == bob.peerID)
        #expect(outcome.responder.remotePeerID == alice.peerID)
        #expect(outcome.initiator.remoteExtensions == nil)
        #expect(outcome.initiator.handshakeHash == outcome.responder.handshakeHash)

        let hello = Array("hello from the dialer".utf8)
        let wire = try outcome.initiator.encrypt(hello)
        #expect(wire.count == 2 + hello.count + 16)
        #expect(try outcome.responder.decrypt(frameBody: try body(wire)) == hello)
        let reply = Array("hello from the listener".utf8)
        #expect(try outcome.initiator.decrypt(frameBody: try body(try outcome.responder.encrypt(reply))) == reply)
        #expect(try outcome.initiator.encrypt([]).isEmpty)
    }

    @Test("the same seeds give the same transcript")
    func deterministic() throws {
        let alice = try PrivateKey(ed25519Seed: [UInt8](repeating: 1, count: 32))
        let bob = try PrivateKey(ed25519Seed: [UInt8](repeating: 2, count: 32))
        let one = try handshake(seed: 7, initiatorKey: alice, responderKey: bob)
        let two = try handshake(seed: 7, initiatorKey: alice, responderKey: bob)
        let three = try handshake(seed: 8, initiatorKey: alice, responderKey: bob)
        #expect(one.frames == two.frames)
        #expect(one.frames != three.frames)
    }

    @Test("large writes split into 65,519-byte frames and survive drip-fed arbitrary chunking")
    func largeTransfer() throws {
        var outcome = try handshake(seed: 1, initiatorKey: .generateEd25519(), responderKey: .generateEd25519())
        var random = SeededRandom(seed: 99)
        let plaintext = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let wire = try outcome.initiator.encrypt(plaintext)
        #expect(wire.count == plaintext.count + 4 * (2 + 16))
        var decoder = NoiseFrameDecoder()
        var received: [UInt8] = []
        var offset = 0
        while offset < wire.count {
            let chunk = offset < 100 ? 1 : Int.random(in: 1...9000, using: &random)
            let end = min(offset + chunk, wire.count)
            try decoder.append(wire[offset..<end])
            while let frame = decoder.nextFrame() {
                #expect(frame.count <= NoiseFrame.maximumBodyByteCount)
                received += try outcome.responder.decrypt(frameBody: frame)
            }
            offset = end
        }
        #expect(received == plaintext)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test("a responder that is not the expected peer is rejected")
    func wrongExpectedPeer() throws {
        let stranger = PrivateKey.generateEd25519()
        let expected = PrivateKey.generateEd25519().peerID
        #expect(throws: NoiseError.peerIDMismatch(expected: expected, actual: stranger.peerID)) {
            _ = try handshake(seed: 3, initiatorKey: .generateEd25519(), responderKey: stranger, expected: expected)
        }
    }

    /// Drives an initiator state machine against a hand-built responder that sends `payload`.
    private func initiatorReceiving(payload: [UInt8], responderStatic: [UInt8] = [UInt8](repeating: 5, count: 32),
                                    expected: PeerID? = nil) throws -> NoiseHandshakeAction {
        var random = SeededRandom(seed: 11)
        var initiator = NoiseHandshakeStateMachine(role: .initiator, identity: .generateEd25519(), expectedRemotePeerID: expected, using: &random)
        var responder = try NoiseHandshakeState(role: .responder, prologue: [], staticPrivateKey: responderStatic,
                                                ephemeralPrivateKey: [UInt8](repeating: 6, count: 32))
        let firstFrame = try initiator.start()
        let first = try #require(firstFrame)
        _ = try responder.readMessage(try body(first))
        return try initiator.receive(frameBody: try responder.writeMessage(payload: payload))
    }

    @Test("an RSA identity (kubo's default) with a valid signature is accepted")
    func rsaIdentity() throws {
        let payload = NoiseHandshakePayload(identityKey: noiseHex(NoiseRSAIdentityVector.identityKey),
                                            identitySignature: noiseHex(NoiseRSAIdentityVector.signature),
                                            extensions: NoiseExtensions(streamMuxers: ["/yamux/1.0.0", "/mplex/6.7.0"]))
        let expected = try PeerID(NoiseRSAIdentityVector.peerID)
        let action = try initiatorReceiving(payload: payload.protobufBytes, responderStatic: noiseHex(NoiseRSAIdentityVector.staticPrivateKey),
                                            expected: expected)
        guard case .sendAndComplete(_, let session) = action else { Issue.record("expected completion"); return }
        #expect(session.remotePeerID == expected)
        #expect(session.remotePublicKey.type == .rsa)
        #expect(session.remoteExtensions?.streamMuxers == ["/yamux/1.0.0", "/mplex/6.7.0"])
    }

    @Test("a signature over another static key is rejected")
    func badSignature() throws {
        let identity = PrivateKey.generateEd25519()
        let signature = try identity.sign(NoiseHandshakeStateMachine.staticKeySignaturePrefix + [UInt8](repeating: 0x42, count: 32))
        let payload = NoiseHandshakePayload(identityKey: identity.publicKey.protobufBytes, identitySignature: signature)
        #expect(throws: NoiseError.invalidIdentitySignature(peer: identity.peerID)) {
            try initiatorReceiving(payload: payload.protobufBytes)
        }
        let rsa = NoiseHandshakePayload(identityKey: noiseHex(NoiseRSAIdentityVector.identityKey), identitySignature: noiseHex(NoiseRSAIdentityVector.signature))
        #expect(throws: NoiseError.invalidIdentitySignature(peer: try PeerID(NoiseRSAIdentityVector.peerID))) {
            try initiatorReceiving(payload: rsa.protobufBytes)
        }
    }

    @Test("malformed payloads and identity keys are typed errors",
          arguments: [[], [0x0a, 0x00], [0x12, 0x00], [0x0a, 0x05, 1], [0x0a, 0x00, 0x12, 0x00], [0x08, 0x01],
                      [0x0a, 0x02, 0x08, 0x02, 0x12, 0x01, 0x00]] as [[UInt8]])
    func malformedPayload(payload: [UInt8]) {
        #expect(throws: NoiseError.self) { try initiatorReceiving(payload: payload) }
    }

    @Test("a secp256k1 identity is a typed unsupported-key error")
    func secp256k1Identity() throws {
        let key: [UInt8] = noiseHex("08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99")
        let payload = NoiseHandshakePayload(identityKey: key, identitySignature: [1, 2, 3])
        #expect(throws: NoiseError.invalidIdentityKey(.unsupportedKeyType(.secp256k1, operation: "signature verification"))) {
            try initiatorReceiving(payload: payload.protobufBytes)
        }
    }

    @Test("tampering with any handshake message fails, and the machine stays failed")
    func tamperedHandshake() throws {
        let alice = PrivateKey.generateEd25519()
        let bob = PrivateKey.generateEd25519()
        var initiatorRandom = SeededRandom(seed: 5)
        var responderRandom = SeededRandom(seed: 6)
        var initiator = NoiseHandshakeStateMachine(role: .initiator, identity: alice, using: &initiatorRandom)
        var responder = NoiseHandshakeStateMachine(role: .responder, identity: bob, using: &responderRandom)
        let firstFrame = try initiator.start()
        let first = try #require(firstFrame)
        guard case .send(let second) = try responder.receive(frameBody: try body(first)) else { Issue.record("no message 2"); return }
        var tampered = try body(second)
        tampered[40] ^= 0x01
        #expect(throws: NoiseError.self) { try initiator.receive(frameBody: tampered) }
        #expect(throws: NoiseError.self) { try initiator.receive(frameBody: try body(second)) }
        #expect(!initiator.isComplete)
    }

    @Test("truncated handshake messages are typed errors, never a crash")
    func truncatedHandshake() throws {
        let bob = PrivateKey.generateEd25519()
        var initiatorRandom = SeededRandom(seed: 9)
        var initiator = NoiseHandshakeStateMachine(role: .initiator, identity: .generateEd25519(), using: &initiatorRandom)
        let firstFrame = try initiator.start()
        let first = try body(try #require(firstFrame))
        for length in 0..<first.count {
            var responder = NoiseHandshakeStateMachine(role: .responder, identity: bob)
            #expect(throws: NoiseError.self) { try responder.receive(frameBody: Array(first.prefix(length))) }
        }
        var responder = NoiseHandshakeStateMachine(role: .responder, identity: bob)
        guard case .send(let second) = try responder.receive(frameBody: first) else { Issue.record("no message 2"); return }
        let secondBody = try body(second)
        for length in stride(from: 0, to: secondBody.count, by: 7) {
            var copy = initiator
            #expect(throws: NoiseError.self) { try copy.receive(frameBody: Array(secondBody.prefix(length))) }
        }
    }

    @Test("messages out of order are typed errors")
    func outOfOrder() throws {
        var initiator = NoiseHandshakeStateMachine(role: .initiator, identity: .generateEd25519())
        #expect(throws: NoiseError.self) { try initiator.receive(frameBody: [UInt8](repeating: 1, count: 32)) }
        _ = try initiator.start()
        #expect(throws: NoiseError.self) { try initiator.start() }
    }

    @Test("transport frames that are tampered, replayed or short are rejected")
    func transportErrors() throws {
        var outcome = try handshake(seed: 21, initiatorKey: .generateEd25519(), responderKey: .generateEd25519())
        let frame = try body(try outcome.initiator.encrypt([1, 2, 3]))
        var tampered = frame
        tampered[0] ^= 1
        var receiver = outcome.responder
        #expect(throws: NoiseError.decryptionFailed(context: "Noise transport frame")) { try receiver.decrypt(frameBody: tampered) }
        #expect(throws: NoiseError.messageTooShort(context: "Noise transport frame", byteCount: 15, minimum: 16)) {
            try receiver.decrypt(frameBody: Array(frame.prefix(15)))
        }
        #expect(try receiver.decrypt(frameBody: frame) == [1, 2, 3])
        #expect(throws: NoiseError.decryptionFailed(context: "Noise transport frame")) { try receiver.decrypt(frameBody: frame) }
    }
}

@Suite("Noise frames")
struct NoiseFrameTests {
    @Test("frames over 65,535 bytes cannot be encoded")
    func oversized() throws {
        #expect(try NoiseFrame.encode([UInt8](repeating: 0, count: 65535)).count == 65537)
        #expect(throws: NoiseError.frameTooLarge(byteCount: 65536, limit: 65535)) { try NoiseFrame.encode([UInt8](repeating: 0, count: 65536)) }
    }

    @Test("the decoder waits for whole frames fed one byte at a time")
    func dripFed() throws {
        let frames: [[UInt8]] = [[], [1], Array(0..<200), [UInt8](repeating: 9, count: 70000 - 4466)]
        var wire: [UInt8] = []
        for frame in frames { wire += try NoiseFrame.encode(frame) }
        var decoder = NoiseFrameDecoder()
        var decoded: [[UInt8]] = []
        for byte in wire {
            try decoder.append([byte])
            while let frame = decoder.nextFrame() { decoded.append(frame) }
        }
        #expect(decoded == frames)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test("a truncated frame yields nothing")
    func truncated() throws {
        var decoder = NoiseFrameDecoder()
        try decoder.append(Array(try NoiseFrame.encode([1, 2, 3]).prefix(4)))
        #expect(decoder.nextFrame() == nil)
        #expect(decoder.bufferedByteCount == 4)
        try decoder.append([0xff])
        #expect(decoder.nextFrame() == [1, 2, 0xff])
        try decoder.append([0x01])
        #expect(decoder.nextFrame() == nil)
        #expect(decoder.bufferedByteCount == 1)
    }

    @Test("buffering past the limit is a typed error")
    func bufferLimit() throws {
        var decoder = NoiseFrameDecoder(maximumBufferedByteCount: 65537)
        try decoder.append([0xff, 0xff])
        try decoder.append([UInt8](repeating: 0, count: 65535))
        #expect(throws: NoiseError.bufferLimitExceeded(byteCount: 65538, limit: 65537)) { try decoder.append([0]) }
        #expect(decoder.nextFrame()?.count == 65535)
        try decoder.append([0])
    }

    @Test("payload protobufs round-trip and skip unknown fields")
    func payloadRoundTrip() throws {
        let payload = NoiseHandshakePayload(identityKey: [1, 2], identitySignature: [3],
                                            extensions: NoiseExtensions(webtransportCertificateHashes: [[7]], streamMuxers: ["/yamux/1.0.0"]))
        #expect(try NoiseHandshakePayload(protobufBytes: payload.protobufBytes) == payload)
        let withUnknown = payload.protobufBytes + [0x1a, 0x01, 0x00, 0x28, 0x05]
        #expect(try NoiseHandshakePayload(protobufBytes: withUnknown) == payload)
        #expect(NoiseHandshakePayload(identityKey: [1], identitySignature: [2]).protobufBytes == [0x0a, 0x01, 1, 0x12, 0x01, 2])
        #expect(throws: NoiseError.malformedPayload(reason: "duplicate identity_key")) {
            try NoiseHandshakePayload(protobufBytes: [0x0a, 0x00, 0x0a, 0x00, 0x12, 0x00])
        }
        #expect(throws: NoiseError.malformedPayload(reason: "stream muxer name is not UTF-8")) {
            try NoiseHandshakePayload(protobufBytes: [0x0a, 0x00, 0x12, 0x00, 0x22, 0x03, 0x12, 0x01, 0xff])
        }
    }
}
