import Testing

@testable import CairnNet

/// The session state machine driven synchronously: kubo behaviours, flow control, limits, errors.
@Suite struct YamuxSessionTests {
    static let window = YamuxConfiguration.initialWindowByteCount

    static func frames(_ actions: [YamuxAction]) -> [YamuxFrame] {
        actions.compactMap { if case .send(let frame) = $0 { frame } else { nil } }
    }

    static func bytes(_ frames: YamuxFrame...) -> [UInt8] { frames.flatMap(\.encoded) }

    /// A server session with an accepted inbound stream 1.
    static func serverWithStream() -> YamuxSessionStateMachine {
        var server = YamuxSessionStateMachine(role: .server)
        _ = server.receive(bytes(.windowUpdate(streamID: 1, flags: .syn, delta: 0)))
        _ = server.accept(streamID: 1)
        return server
    }

    @Test func answersPingWithSameOpaque() {
        var session = YamuxSessionStateMachine(role: .client)
        // kubo's first frame: Ping SYN opaque 0
        #expect(session.receive(YamuxFrameTests.hex("00 02 0001 00000000 00000000")) == [.send(.ping(flags: .ack, opaque: 0))])
        #expect(session.receive(Self.bytes(.ping(flags: .syn, opaque: 0xdead_beef))) == [.send(.ping(flags: .ack, opaque: 0xdead_beef))])
    }

    @Test func inboundStreamIsAcknowledgedWithWindowUpdateACK() {
        var client = YamuxSessionStateMachine(role: .client)
        #expect(client.receive(Self.bytes(.windowUpdate(streamID: 2, flags: .syn, delta: 0))) == [.streamOpened(streamID: 2)])
        #expect(client.inboundBacklogCount == 1)
        let actions = client.accept(streamID: 2)
        #expect(Self.frames(actions).map(\.encoded) == [YamuxFrameTests.hex("00 01 0002 00000002 00000000")])
        #expect(client.inboundBacklogCount == 0)
        #expect(client.accept(streamID: 2) == [])
    }

    @Test func streamIDsFollowTheRole() throws {
        var client = YamuxSessionStateMachine(role: .client)
        var server = YamuxSessionStateMachine(role: .server)
        let first = try client.openStream()
        #expect(first.streamID == 1)
        #expect(first.actions == [.send(.windowUpdate(streamID: 1, flags: .syn, delta: 0))])
        #expect(try client.openStream().streamID == 3)
        #expect(try server.openStream().streamID == 2)
        #expect(try server.openStream().streamID == 4)
    }

    @Test func halfCloseWithFIN() throws {
        var server = Self.serverWithStream()
        let actions = server.receive(Self.bytes(.data(streamID: 1, flags: .fin, payload: [1, 2, 3])))
        #expect(actions == [.deliver(streamID: 1, data: [1, 2, 3]), .streamRemoteClosed(streamID: 1)])
        // our direction stays open after the peer's FIN
        let reply = try server.write([4, 5], streamID: 1)
        #expect(reply.acceptedByteCount == 2)
        #expect(server.close(streamID: 1) == [.send(.windowUpdate(streamID: 1, flags: .fin, delta: 0)), .streamClosed(streamID: 1)])
        #expect(server.streamCount == 0)
        #expect(throws: YamuxError.unknownStream(streamID: 1)) { try server.write([6], streamID: 1) }
    }

    @Test func writeAfterOwnFINIsRejected() throws {
        var client = YamuxSessionStateMachine(role: .client)
        let id = try client.openStream().streamID
        _ = client.close(streamID: id)
        #expect(throws: YamuxError.streamClosedForWriting(streamID: id)) { try client.write([1], streamID: id) }
    }

