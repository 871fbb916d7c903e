import CairnTestSupport
import Testing

@testable import CairnNet

/// Multistream negotiation inside yamux streams, as kubo does it: lazy proposals with the first
/// application message pipelined in the same Data frame.
@Suite struct YamuxMultistreamTests {
    @Test func lazyNegotiationInsideAStream() throws {
        var client = YamuxSessionStateMachine(role: .client)
        var server = YamuxSessionStateMachine(role: .server)
        let message: [UInt8] = Array(repeating: 0x42, count: 73)

        var dialer = try MultistreamDialerStateMachine(protocols: ["/ipfs/bitswap/1.2.0"], lazy: true)
        guard case .send(let opening) = dialer.start(pipelining: message).first else {
            Issue.record("dialer sent nothing")
            return
        }
        let (id, openActions) = try client.openStream()
        let written = try client.write(opening, streamID: id)
        #expect(written.acceptedByteCount == opening.count)
        let wire = YamuxSessionTests.frames(openActions + written.actions).flatMap(\.encoded)

        // The server sees the stream open and the whole negotiation plus message in one Data frame.
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/ipfs/bitswap/1.2.0"])
        var reply: [UInt8] = []
        var negotiated: MultistreamAction?
        for action in server.receive(wire) {
            switch action {
            case .streamOpened(let opened): #expect(opened == id)
            case .deliver(_, let data):
                for result in listener.receive(data) {
                    if case .send(let bytes) = result { reply = bytes } else { negotiated = result }
                }
            default: Issue.record("unexpected \(action)")
            }
        }
        #expect(negotiated == .negotiated(protocol: "/ipfs/bitswap/1.2.0", leftover: message))

        // The server's echo (with its ACK) completes the dialer's side.
        let answer = try server.write(reply, streamID: id)
        var dialerResult: [MultistreamAction] = []
        for action in client.receive(YamuxSessionTests.frames(answer.actions).flatMap(\.encoded)) {
            if case .deliver(_, let data) = action { dialerResult += dialer.receive(data) }
        }
        #expect(dialerResult == [.negotiated(protocol: "/ipfs/bitswap/1.2.0", leftover: [])])
        #expect(YamuxSessionTests.frames(answer.actions).first == .windowUpdate(streamID: id, flags: .ack, delta: 0))
    }

    @Test func refusedStreamProtocolThenReset() throws {
        // kubo opens /meshsub/1.1.0 on a stream; we answer na and kubo resets the stream: a normal outcome.
        var server = YamuxSessionStateMachine(role: .server)
        let proposal = MultistreamNegotiationTests.line("/multistream/1.0.0") + MultistreamNegotiationTests.line("/meshsub/1.1.0")
        let actions = server.receive(YamuxSessionTests.bytes(
            .windowUpdate(streamID: 1, flags: .syn, delta: 0), .data(streamID: 1, payload: proposal)))
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/ipfs/id/1.0.0"])
        guard case .deliver(_, let data) = actions.last else {
            Issue.record("no data delivered: \(actions)")
            return
        }
        let reply = listener.receive(data)
        #expect(reply == [.send(MultistreamNegotiationTests.line("/multistream/1.0.0") + MultistreamNegotiationTests.line("na"))])
        #expect(server.receive(YamuxSessionTests.bytes(.windowUpdate(streamID: 1, flags: .rst, delta: 0))) == [.streamReset(streamID: 1)])
        #expect(server.streamCount == 0 && server.inboundBacklogCount == 0)
    }

    @Test(arguments: UInt64(0)..<20)
    func randomFramesRoundTrip(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let streamID = UInt32.random(in: 1...UInt32.max, using: &rng)
        let flags = YamuxFrame.Flags(rawValue: UInt16.random(in: 0...15, using: &rng))
        let value = UInt32.random(in: 0...UInt32.max, using: &rng)
        var payload = [UInt8](repeating: 0, count: Int.random(in: 0...3000, using: &rng))
        rng.fill(&payload)
        let frames: [YamuxFrame] = [
            .data(streamID: streamID, flags: flags, payload: payload),
            .windowUpdate(streamID: streamID, flags: flags, delta: value),
            .ping(flags: flags, opaque: value),
            .goAway(code: value),
        ]
        for frame in frames {
            #expect(try YamuxFrame.decode(frame.encoded) == frame)
        }
    }
}
