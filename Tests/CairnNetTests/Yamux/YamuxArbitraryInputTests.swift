import CairnTestSupport
import Testing

@testable import CairnNet

/// Arbitrary and hostile input never traps the decoder or the session, and limits hold throughout (seeded).
@Suite struct YamuxArbitraryInputTests {
    /// A random frame with small IDs and lengths, so that many are valid and reach the session's logic.
    static func randomFrameBytes(using rng: inout SeededRandom) -> [UInt8] {
        let type = UInt8.random(in: 0...4, using: &rng)
        let flags = UInt16.random(in: 0...16, using: &rng)
        let streamID = type >= 2 && Bool.random(using: &rng) ? 0 : UInt32.random(in: 0...40, using: &rng)
        let length = UInt32.random(in: 0...70_000, using: &rng)
        var bytes: [UInt8] = [Int.random(in: 0..<50, using: &rng) == 0 ? 1 : 0, type]
        bytes += [UInt8(flags >> 8), UInt8(truncatingIfNeeded: flags)]
        for shift in [24, 16, 8, 0] { bytes.append(UInt8(truncatingIfNeeded: streamID >> UInt32(shift))) }
        for shift in [24, 16, 8, 0] { bytes.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        if type == 0 { bytes += [UInt8](repeating: 0x5a, count: Int(length)) }
        return bytes
    }

    @Test(arguments: UInt64(0)..<40)
    func sessionSurvivesRandomFrames(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let configuration = YamuxConfiguration(maximumStreamCount: 8, maximumInboundBacklogCount: 4)
        var session = YamuxSessionStateMachine(role: seed % 2 == 0 ? .server : .client, configuration: configuration)
        var input: [UInt8] = []
        for _ in 0..<60 { input += Self.randomFrameBytes(using: &rng) }
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + Int.random(in: 1...20_000, using: &rng))
            for action in session.receive(input[offset..<end]) {
                if case .streamOpened(let id) = action, Bool.random(using: &rng) { _ = session.accept(streamID: id) }
                if case .deliver(let id, let data) = action { _ = session.consumed(streamID: id, byteCount: data.count) }
            }
            #expect(session.streamCount <= 8)
            #expect(session.inboundBacklogCount <= 4)
            offset = end
        }
    }

    @Test(arguments: UInt64(100)..<120)
    func decoderSurvivesRandomBytes(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var bytes = [UInt8](repeating: 0, count: 4096)
        rng.fill(&bytes)
        var decoder = YamuxFrameDecoder()
        decoder.append(bytes)
        var count = 0
        while count < 10_000, let frame = try? decoder.nextFrame() {
            #expect(frame.payload.count == (frame.type == .data ? Int(frame.length) : 0))
            count += 1
        }
    }

    @Test func consumingAnUnacceptedStreamAcceptsItWithTheLargerWindow() {
        let configuration = YamuxConfiguration(receiveWindowByteCount: 1 << 20)
        var server = YamuxSessionStateMachine(role: .server, configuration: configuration)
        _ = server.receive(YamuxSessionTests.bytes(.data(streamID: 1, flags: .syn, payload: [UInt8](repeating: 1, count: 1000))))
        let actions = server.consumed(streamID: 1, byteCount: 1000)
        #expect(actions == [.send(.windowUpdate(streamID: 1, flags: .ack, delta: UInt32((1 << 20) - (256 << 10))))])
        #expect(server.inboundBacklogCount == 0)
    }

    @Test func endOfInputFailsTheSession() {
        var clean = YamuxSessionStateMachine(role: .client)
        #expect(clean.endOfInput() == [.sessionFailed(.endOfInput)])
        var cut = YamuxSessionStateMachine(role: .client)
        _ = cut.receive([0, 1, 0])
        #expect(cut.endOfInput() == [.sessionFailed(.truncated(bufferedByteCount: 3))])
    }
}