    @Test func sendingStallsAtThePeersWindow() throws {
        var client = YamuxSessionStateMachine(role: .client)
        let id = try client.openStream().streamID
        let data = [UInt8](repeating: 7, count: 1 << 20)
        let first = try client.write(data, streamID: id)
        #expect(first.acceptedByteCount == Self.window)
        let payloads = Self.frames(first.actions).map(\.payload.count)
        #expect(payloads.allSatisfy { $0 <= 64 * 1024 - 12 })
        #expect(payloads.reduce(0, +) == Self.window)
        // window exhausted: nothing more goes out
        let stalled = try client.write(data[Self.window...], streamID: id)
        #expect(stalled.acceptedByteCount == 0 && stalled.actions.isEmpty)
        // the peer grants 128 KiB
        #expect(client.receive(Self.bytes(.windowUpdate(streamID: id, delta: 131_072))) == [.streamWritable(streamID: id, windowByteCount: 131_072)])
        let resumed = try client.write(data[Self.window...], streamID: id)
        #expect(resumed.acceptedByteCount == 131_072)
        #expect(client.sendWindow(streamID: id) == 0)
    }

    @Test func peerWindowGrantsAreClampedAt16MiB() throws {
        var client = YamuxSessionStateMachine(role: .client)
        let id = try client.openStream().streamID
        _ = client.receive(Self.bytes(.windowUpdate(streamID: id, flags: .ack, delta: 0xffff_ffff)))
        #expect(client.sendWindow(streamID: id) == 16 * 1024 * 1024)
    }

