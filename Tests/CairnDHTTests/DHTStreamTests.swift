import CairnCore
import CairnTestSupport
import Foundation
import Synchronization
import Testing

@testable import CairnDHT

/// The stream side: `DHTService.serve` (inbound) and `StreamDHTMessenger` (outbound) on scripted streams,
/// with well-formed, malformed, truncated and oversized input.
@Suite struct DHTStreamTests {
    let peers = DHTTestPeers.many(30, seed: 91)

    func makeService(mode: DHTServiceConfiguration.Mode = .server, clock: ManualDHTClock = ManualDHTClock()) async -> DHTService {
        let service = DHTService(localPeer: peers[0], configuration: DHTServiceConfiguration(mode: mode),
                                 messenger: RefusingMessenger(), clock: clock)
        for (index, peer) in peers.enumerated().dropFirst(2) {
            // Public (TEST-NET-2) addresses: the WAN DHT admits only peers it could hand out to others.
            let address = try? Multiaddr("/ip4/198.51.100.\(index)/tcp/4001")
            await service.peerIdentified(DHTPeer(id: peer, addresses: address.map { [$0] } ?? []), protocols: [DHTConfiguration.wanProtocolID])
        }
        return service
    }

    @Test func serveAnswersSeveralRequestsOnOneStreamAndClosesAtTheEnd() async throws {
        let service = await makeService()
        let content = Multihash.sha256(Array("x".utf8))
        let requests: [DHTMessage] = [.findNode(peers[9]), .addProvider(content, provider: DHTPeer(id: peers[1])), .getProviders(content)]
        // Deliver the three frames in awkward chunks: byte by byte for the first, all together for the rest.
        let first = requests[0].framed()
        let stream = ScriptedDHTStream(remotePeer: peers[1],
                                       inbound: first.map { [$0] } + [requests[1].framed() + requests[2].framed()])
        await service.serve(stream)
        let replies = try stream.writtenMessages()
        #expect(replies.map(\.type) == [.findNode, .getProviders])  // ADD_PROVIDER gets no reply
        #expect(replies[0].closerPeers.count == 20)
        #expect(replies[1].providerPeers.map(\.id) == [peers[1]])
        #expect(stream.isWriteClosed && !stream.isReset)
    }

    @Test(arguments: [
        ("malformed protobuf", [0x03, 0x08, 0x09, 0xff]),
        ("oversized length prefix", [0x80, 0x80, 0x80, 0x04]),  // 8 MiB > 4 MiB
        ("truncated frame", [0x10, 0x08, 0x04, 0x12]),
        ("truncated length prefix", [0x80]),
        ("unsupported record namespace", DHTMessage.putValue(DHTRecord(key: Array("/foo/bar".utf8), value: [1])).framed()),
        ("request without key", DHTMessage(type: .findNode).framed()),
    ] as [(String, [UInt8])])
    func serveResetsOnInvalidInputWithoutReplying(_ name: String, _ input: [UInt8]) async throws {
        let service = await makeService()
        let stream = ScriptedDHTStream(remotePeer: peers[1], inbound: [input])
        await service.serve(stream)
        #expect(stream.isReset, "\(name)")
        #expect(stream.written.isEmpty, "\(name)")
    }

    @Test func serveSurvivesRandomBytes() async throws {
        let service = await makeService()
        var random = SeededRandom(seed: 5)
        for round in 0..<300 {
            let length = Int(random.next() % 64)
            var bytes = random.bytes(length)
            if round % 3 == 0 { bytes = DHTMessage.findNode(peers[3]).framed() + bytes }
            let stream = ScriptedDHTStream(remotePeer: peers[1], inbound: [bytes])
            await service.serve(stream)
            #expect(stream.isReset || stream.isWriteClosed)
        }
    }

    @Test func serveResetsAnIdleStreamAfterTheIdleTimeout() async throws {
        let clock = ManualDHTClock()
        let service = await makeService(clock: clock)
        let stream = ScriptedDHTStream(remotePeer: peers[1], inbound: [DHTMessage(type: .ping).framed()], hangsAtEnd: true)
        await runAdvancing(clock) { await service.serve(stream) }
        #expect(stream.isReset)
        #expect(try stream.writtenMessages().map(\.type) == [.ping])
        #expect(clock.now() >= DHTTestPeers.epoch + 60)
    }

    @Test func clientModeRefusesInboundStreams() async throws {
        let service = await makeService(mode: .client)
        let stream = ScriptedDHTStream(remotePeer: peers[1], inbound: [DHTMessage(type: .ping).framed()])
        await service.serve(stream)
        #expect(stream.isReset && stream.written.isEmpty)
    }

    // MARK: - StreamDHTMessenger

