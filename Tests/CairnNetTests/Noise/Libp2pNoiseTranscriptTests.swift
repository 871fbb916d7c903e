import CairnCrypto
import Testing
@testable import CairnNet

@Suite("libp2p Noise transcript (independent implementation)")
struct Libp2pNoiseTranscriptTests {
    private func frame(_ body: String) throws -> [UInt8] { try NoiseFrame.encode(noiseHex(body)) }

    @Test("both state machines reproduce the recorded transcript byte for byte")
    func transcript() throws {
        let t = Libp2pNoiseTranscript.self
        let alice = try PrivateKey(ed25519Seed: [UInt8](repeating: 1, count: 32))
        let bob = try PrivateKey(ed25519Seed: [UInt8](repeating: 2, count: 32))
        var initiatorKeys = NoiseFixedBytesGenerator(noiseHex(t.initiatorStatic) + noiseHex(t.initiatorEphemeral))
        var responderKeys = NoiseFixedBytesGenerator(noiseHex(t.responderStatic) + noiseHex(t.responderEphemeral))
        var initiator = NoiseHandshakeStateMachine(role: .initiator, identity: alice, expectedRemotePeerID: bob.peerID, using: &initiatorKeys)
        var responder = NoiseHandshakeStateMachine(role: .responder, identity: bob, using: &responderKeys)

        #expect(try initiator.start() == frame(t.message1))
        guard case .send(let second) = try responder.receive(frameBody: noiseHex(t.message1)) else { Issue.record("no message 2"); return }
        #expect(second == (try frame(t.message2)))
        guard case .sendAndComplete(let third, var initiatorSession) = try initiator.receive(frameBody: noiseHex(t.message2)) else {
            Issue.record("initiator did not complete"); return
        }
        #expect(third == (try frame(t.message3)))
        guard case .complete(var responderSession) = try responder.receive(frameBody: noiseHex(t.message3)) else {
            Issue.record("responder did not complete"); return
        }
        #expect(initiatorSession.handshakeHash == noiseHex(t.handshakeHash))
        #expect(responderSession.handshakeHash == noiseHex(t.handshakeHash))
        #expect(initiatorSession.remotePeerID == bob.peerID)
        #expect(responderSession.remotePeerID == alice.peerID)

        #expect(try initiatorSession.encrypt(Array("/multistream/1.0.0\n".utf8)) == frame(t.initiatorTransport))
        #expect(try responderSession.encrypt(Array("/yamux/1.0.0\n".utf8)) == frame(t.responderTransport))
        #expect(try responderSession.decrypt(frameBody: noiseHex(t.initiatorTransport)) == Array("/multistream/1.0.0\n".utf8))
        #expect(try initiatorSession.decrypt(frameBody: noiseHex(t.responderTransport)) == Array("/yamux/1.0.0\n".utf8))
    }
}
