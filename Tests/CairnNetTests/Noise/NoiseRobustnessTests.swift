import CairnTestSupport
import CairnCrypto
import Testing
@testable import CairnNet

/// Arbitrary input from a peer must produce typed errors, never a trap (seeds are fixed, so a
/// failure replays exactly).
@Suite("Noise robustness")
struct NoiseRobustnessTests {
    private func randomBytes(_ count: Int, _ random: inout SeededRandom) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    @Test("random handshake messages never trap", arguments: [1, 2, 3] as [UInt64])
    func randomHandshakeInput(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let identity = PrivateKey.generateEd25519()
        for _ in 0..<200 {
            let length = Int.random(in: 0...300, using: &random)
            var responder = NoiseHandshakeStateMachine(role: .responder, identity: identity, using: &random)
            if let action = try? responder.receive(frameBody: randomBytes(length, &random)) {
                guard case .send = action else { Issue.record("responder completed on message 1"); continue }
                #expect(throws: NoiseError.self) { try responder.receive(frameBody: randomBytes(length, &random)) }
            }
            var initiator = NoiseHandshakeStateMachine(role: .initiator, identity: identity, using: &random)
            _ = try initiator.start()
            #expect(throws: NoiseError.self) { try initiator.receive(frameBody: randomBytes(length, &random)) }
        }
    }

    @Test("random payload protobufs never trap")
    func randomPayloads() {
        var random = SeededRandom(seed: 77)
        for _ in 0..<2000 {
            var bytes = randomBytes(Int.random(in: 0...40, using: &random), &random)
            if !bytes.isEmpty { bytes[0] = [0x0a, 0x12, 0x22][Int.random(in: 0...2, using: &random)] }
            _ = try? NoiseHandshakePayload(protobufBytes: bytes)
        }
    }

    @Test("oversized handshake messages and bad local keys are typed errors")
    func oversizedAndBadKeys() throws {
        var state = try NoiseHandshakeState(role: .responder, prologue: [], staticPrivateKey: [UInt8](repeating: 1, count: 32),
                                            ephemeralPrivateKey: [UInt8](repeating: 2, count: 32))
        #expect(throws: NoiseError.frameTooLarge(byteCount: 65536, limit: 65535)) {
            try state.readMessage([UInt8](repeating: 0, count: 65536))
        }
        #expect(throws: NoiseError.invalidLocalKey(byteCount: 31)) {
            try NoiseHandshakeState(role: .initiator, prologue: [], staticPrivateKey: [UInt8](repeating: 1, count: 31),
                                    ephemeralPrivateKey: [UInt8](repeating: 2, count: 32))
        }
        var initiator = try NoiseHandshakeState(role: .initiator, prologue: [], staticPrivateKey: [UInt8](repeating: 1, count: 32),
                                                ephemeralPrivateKey: [UInt8](repeating: 2, count: 32))
        #expect(throws: NoiseError.frameTooLarge(byteCount: 65536, limit: 65535)) {
            try initiator.writeMessage(payload: [UInt8](repeating: 0, count: 65536 - 32))
        }
    }

    @Test("random transport frames are rejected without trapping")
    func randomTransportFrames() throws {
        var random = SeededRandom(seed: 5)
        var initiator = NoiseHandshakeStateMachine(role: .initiator, identity: .generateEd25519(), using: &random)
        var responder = NoiseHandshakeStateMachine(role: .responder, identity: .generateEd25519(), using: &random)
        var decoder = NoiseFrameDecoder()
        let first = try initiator.start()
        try decoder.append(try #require(first))
        let firstBody = decoder.nextFrame()
        guard case .send(let second) = try responder.receive(frameBody: try #require(firstBody)) else { return }
        try decoder.append(second)
        let secondBody = decoder.nextFrame()
        guard case .sendAndComplete(_, var session) = try initiator.receive(frameBody: try #require(secondBody)) else { return }
        for _ in 0..<500 {
            let frame = randomBytes(Int.random(in: 0...100, using: &random), &random)
            #expect(throws: NoiseError.self) { try session.decrypt(frameBody: frame) }
        }
    }
}
