import CairnCore
import CairnTestSupport
import Testing

@testable import CairnNet

/// Dialer and listener state machines: kubo's dial pattern, `na` fallback, pipelined data, drip-fed input.
@Suite struct MultistreamNegotiationTests {
    static func line(_ text: String) -> [UInt8] {
        (try? MultistreamMessage(text).encoded) ?? []
    }

    /// Concatenates every `.send` payload.
    static func sent(_ actions: [MultistreamAction]) -> [UInt8] {
        actions.flatMap { action -> [UInt8] in
            if case .send(let bytes) = action { return bytes }
            return []
        }
    }

    static func final(_ actions: [MultistreamAction]) -> MultistreamAction? {
        actions.last { if case .send = $0 { false } else { true } }
    }

    /// Feeds `input` to a listener in the given chunk sizes (cycled) and collects every action.
    static func runListener(
        _ input: [UInt8], chunkSizes: [Int], supported: Set<String> = ["/noise"],
        configuration: MultistreamConfiguration = .default
    ) -> [MultistreamAction] {
        var listener = MultistreamListenerStateMachine(supportedProtocols: supported, configuration: configuration)
        var actions: [MultistreamAction] = []
        var offset = 0
        var chunk = 0
        while offset < input.count {
            let size = min(chunkSizes[chunk % chunkSizes.count], input.count - offset)
            chunk += 1
            let produced = listener.receive(input[offset..<offset + size])
            actions += produced
            offset += size
            if produced.contains(where: { if case .send = $0 { false } else { true } }) { break }
        }
        return actions
    }

