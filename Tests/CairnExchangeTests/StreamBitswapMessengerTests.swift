import CairnCore
import CairnCrypto
import CairnNet
import Synchronization
import Testing

@testable import CairnExchange

/// A scripted in-memory stream: reads return the given chunks (then the end, or an error), writes are kept.
final class ScriptedStream: BitswapStream, Sendable {
    struct Broken: Error {}
    private struct State {
        var chunks: [[UInt8]]
        var failReadAtEnd: Bool
        var failWrites: Bool
        var written: [[UInt8]] = []
        var wasReset = false
        var wasClosed = false
    }
    private let state: Mutex<State>

    init(chunks: [[UInt8]] = [], failReadAtEnd: Bool = false, failWrites: Bool = false) {
        state = Mutex(State(chunks: chunks, failReadAtEnd: failReadAtEnd, failWrites: failWrites))
    }

    var written: [[UInt8]] { state.withLock { $0.written } }
    var wasReset: Bool { state.withLock { $0.wasReset } }
    var wasClosed: Bool { state.withLock { $0.wasClosed } }

    func read() async throws -> [UInt8]? {
        try state.withLock { state in
            if !state.chunks.isEmpty { return state.chunks.removeFirst() }
            if state.failReadAtEnd { throw Broken() }
            return nil
        }
    }
    func write(_ bytes: [UInt8]) async throws {
        try state.withLock { state in
            if state.failWrites { throw Broken() }
            state.written.append(bytes)
        }
    }
    func closeWrite() async { state.withLock { $0.wasClosed = true } }
    func reset() async { state.withLock { $0.wasReset = true } }
}

/// Collects what `serveInbound` hands on.
actor Inbox {
    var messages: [BitswapMessage] = []
    func add(_ message: BitswapMessage) { messages.append(message) }
}

/// The stream adapter: read-only inbound loops that reset on bad input, one reused outbound stream per peer.
@Suite struct StreamBitswapMessengerTests {
    static let peer = ExchangeTestPeers.many(1, seed: 11)[0]
    static let wantHave = BitswapMessage(wantlist: .init(entries: [.init(cid: BitswapTestVectors.helloRawCID, wantType: .have)]))
    static let presence = BitswapMessage(wantlist: .init(), blockPresences: [.init(cid: BitswapTestVectors.emptyRawCID, type: .dontHave)])

    static func serve(_ stream: ScriptedStream, configuration: BitswapConfiguration = .default)
        async -> (StreamBitswapMessenger.InboundOutcome, [BitswapMessage]) {
        let inbox = Inbox()
        let outcome = await StreamBitswapMessenger.serveInbound(stream, from: peer, configuration: configuration) { message, _ in
            await inbox.add(message)
        }
        return (outcome, await inbox.messages)
    }

    @Test func messagesDrippedByteByByteArriveInOrder() async {
        let bytes = Self.wantHave.framed() + Self.presence.framed()
        let stream = ScriptedStream(chunks: bytes.map { [$0] })
        let (outcome, messages) = await Self.serve(stream)
        #expect(outcome == .finished)
        #expect(messages == [Self.wantHave, Self.presence])
        #expect(stream.wasClosed && !stream.wasReset && stream.written.isEmpty)
    }

    @Test func garbageResetsTheStreamAfterTheGoodMessages() async {
        let garbage: [UInt8] = [0x03, 0xff, 0xff, 0xff]
        let stream = ScriptedStream(chunks: [Self.wantHave.framed(), garbage])
        let (outcome, messages) = await Self.serve(stream)
        guard case .reset(.malformedProtobuf) = outcome else {
            Issue.record("expected a reset for a malformed message, got \(outcome)")
            return
        }
        #expect(messages == [Self.wantHave])
        #expect(stream.wasReset && stream.written.isEmpty)
    }

    @Test func anOversizedPrefixResetsBeforeTheBodyArrives() async {
        let configuration = BitswapConfiguration(maximumMessageByteCount: 1024, maximumBlockByteCount: 512,
                                                 targetOutgoingMessageByteCount: 1024)
        let stream = ScriptedStream(chunks: [Varint.encode(UInt64(2048))], failReadAtEnd: true)
        let (outcome, messages) = await Self.serve(stream, configuration: configuration)
        guard case .reset(.framing) = outcome else {
            Issue.record("expected a framing reset, got \(outcome)")
            return
        }
        #expect(messages.isEmpty && stream.wasReset)
    }

    @Test func aTruncatedMessageResetsTheStream() async {
        let stream = ScriptedStream(chunks: [Array(Self.wantHave.framed().dropLast(3))])
        let (outcome, messages) = await Self.serve(stream)
        guard case .reset(.framing(.truncated)) = outcome else {
            Issue.record("expected a truncation reset, got \(outcome)")
            return
        }
        #expect(messages.isEmpty && stream.wasReset)
    }

    @Test func aFailingReadEndsTheLoop() async {
        let stream = ScriptedStream(chunks: [Self.wantHave.framed()], failReadAtEnd: true)
        let (outcome, messages) = await Self.serve(stream)
        guard case .failed = outcome else {
            Issue.record("expected a read failure, got \(outcome)")
            return
        }
        #expect(messages == [Self.wantHave])
    }

    @Test func oneOutboundStreamIsReusedAndReopenedAfterAFailure() async throws {
        let opened = Mutex<[(ScriptedStream, [String])]>([])
        let first = ScriptedStream()
        let messenger = StreamBitswapMessenger { _, protocols in
            opened.withLock { list in
                let stream = list.isEmpty ? first : ScriptedStream()
                list.append((stream, protocols))
                return stream
            }
        }
        try await messenger.send(Self.wantHave, to: Self.peer)
        try await messenger.send(Self.presence, to: Self.peer)
        #expect(opened.withLock { $0.count } == 1)
        #expect(first.written == [Self.wantHave.framed(), Self.presence.framed()])
        #expect(opened.withLock { $0[0].1 } == ["/ipfs/bitswap/1.2.0", "/ipfs/bitswap/1.1.0", "/ipfs/bitswap/1.0.0", "/ipfs/bitswap"])

        await messenger.peerDisconnected(Self.peer)
        #expect(first.wasReset)
        try await messenger.send(Self.wantHave, to: Self.peer)
        #expect(opened.withLock { $0.count } == 2)
    }

    @Test func aFailedWriteReopensOnceThenThrows() async throws {
        let count = Mutex(0)
        let messenger = StreamBitswapMessenger { _, _ in
            count.withLock { $0 += 1 }
            return ScriptedStream(failWrites: true)
        }
        await #expect(throws: ScriptedStream.Broken.self) {
            try await messenger.send(Self.wantHave, to: Self.peer)
        }
        #expect(count.withLock { $0 } == 1)
    }

    @Test func theOldestOutboundStreamIsClosedOverTheLimit() async throws {
        let peers = ExchangeTestPeers.many(2, seed: 12)
        let opened = Mutex<[ScriptedStream]>([])
        let messenger = StreamBitswapMessenger(maximumOutboundStreamCount: 1) { _, _ in
            let stream = ScriptedStream()
            opened.withLock { $0.append(stream) }
            return stream
        }
        try await messenger.send(Self.wantHave, to: peers[0])
        try await messenger.send(Self.wantHave, to: peers[1])
        let streams = opened.withLock { $0 }
        #expect(streams.count == 2 && streams[0].wasClosed && !streams[1].wasClosed)
        try await messenger.send(Self.wantHave, to: peers[0])   // reopened
        #expect(opened.withLock { $0.count } == 3)
    }
}
