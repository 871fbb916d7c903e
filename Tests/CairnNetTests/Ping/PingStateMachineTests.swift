import Testing

@testable import CairnNet

/// A hand-advanced instant, so ping round trips are exact and tests never sleep.
struct TestInstant: InstantProtocol {
    var offset: Duration

    func advanced(by duration: Duration) -> TestInstant { TestInstant(offset: offset + duration) }
    func duration(to other: TestInstant) -> Duration { other.offset - offset }
    static func < (lhs: TestInstant, rhs: TestInstant) -> Bool { lhs.offset < rhs.offset }
}

/// The ping state machine in both roles, driven synchronously.
@Suite struct PingStateMachineTests {
    typealias Machine = PingStateMachine<TestInstant>
    static let start = TestInstant(offset: .seconds(100))
    static let payload = (0..<32).map { UInt8($0 * 7 & 0xff) }

    @Test func dialerMeasuresRoundTrip() throws {
        var dialer = Machine(role: .dialer)
        #expect(try dialer.startPing(payload: Self.payload, now: Self.start) == .write(Self.payload))
        #expect(dialer.isAwaitingEcho)
        // The echo arrives in two pieces; only the second completes it.
        #expect(try dialer.receive(Self.payload.prefix(10), now: Self.start.advanced(by: .microseconds(300))).isEmpty)
        let actions = try dialer.receive(Self.payload.dropFirst(10), now: Self.start.advanced(by: .microseconds(800)))
        #expect(actions == [.roundTrip(.microseconds(800))])
        #expect(!dialer.isAwaitingEcho)
        try dialer.finish()
        // The same stream carries the next ping.
        #expect(try dialer.startPing(payload: Self.payload, now: Self.start.advanced(by: .seconds(15))) == .write(Self.payload))
    }

    @Test func listenerEchoesEveryThirtyTwoBytes() throws {
        var listener = Machine(role: .listener)
        let two = Self.payload + Self.payload.reversed()
        var written: [UInt8] = []
        for chunk in [two.prefix(5), two[5..<40], two[40...]] {
            for case .write(let bytes) in try listener.receive(chunk, now: Self.start) { written += bytes }
        }
        #expect(written == two)
        try listener.finish()
        _ = try listener.receive([1, 2, 3], now: Self.start)
        #expect(throws: PingError.truncated(bufferedByteCount: 3)) { try listener.finish() }
    }

    @Test func dialerAndListenerTalkBackToBack() throws {
        var dialer = Machine(role: .dialer)
        var listener = Machine(role: .listener)
        var now = Self.start
        for round in 0..<3 {
            let payload = Self.payload.map { $0 &+ UInt8(round) }
            guard case .write(let out) = try dialer.startPing(payload: payload, now: now) else { Issue.record("no write"); return }
            let echoes = try listener.receive(out, now: now)
            now = now.advanced(by: .milliseconds(round + 1))
            for case .write(let echo) in echoes {
                #expect(try dialer.receive(echo, now: now) == [.roundTrip(.milliseconds(round + 1))])
            }
        }
    }

    @Test func mismatchedEchoIsAnError() throws {
        var dialer = Machine(role: .dialer)
        _ = try dialer.startPing(payload: Self.payload, now: Self.start)
        var wrong = Self.payload
        wrong[31] ^= 1
        #expect(throws: PingError.mismatchedEcho) { try dialer.receive(wrong, now: Self.start) }
        #expect(!dialer.isAwaitingEcho)
    }

    @Test func misuseAndUnexpectedBytesAreErrors() throws {
        var dialer = Machine(role: .dialer)
        #expect(throws: PingError.unexpectedBytes(byteCount: 4)) { try dialer.receive([1, 2, 3, 4], now: Self.start) }
        #expect(throws: PingError.invalidPayloadSize(byteCount: 31)) {
            try dialer.startPing(payload: Array(Self.payload.prefix(31)), now: Self.start)
        }
        _ = try dialer.startPing(payload: Self.payload, now: Self.start)
        #expect(throws: PingError.pingInFlight) { try dialer.startPing(payload: Self.payload, now: Self.start) }
        #expect(throws: PingError.unexpectedBytes(byteCount: 1)) { try dialer.receive(Self.payload + [0], now: Self.start) }
    }
}