    @Test func kuboDialPatternInOneChunk() {
        let input = Self.line("/multistream/1.0.0") + Self.line("/libp2p/simultaneous-connect") + Self.line("/noise")
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/noise"])
        let actions = listener.receive(input)
        // header echo, na to the sim-open line, /noise echo — one write
        #expect(actions == [
            .send(Self.line("/multistream/1.0.0") + [0x03, 0x6e, 0x61, 0x0a] + Self.line("/noise")),
            .negotiated(protocol: "/noise", leftover: []),
        ])
    }

    @Test func kuboDialPatternAsHandWrittenBytes() {
        let input = MultistreamMessageTests.hex("""
            13 2f6d756c746973747265616d2f312e302e30 0a
            1d 2f6c69627032702f73696d756c74616e656f75732d636f6e6e656374 0a
            07 2f6e6f697365 0a
            """)
        // ^ 19 "/multistream/1.0.0\n" | 29 "/libp2p/simultaneous-connect\n" | 7 "/noise\n", in one write
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/noise"])
        let expected = MultistreamMessageTests.hex("""
            13 2f6d756c746973747265616d2f312e302e30 0a
            03 6e61 0a
            07 2f6e6f697365 0a
            """)
        #expect(listener.receive(input) == [.send(expected), .negotiated(protocol: "/noise", leftover: [])])
    }

    @Test(arguments: [[1], [2], [3, 1], [7], [1000]])
    func listenerIsChunkingIndependent(chunkSizes: [Int]) {
        let input = Self.line("/multistream/1.0.0") + Self.line("/libp2p/simultaneous-connect")
            + Self.line("/noise") + [0xde, 0xad, 0xbe, 0xef, 0x00]
        let actions = Self.runListener(input, chunkSizes: chunkSizes)
        #expect(Self.sent(actions) == Self.line("/multistream/1.0.0") + Self.line("na") + Self.line("/noise"))
        // drip-fed input stops at the protocol line; the caller owns everything after it
        guard case .negotiated(let id, let leftover) = Self.final(actions) else {
            Issue.record("no negotiation: \(actions)")
            return
        }
        #expect(id == "/noise")
        let consumed = input.count - 5
        let fedAfterProtocol = leftover.count
        #expect(leftover == Array(input[consumed..<consumed + fedAfterProtocol]))
    }

    @Test func lazyStreamLeftoverPreserved() {
        // kubo's bitswap stream: header, protocol and the first message in one frame
        let message: [UInt8] = Array(0..<73)
        let input = Self.line("/multistream/1.0.0") + Self.line("/ipfs/bitswap/1.2.0") + message
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/ipfs/bitswap/1.2.0"])
        let actions = listener.receive(input)
        #expect(actions.last == .negotiated(protocol: "/ipfs/bitswap/1.2.0", leftover: message))
    }

    @Test func dialerFallsBackAfterNotAvailable() throws {
        var dialer = try MultistreamDialerStateMachine(protocols: ["/meshsub/1.1.0", "/meshsub/1.0.0"])
        #expect(dialer.start() == [.send(Self.line("/multistream/1.0.0") + Self.line("/meshsub/1.1.0"))])
        #expect(dialer.receive(Self.line("/multistream/1.0.0") + Self.line("na")) == [.send(Self.line("/meshsub/1.0.0"))])
        #expect(dialer.receive(Self.line("/meshsub/1.0.0") + [9, 9]) == [.negotiated(protocol: "/meshsub/1.0.0", leftover: [9, 9])])
    }

    @Test func dialerGivesUpWhenExhausted() throws {
        var dialer = try MultistreamDialerStateMachine(protocols: ["/a", "/b"])
        _ = dialer.start()
        let actions = dialer.receive(Self.line("/multistream/1.0.0") + Self.line("na") + Self.line("na"))
        #expect(actions == [.send(Self.line("/b")), .failed(.protocolsExhausted(proposed: ["/a", "/b"]))])
    }

    @Test func lazyDialerPipelinesDataAndFailsOnNotAvailable() throws {
        var dialer = try MultistreamDialerStateMachine(protocols: ["/ipfs/id/1.0.0"], lazy: true)
        #expect(dialer.start(pipelining: [1, 2]) == [.send(Self.line("/multistream/1.0.0") + Self.line("/ipfs/id/1.0.0") + [1, 2])])
        #expect(dialer.receive(Self.line("/multistream/1.0.0") + Self.line("na")) == [.failed(.protocolsExhausted(proposed: ["/ipfs/id/1.0.0"]))])
    }

    @Test func dialerRejectsUnexpectedAnswers() throws {
        var dialer = try MultistreamDialerStateMachine(protocols: ["/a"])
        _ = dialer.start()
        #expect(dialer.receive(Self.line("/multistream/2.0.0")) == [.failed(.unexpectedHeader(received: "/multistream/2.0.0"))])
        var second = try MultistreamDialerStateMachine(protocols: ["/a"])
        _ = second.start()
        #expect(second.receive(Self.line("/multistream/1.0.0") + Self.line("/b")) == [.failed(.unexpectedResponse(proposed: "/a", received: "/b"))])
    }

    @Test func dialerRejectsInvalidProtocolIDs() {
        #expect(throws: MultistreamError.invalidProtocolID("", reason: "empty")) {
            try MultistreamDialerStateMachine(protocols: [""])
        }
        #expect(throws: MultistreamError.self) {
            try MultistreamDialerStateMachine(protocols: [String(repeating: "p", count: 1024)])
        }
    }

    @Test func dialerAndListenerBackToBackDripFed() throws {
        var dialer = try MultistreamDialerStateMachine(protocols: ["/x", "/y", "/noise"])
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/noise", "/tls/1.0.0"])
        var toListener = Self.sent(dialer.start())
        var dialerResult: MultistreamAction?
        var listenerResult: MultistreamAction?
        var rounds = 0
        while dialerResult == nil || listenerResult == nil {
            rounds += 1
            try #require(rounds < 1000)
            var toDialer: [UInt8] = []
            for byte in toListener where listenerResult == nil {
                let actions = listener.receive([byte])
                toDialer += Self.sent(actions)
                listenerResult = Self.final(actions) ?? listenerResult
            }
            toListener = []
            for byte in toDialer where dialerResult == nil {
                let actions = dialer.receive([byte])
                toListener += Self.sent(actions)
                dialerResult = Self.final(actions) ?? dialerResult
            }
        }
        #expect(dialerResult == .negotiated(protocol: "/noise", leftover: []))
        #expect(listenerResult == .negotiated(protocol: "/noise", leftover: []))
    }

    @Test func listenerLimitsProposals() {
        let configuration = MultistreamConfiguration(maximumProposalCount: 3)
        var input = Self.line("/multistream/1.0.0")
        for index in 0..<4 { input += Self.line("/unknown/\(index)") }
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/noise"], configuration: configuration)
        let actions = listener.receive(input)
        #expect(actions == [
            .send(Self.line("/multistream/1.0.0") + Self.line("na") + Self.line("na") + Self.line("na")),
            .failed(.tooManyProposals(limit: 3)),
        ])
    }

    @Test func listenerRejectsMissingHeaderAndMalformedInput() {
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/noise"])
        #expect(listener.receive(Self.line("/noise")) == [.failed(.unexpectedHeader(received: "/noise"))])
        var oversized = MultistreamListenerStateMachine(supportedProtocols: ["/noise"])
        #expect(oversized.receive(Self.line("/multistream/1.0.0") + [0xff, 0x7f]) == [
            .send(Self.line("/multistream/1.0.0")), .failed(.messageTooLarge(byteCount: 16383, limit: 1024)),
        ])
    }

    @Test func truncatedInputFails() {
        var listener = MultistreamListenerStateMachine(supportedProtocols: ["/noise"])
        let input = Self.line("/multistream/1.0.0") + Array(Self.line("/noise").prefix(4))
        #expect(listener.receive(input) == [.send(Self.line("/multistream/1.0.0"))])
        #expect(listener.endOfInput() == [.failed(.truncated(bufferedByteCount: 4))])
        var dialer = try? MultistreamDialerStateMachine(protocols: ["/noise"])
        _ = dialer?.start()
        #expect(dialer?.endOfInput() == [.failed(.endOfInput)])
    }

    @Test func randomChunkingGivesSameResult() {
        var rng = SeededRandom(seed: 0x6d73)
        let input = Self.line("/multistream/1.0.0") + Self.line("/libp2p/simultaneous-connect")
            + Self.line("/noise") + Array(repeating: 0x55, count: 40)
        var reference = MultistreamListenerStateMachine(supportedProtocols: ["/noise"])
        let expected = reference.receive(input)
        for _ in 0..<50 {
            var listener = MultistreamListenerStateMachine(supportedProtocols: ["/noise"])
            var sent: [UInt8] = []
            var result: MultistreamAction?
            var offset = 0
            var leftoverTail: [UInt8] = []
            while offset < input.count {
                let size = Int.random(in: 1...9, using: &rng)
                let end = min(offset + size, input.count)
                if result != nil {
                    leftoverTail += input[offset..<end]
                } else {
                    let actions = listener.receive(input[offset..<end])
                    sent += Self.sent(actions)
                    result = Self.final(actions)
                }
                offset = end
            }
            #expect(sent == Self.sent(expected))
            if case .negotiated(_, let leftover) = result {
                #expect(leftover + leftoverTail == Array(repeating: 0x55, count: 40))
            } else {
                Issue.record("expected negotiation, got \(String(describing: result))")
            }
        }
    }
}
