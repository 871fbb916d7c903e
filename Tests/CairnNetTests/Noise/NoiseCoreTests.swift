import Testing
@testable import CairnNet

@Suite("Noise core (cacophony vectors)")
struct NoiseCoreTests {
    private func makePair() throws -> (NoiseHandshakeState, NoiseHandshakeState) {
        let v = CacophonyXXVector.self
        let initiator = try NoiseHandshakeState(role: .initiator, prologue: noiseHex(v.prologue),
                                                staticPrivateKey: noiseHex(v.initiatorStatic), ephemeralPrivateKey: noiseHex(v.initiatorEphemeral))
        let responder = try NoiseHandshakeState(role: .responder, prologue: noiseHex(v.prologue),
                                                staticPrivateKey: noiseHex(v.responderStatic), ephemeralPrivateKey: noiseHex(v.responderEphemeral))
        return (initiator, responder)
    }

    @Test("XX_25519_ChaChaPoly_SHA256 reproduces every cacophony message and the handshake hash")
    func cacophony() throws {
        var (initiator, responder) = try makePair()
        let messages = CacophonyXXVector.messages
        for index in 0..<3 {
            let payload = noiseHex(messages[index].payload)
            let expected = noiseHex(messages[index].ciphertext)
            if index % 2 == 0 {
                #expect(try initiator.writeMessage(payload: payload) == expected, "message \(index)")
                #expect(try responder.readMessage(expected) == payload)
            } else {
                #expect(try responder.writeMessage(payload: payload) == expected, "message \(index)")
                #expect(try initiator.readMessage(expected) == payload)
            }
        }
        #expect(initiator.isComplete && responder.isComplete)
        #expect(initiator.handshakeHash == noiseHex(CacophonyXXVector.handshakeHash))
        #expect(responder.handshakeHash == noiseHex(CacophonyXXVector.handshakeHash))
        #expect(initiator.remoteStaticPublicKey == responder.localStaticPublicKey)
        #expect(responder.remoteStaticPublicKey == initiator.localStaticPublicKey)

        var (initiatorSend, initiatorReceive) = initiator.split()
        var (responderSend, responderReceive) = responder.split()
        for index in 3..<messages.count {
            let payload = noiseHex(messages[index].payload)
            let expected = noiseHex(messages[index].ciphertext)
            if index % 2 == 0 {
                #expect(try initiatorSend.encrypt(associatedData: [], plaintext: payload) == expected, "message \(index)")
                #expect(try responderReceive.decrypt(associatedData: [], ciphertext: expected, context: "test") == payload)
            } else {
                #expect(try responderSend.encrypt(associatedData: [], plaintext: payload) == expected, "message \(index)")
                #expect(try initiatorReceive.decrypt(associatedData: [], ciphertext: expected, context: "test") == payload)
            }
        }
    }

    @Test("a tampered handshake message fails authentication", arguments: [1, 2])
    func tampered(messageIndex: Int) throws {
        var (initiator, responder) = try makePair()
        let messages = CacophonyXXVector.messages
        _ = try responder.readMessage(try initiator.writeMessage(payload: noiseHex(messages[0].payload)))
        var second = try responder.writeMessage(payload: noiseHex(messages[1].payload))
        if messageIndex == 1 {
            second[second.count - 1] ^= 0x80
            #expect(throws: NoiseError.decryptionFailed(context: "Noise handshake message 2 payload")) { try initiator.readMessage(second) }
            return
        }
        _ = try initiator.readMessage(second)
        var third = try initiator.writeMessage(payload: [])
        third[3] ^= 1
        #expect(throws: NoiseError.decryptionFailed(context: "Noise handshake message 3 static key")) { try responder.readMessage(third) }
    }

    @Test("out-of-turn and truncated handshake messages are typed errors")
    func outOfTurnAndTruncated() throws {
        var (initiator, responder) = try makePair()
        #expect(throws: NoiseError.self) { try responder.writeMessage(payload: []) }
        #expect(throws: NoiseError.self) { try initiator.readMessage([UInt8](repeating: 9, count: 32)) }
        let first = try initiator.writeMessage(payload: [])
        #expect(throws: NoiseError.messageTooShort(context: "Noise handshake message 1", byteCount: 31, minimum: 32)) {
            var copy = responder
            _ = try copy.readMessage(Array(first.prefix(31)))
        }
        _ = try responder.readMessage(first)
        let second = try responder.writeMessage(payload: [])
        for length in [0, 31, 32, 40, 79, 80, 95] {
            var copy = initiator
            #expect(throws: NoiseError.self, "length \(length)") { try copy.readMessage(Array(second.prefix(length))) }
        }
    }

    @Test("a low-order remote ephemeral key is rejected")
    func lowOrderKey() throws {
        var (_, responder) = try makePair()
        #expect(throws: NoiseError.self) {
            _ = try responder.readMessage([UInt8](repeating: 0, count: 32))
            _ = try responder.writeMessage(payload: [])
        }
    }

    @Test("a cipher state at the last nonce refuses to encrypt or decrypt")
    func nonceExhaustion() throws {
        var cipher = NoiseCipherState(key: .init(data: [UInt8](repeating: 1, count: 32)), nonce: UInt64.max - 1)
        _ = try cipher.encrypt(associatedData: [], plaintext: [1])
        #expect(throws: NoiseError.nonceExhausted) { try cipher.encrypt(associatedData: [], plaintext: [1]) }
        #expect(throws: NoiseError.nonceExhausted) { try cipher.decrypt(associatedData: [], ciphertext: [UInt8](repeating: 0, count: 17), context: "x") }
    }
}