    @Test func receiveWindowOverflowIsAProtocolError() {
        var server = Self.serverWithStream()
        let chunk = [UInt8](repeating: 1, count: 64 * 1024)
        for _ in 0..<4 {
            #expect(server.receive(Self.bytes(.data(streamID: 1, payload: chunk))).count == 1)
        }
        let actions = server.receive(Self.bytes(.data(streamID: 1, payload: [0])))
        #expect(actions == [
            .send(.goAway(.protocolError)),
            .sessionFailed(.receiveWindowExceeded(streamID: 1, byteCount: 1, window: 0)),
        ])
        #expect(server.receive(Self.bytes(.ping(flags: .syn, opaque: 1))) == [])
        #expect(throws: YamuxError.sessionFailed(cause: .receiveWindowExceeded(streamID: 1, byteCount: 1, window: 0))) {
            try server.openStream()
        }
    }

    @Test func windowReopensAsTheApplicationConsumes() {
        var server = Self.serverWithStream()
        _ = server.receive(Self.bytes(.data(streamID: 1, payload: [UInt8](repeating: 0, count: 200 * 1024))))
        // receiving alone grants nothing; consumption below half the window grants nothing either
        #expect(server.consumed(streamID: 1, byteCount: 100 * 1024) == [])
        #expect(server.consumed(streamID: 1, byteCount: 28 * 1024) == [.send(.windowUpdate(streamID: 1, delta: 128 * 1024))])
        // the peer may now send 56 KiB + 128 KiB more
        #expect(server.receive(Self.bytes(.data(streamID: 1, payload: [UInt8](repeating: 0, count: 184 * 1024)))).count == 1)
        #expect(server.receive(Self.bytes(.data(streamID: 1, payload: [0]))).last
            == .sessionFailed(.receiveWindowExceeded(streamID: 1, byteCount: 1, window: 0)))
    }

    @Test func largerReceiveWindowIsGrantedWithSYN() throws {
        var client = YamuxSessionStateMachine(role: .client, configuration: YamuxConfiguration(receiveWindowByteCount: 1 << 20))
        let opened = try client.openStream()
        #expect(opened.actions == [.send(.windowUpdate(streamID: 1, flags: .syn, delta: UInt32((1 << 20) - Self.window)))])
    }

    @Test func inboundStreamLimitResetsTheExcess() {
        var client = YamuxSessionStateMachine(role: .client, configuration: YamuxConfiguration(maximumStreamCount: 2))
        _ = client.receive(Self.bytes(.windowUpdate(streamID: 2, flags: .syn, delta: 0), .windowUpdate(streamID: 4, flags: .syn, delta: 0)))
        _ = client.accept(streamID: 2)
        _ = client.accept(streamID: 4)
        let actions = client.receive(Self.bytes(.data(streamID: 6, flags: .syn, payload: [1, 2])))
        #expect(actions == [
            .send(.windowUpdate(streamID: 6, flags: .rst, delta: 0)),
            .streamRefused(streamID: 6, reason: .streamLimitExceeded(limit: 2)),
        ])
        #expect(client.streamCount == 2)
        #expect(throws: YamuxError.streamLimitExceeded(limit: 2)) { try client.openStream() }
    }

    @Test func inboundBacklogLimitResetsTheExcess() {
        var server = YamuxSessionStateMachine(role: .server, configuration: YamuxConfiguration(maximumInboundBacklogCount: 256))
        var refused = 0
        for index in 0..<300 {
            let id = UInt32(2 * index + 1)
            for action in server.receive(Self.bytes(.windowUpdate(streamID: id, flags: .syn, delta: 0))) {
                if case .streamRefused(_, .inboundBacklogExceeded(256)) = action { refused += 1 }
            }
        }
        #expect(refused == 44)
        #expect(server.inboundBacklogCount == 256)
        _ = server.accept(streamID: 1)
        #expect(server.receive(Self.bytes(.windowUpdate(streamID: 601, flags: .syn, delta: 0))) == [.streamOpened(streamID: 601)])
    }

    @Test func outboundBacklogLimit() throws {
        var client = YamuxSessionStateMachine(role: .client, configuration: YamuxConfiguration(maximumOutboundBacklogCount: 2))
        _ = try client.openStream()
        _ = try client.openStream()
        #expect(throws: YamuxError.outboundBacklogExceeded(limit: 2)) { try client.openStream() }
        _ = client.receive(Self.bytes(.windowUpdate(streamID: 1, flags: .ack, delta: 0)))
        #expect(try client.openStream().streamID == 5)
    }

    @Test func peerUsingOurParityIsAProtocolError() {
        var client = YamuxSessionStateMachine(role: .client)
        #expect(client.receive(Self.bytes(.windowUpdate(streamID: 3, flags: .syn, delta: 0))) == [
            .send(.goAway(.protocolError)), .sessionFailed(.streamIDParityMismatch(streamID: 3)),
        ])
    }

    @Test func reusedStreamIDIsAProtocolError() {
        var server = Self.serverWithStream()
        #expect(server.receive(Self.bytes(.windowUpdate(streamID: 1, flags: .syn, delta: 0))).last
            == .sessionFailed(.streamIDReused(streamID: 1)))
    }

    @Test func malformedFrameIsAProtocolError() {
        var server = YamuxSessionStateMachine(role: .server)
        #expect(server.receive(YamuxFrameTests.hex("01 00 0000 00000001 00000000")) == [
            .send(.goAway(.protocolError)), .sessionFailed(.unsupportedVersion(1)),
        ])
        var other = YamuxSessionStateMachine(role: .server)
        #expect(other.receive(YamuxFrameTests.hex("00 00 0000 00000001 00100001")).last
            == .sessionFailed(.frameTooLarge(byteCount: 1_048_577, limit: 1_048_576)))
    }

    @Test func goAwayStopsNewStreams() throws {
        var client = YamuxSessionStateMachine(role: .client)
        let id = try client.openStream().streamID
        #expect(client.receive(Self.bytes(.goAway(.normal))) == [.goAwayReceived])
        #expect(throws: YamuxError.sessionGoingAway) { try client.openStream() }
        // existing streams keep working
        #expect(try client.write([1], streamID: id).acceptedByteCount == 1)
        var server = YamuxSessionStateMachine(role: .server)
        #expect(server.goAway() == [.send(.goAway(.normal))])
        #expect(server.receive(Self.bytes(.windowUpdate(streamID: 1, flags: .syn, delta: 0))) == [
            .send(.windowUpdate(streamID: 1, flags: .rst, delta: 0)), .streamRefused(streamID: 1, reason: .sessionGoingAway),
        ])
        var failing = YamuxSessionStateMachine(role: .server)
        #expect(failing.receive(Self.bytes(.goAway(.internalError))) == [.sessionFailed(.remoteGoAway(code: 2))])
    }

    @Test func keepAlivePings() {
        var session = YamuxSessionStateMachine(role: .client)
        #expect(session.pingTimerFired() == [.send(.ping(flags: .syn, opaque: 0))])
        #expect(session.receive(Self.bytes(.ping(flags: .ack, opaque: 0))) == [.pingAcknowledged(opaque: 0)])
        #expect(session.pingTimerFired() == [.send(.ping(flags: .syn, opaque: 1))])
        #expect(session.pingTimerFired() == [.sessionFailed(.pingTimeout)])
    }

    @Test("an unanswered ping fails the session only after the silent-round limit, and any frame resets it")
    func keepAliveToleratesLatePongsWhileTrafficFlows() {
        var session = YamuxSessionStateMachine(role: .client)
        #expect(session.pingTimerFired(silentRoundLimit: 3) == [.send(.ping(flags: .syn, opaque: 0))])
        #expect(session.pingTimerFired(silentRoundLimit: 3) == [])
        #expect(session.pingTimerFired(silentRoundLimit: 3) == [])
        // Traffic without the pong: the peer is alive, the count starts over, no second ping is sent.
        _ = session.receive(Self.bytes(.ping(flags: .syn, opaque: 77)))
        #expect(session.pingTimerFired(silentRoundLimit: 3) == [])
        #expect(session.pingTimerFired(silentRoundLimit: 3) == [])
        #expect(session.pingTimerFired(silentRoundLimit: 3) == [])
        #expect(session.pingTimerFired(silentRoundLimit: 3) == [.sessionFailed(.pingTimeout)])
        #expect(session.pingTimerFired(silentRoundLimit: 3) == [])
    }

    @Test("the keep-alive timeout is counted in whole intervals, at least one")
    func keepAliveRoundLimit() {
        #expect(ConnectionConfiguration().silentKeepAliveRoundLimit == 1)
        #expect(ConnectionConfiguration(keepAliveInterval: .seconds(1)).silentKeepAliveRoundLimit == 10)
        #expect(ConnectionConfiguration(keepAliveInterval: .seconds(3), keepAliveTimeout: .seconds(10)).silentKeepAliveRoundLimit == 4)
        #expect(ConnectionConfiguration(keepAliveInterval: nil).silentKeepAliveRoundLimit == 1)
    }

    @Test func resetByPeer() throws {
        var client = YamuxSessionStateMachine(role: .client)
        let id = try client.openStream().streamID
        #expect(client.receive(Self.bytes(.windowUpdate(streamID: id, flags: .rst, delta: 0))) == [.streamReset(streamID: id)])
        #expect(throws: YamuxError.unknownStream(streamID: id)) { try client.write([1], streamID: id) }
        // stale frames for the reset stream are dropped
        #expect(client.receive(Self.bytes(.data(streamID: id, payload: [1]))) == [])
        #expect(client.reset(streamID: id) == [])
    }

    @Test func localReset() throws {
        var client = YamuxSessionStateMachine(role: .client)
        let id = try client.openStream().streamID
        #expect(client.reset(streamID: id) == [.send(.windowUpdate(streamID: id, flags: .rst, delta: 0))])
        #expect(client.streamCount == 0)
    }

    @Test func dataAfterFINResetsTheStream() {
        var server = Self.serverWithStream()
        _ = server.receive(Self.bytes(.windowUpdate(streamID: 1, flags: .fin, delta: 0)))
        #expect(server.receive(Self.bytes(.data(streamID: 1, payload: [9]))) == [
            .send(.windowUpdate(streamID: 1, flags: .rst, delta: 0)), .streamReset(streamID: 1),
        ])
    }

    @Test func dripFedSessionInputMatchesOneChunk() {
        let input = Self.bytes(
            .ping(flags: .syn, opaque: 5),
            .windowUpdate(streamID: 1, flags: .syn, delta: 0),
            .data(streamID: 1, payload: Array(0..<200)),
            .data(streamID: 1, flags: .fin, payload: [1]),
            .windowUpdate(streamID: 3, flags: .syn, delta: 10)
        )
        var whole = YamuxSessionStateMachine(role: .server)
        let expected = whole.receive(input)
        var drip = YamuxSessionStateMachine(role: .server)
        var actions: [YamuxAction] = []
        for byte in input { actions += drip.receive([byte]) }
        #expect(actions == expected)
        #expect(expected.count == 7)
    }
}