    /// A messenger whose every stream is a fresh scripted stream answering with `response`.
    func messenger(answering response: [[UInt8]], hangs: Bool = false, clock: ManualDHTClock = ManualDHTClock())
        -> (StreamDHTMessenger, StreamLog) {
        let log = StreamLog()
        let remote = peers[1]
        let messenger = StreamDHTMessenger(clock: clock, requestTimeout: .seconds(5)) { peer, protocols throws(DHTError) in
            #expect(protocols == [DHTConfiguration.wanProtocolID])
            let stream = ScriptedDHTStream(remotePeer: remote, inbound: response, hangsAtEnd: hangs)
            log.append(stream)
            return stream
        }
        return (messenger, log)
    }

    @Test func messengerWritesOneFramedRequestAndReturnsTheResponse() async throws {
        let request = DHTMessage.findNode(peers[4])
        let response = DHTMessage(type: .findNode, closerPeers: [DHTPeer(id: peers[5])], clusterLevelRaw: 1)
        let framed = response.framed()
        let (messenger, log) = messenger(answering: [Array(framed.prefix(3)), Array(framed.dropFirst(3))])
        let reply = try await messenger.request(request, to: DHTPeer(id: peers[1]))
        #expect(reply == response)
        let stream = try #require(log.streams.first)
        #expect(stream.written == request.framed())
        #expect(stream.isWriteClosed && !stream.isReset)
    }

    @Test func messengerSendWritesWithoutWaiting() async throws {
        let announcement = DHTMessage.addProvider(Multihash.sha256([1]), provider: DHTPeer(id: peers[0]))
        let clock = ManualDHTClock()
        let (messenger, log) = messenger(answering: [], hangs: true, clock: clock)
        try await messenger.send(announcement, to: DHTPeer(id: peers[1]))
        let stream = try #require(log.streams.first)
        #expect(stream.written == announcement.framed())
        #expect(stream.isWriteClosed)
    }

    @Test(arguments: [
        ("malformed", [[0x02, 0x08, 0x09]], DHTError.unknownEnumValue(field: "Message.type", value: 9)),
        ("oversized", [[0xff, 0xff, 0xff, 0x7f]], DHTError.tooLarge(context: "frame", byteCount: 268_435_455, limit: 4 * 1024 * 1024)),
        ("truncated", [[0x10, 0x08, 0x04]], DHTError.truncatedFrame(bufferedByteCount: 2)),
        ("no response", [], DHTError.noResponse(type: .findNode)),
        ("wrong type", [DHTMessage(type: .ping).framed()], DHTError.unexpectedResponse(expected: .findNode, actual: .ping)),
    ] as [(String, [[UInt8]], DHTError)])
    func messengerResetsOnABadResponse(_ name: String, _ response: [[UInt8]], _ expected: DHTError) async throws {
        let (messenger, log) = messenger(answering: response)
        await #expect(throws: expected, "\(name)") {
            try await messenger.request(.findNode(peers[4]), to: DHTPeer(id: peers[1]))
        }
        #expect(log.streams.first?.isReset == true, "\(name)")
    }

    @Test func messengerTimesOutAndResetsASilentStream() async throws {
        let clock = ManualDHTClock()
        let (messenger, log) = messenger(answering: [], hangs: true, clock: clock)
        let target = DHTPeer(id: peers[1])
        let request = DHTMessage.findNode(peers[4])
        let result = await runAdvancing(clock) { () -> Result<DHTMessage, DHTError> in
            do throws(DHTError) { return .success(try await messenger.request(request, to: target)) } catch { return .failure(error) }
        }
        #expect(result == .failure(.requestTimedOut(peer: peers[1], limit: .seconds(5))))
        #expect(log.streams.first?.isReset == true)
    }

    @Test func unreachablePeersAreATypedError() async throws {
        let messenger = StreamDHTMessenger(clock: ManualDHTClock()) { peer, _ throws(DHTError) in
            throw .peerUnreachable(peer: peer.id, reason: "no address")
        }
        await #expect(throws: DHTError.peerUnreachable(peer: peers[2], reason: "no address")) {
            try await messenger.request(.findNode(peers[4]), to: DHTPeer(id: peers[2]))
        }
    }
}

/// The streams a test messenger opened.
final class StreamLog: Sendable {
    private let opened = Mutex<[ScriptedDHTStream]>([])
    func append(_ stream: ScriptedDHTStream) { opened.withLock { $0.append(stream) } }
    var streams: [ScriptedDHTStream] { opened.withLock { $0 } }
}

/// A messenger for services that must not send anything.
struct RefusingMessenger: DHTMessenger {
    func request(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError) -> DHTMessage {
        throw .peerUnreachable(peer: peer.id, reason: "test: no network")
    }

    func send(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError) {
        throw .peerUnreachable(peer: peer.id, reason: "test: no network")
    }
}
