import CairnTestSupport
import Testing

@testable import CairnNet

/// Arbitrary input never traps the multistream state machines (seeded).
@Suite struct MultistreamArbitraryInputTests {
    static let lines = ["/multistream/1.0.0", "/noise", "na", "/libp2p/simultaneous-connect", "", "/yamux/1.0.0", "ls"]

    /// Mostly well-formed messages with occasional corrupted bytes.
    static func randomInput(using rng: inout SeededRandom) -> [UInt8] {
        var input: [UInt8] = []
        for _ in 0..<Int.random(in: 1...12, using: &rng) {
            let text = lines.randomElement(using: &rng) ?? ""
            input += MultistreamNegotiationTests.line(text)
        }
        for _ in 0..<Int.random(in: 0...2, using: &rng) where !input.isEmpty {
            input[Int.random(in: 0..<input.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
        return input
    }

    @Test(arguments: UInt64(0)..<200)
    func listenerAndDialerNeverTrap(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let input = Self.randomInput(using: &rng)
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/yamux/1.0.0"])
        var dialer = try MultistreamDialerStateMachine(protocols: ["/noise", "/tls/1.0.0"])
        _ = dialer.start()
        var listenerDone = false
        var dialerDone = false
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + Int.random(in: 1...8, using: &rng))
            if !listenerDone { listenerDone = Self.isFinal(listener.receive(input[offset..<end])) }
            if !dialerDone { dialerDone = Self.isFinal(dialer.receive(input[offset..<end])) }
            offset = end
        }
        if !listenerDone { #expect(Self.isFinal(listener.endOfInput())) }
        if !dialerDone { #expect(Self.isFinal(dialer.endOfInput())) }
    }

    static func isFinal(_ actions: [MultistreamAction]) -> Bool {
        actions.contains { if case .send = $0 { false } else { true } }
    }
}
