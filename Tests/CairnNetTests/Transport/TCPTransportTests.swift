import CairnCore
import CairnCrypto
import Foundation
import Testing
@testable import CairnNet

/// Two Cairn endpoints on 127.0.0.1: the full upgrade over real sockets, streams both ways, ping, errors.
@Suite("TCP transport on loopback", .timeLimit(.minutes(2)))
struct TCPTransportTests {
    @Test("dial a listener on port 0: both sides see each other's peer ID and exchange MiB both ways intact")
    func dialAndExchange() async throws {
        let transport = TCPTransport()
        let listenerKey = PrivateKey.generateEd25519()
        let dialerKey = PrivateKey.generateEd25519()
        let listener = try await transport.listen(on: transportLoopback, identity: listenerKey, handlers: TransportEcho.handlers)
        #expect(listener.address.peerID == listenerKey.peerID.multihash)
        #expect(listener.address.description.hasPrefix("/ip4/127.0.0.1/tcp/"))
        #expect(!listener.address.description.hasPrefix("/ip4/127.0.0.1/tcp/0/"))

        let connection = try await transportWithTimeout("dial") {
            try await transport.dial(listener.address, identity: dialerKey, handlers: TransportEcho.handlers)
        }
        #expect(connection.remotePeerID == listenerKey.peerID)
        let inbound = try await transportWithTimeout("inbound connection") {
            var iterator = listener.connections.makeAsyncIterator()
            guard let next = await iterator.next() else { throw TransportTestTimeout(what: "a connection") }
            return next
        }
        #expect(inbound.remotePeerID == dialerKey.peerID)

        // Dialer → listener: odd stream, 3 MiB echoed.
        let outbound = try await transportWithTimeout("open stream") {
            try await connection.openStream(protocols: ["/cairn/test/unknown/1.0.0", TransportEcho.protocolID])
        }
        #expect(outbound.protocolID == TransportEcho.protocolID)
        #expect(outbound.streamID % 2 == 1)
        let upload = transportPayload(count: 3 * 1024 * 1024 + 17, seed: 1)
        let echoed = try await transportWithTimeout("echo from the listener") { try await TransportEcho.roundTrip(outbound, upload) }
        #expect(echoed.count == upload.count)
        #expect(echoed == upload)

        // Listener → dialer: even stream, 2 MiB echoed, concurrently with a second dialer stream.
        let download = transportPayload(count: 2 * 1024 * 1024 + 5, seed: 2)
        async let reverse: [UInt8] = transportWithTimeout("echo from the dialer") {
            let stream = try await inbound.openStream(protocols: [TransportEcho.protocolID])
            #expect(stream.streamID % 2 == 0)
            return try await TransportEcho.roundTrip(stream, download)
        }
        async let forward: [UInt8] = transportWithTimeout("second echo from the listener") {
            let stream = try await connection.openStream(protocols: [TransportEcho.protocolID])
            return try await TransportEcho.roundTrip(stream, upload)
        }
        let (reversed, forwarded) = try await (reverse, forward)
        #expect(reversed == download)
        #expect(forwarded == upload)

        await connection.close()
        await listener.close()
        #expect(await connection.isClosed)
    }

    @Test("ping: 32-byte payloads are echoed on /ipfs/ping/1.0.0")
    func ping() async throws {
        let transport = TCPTransport()
        let listener = try await transport.listen(on: transportLoopback, identity: .generateEd25519())
        let connection = try await transportWithTimeout("dial") {
            try await transport.dial(listener.address, identity: .generateEd25519())
        }
        let stream = try await transportWithTimeout("ping stream") { try await connection.openStream(protocols: [PingService.protocolID]) }
        for round in 0..<3 {
            let payload = transportPayload(count: 32, seed: UInt64(round))
            try await stream.write(payload)
            let echo = try await transportWithTimeout("pong") { try await stream.read(exactly: 32) }
            #expect(echo == payload)
        }
        await stream.closeWrite()
        await connection.close()
        await listener.close()
    }

    @Test("a third concurrent inbound ping stream is reset; the first two keep working")
    func pingStreamLimit() async throws {
        let transport = TCPTransport()
        let listener = try await transport.listen(on: transportLoopback, identity: .generateEd25519())
        let connection = try await transportWithTimeout("dial") {
            try await transport.dial(listener.address, identity: .generateEd25519())
        }
        var streams: [LibP2PStream] = []
        for round in 0..<PingService.maximumInboundStreamCount {
            let stream = try await transportWithTimeout("ping stream") { try await connection.openStream(protocols: [PingService.protocolID]) }
            let payload = transportPayload(count: 32, seed: UInt64(round))
            try await stream.write(payload)
            #expect(try await transportWithTimeout("pong") { try await stream.read(exactly: 32) } == payload)
            streams.append(stream)
        }
        // Negotiation succeeds (the listener echoes the protocol) but the handler is not run: RST follows.
        let extra = try await transportWithTimeout("third ping stream") { try await connection.openStream(protocols: [PingService.protocolID]) }
        await #expect(throws: ConnectionError.streamReset(streamID: extra.streamID)) {
            try await transportWithTimeout("reset of the third stream") { try await extra.read() }
        }
        for stream in streams { await stream.closeWrite() }
        await connection.close()
        await listener.close()
    }

    @Test("a protocol the listener does not serve is refused with na")
    func unknownProtocol() async throws {
        let transport = TCPTransport()
        let listener = try await transport.listen(on: transportLoopback, identity: .generateEd25519())
        let connection = try await transportWithTimeout("dial") {
            try await transport.dial(listener.address, identity: .generateEd25519())
        }
        await #expect(throws: ConnectionError.multistream(.protocolsExhausted(proposed: ["/cairn/nothing/1.0.0"]))) {
            try await transportWithTimeout("refusal") { try await connection.openStream(protocols: ["/cairn/nothing/1.0.0"]) }
        }
        // The connection is still usable afterwards.
        let stream = try await transportWithTimeout("ping stream") { try await connection.openStream(protocols: [PingService.protocolID]) }
        #expect(stream.protocolID == PingService.protocolID)
        await connection.close()
        await listener.close()
    }

    @Test("dialling with the wrong expected peer ID fails with a typed Noise error")
    func wrongPeerID() async throws {
        let transport = TCPTransport()
        let listenerKey = PrivateKey.generateEd25519()
        let listener = try await transport.listen(on: transportLoopback, identity: listenerKey)
        let impostor = PrivateKey.generateEd25519().peerID
        let address = listener.address.removingPeerID.appending(.p2p(impostor.multihash))
        await #expect(throws: ConnectionError.noise(.peerIDMismatch(expected: impostor, actual: listenerKey.peerID))) {
            try await transportWithTimeout("failing dial") { try await transport.dial(address, identity: .generateEd25519()) }
        }
        await listener.close()
    }

    @Test("cancelling a waiting read ends it at once, and data arriving later is not lost")
    func cancelledRead() async throws {
        let transport = TCPTransport()
        let listener = try await transport.listen(on: transportLoopback, identity: .generateEd25519(), handlers: TransportEcho.handlers)
        let connection = try await transportWithTimeout("dial") {
            try await transport.dial(listener.address, identity: .generateEd25519())
        }
        let stream = try await transportWithTimeout("echo stream") { try await connection.openStream(protocols: [TransportEcho.protocolID]) }
        let pending = Task { try await stream.read() }
        try await Task.sleep(for: .milliseconds(50))
        pending.cancel()
        await #expect(throws: ConnectionError.cancelled) { try await pending.value }
        try await stream.write(Array("after".utf8))
        let echo = try await transportWithTimeout("echo after a cancelled read") { try await stream.read(exactly: 5) }
        #expect(echo == Array("after".utf8))
        await connection.close()
        await listener.close()
    }

    @Test("closing the connection fails a waiting read with a typed error")
    func closeWakesReaders() async throws {
        let transport = TCPTransport()
        let listener = try await transport.listen(on: transportLoopback, identity: .generateEd25519(), handlers: TransportEcho.handlers)
        let connection = try await transportWithTimeout("dial") {
            try await transport.dial(listener.address, identity: .generateEd25519())
        }
        let stream = try await transportWithTimeout("echo stream") { try await connection.openStream(protocols: [TransportEcho.protocolID]) }
        let read = Task { try await transportWithTimeout("read ended by close") { try await stream.read() } }
        try await Task.sleep(for: .milliseconds(50))
        await connection.close()
        await #expect(throws: ConnectionError.connectionClosed(reason: "closed locally")) { try await read.value }
        await #expect(throws: ConnectionError.self) { try await connection.openStream(protocols: [PingService.protocolID]) }
        await listener.close()
    }

    @Test("small outbound queue and frequent keep-alive pings: transfers stay intact and the session stays up")
    func tightLimits() async throws {
        // One second between pings (go-yamux uses 30 s): three rounds pass in the test. The default 10 s
        // timeout keeps a starved test process (two cooperative threads shared by every suite) from
        // cutting a live session for a late pong.
        let configuration = ConnectionConfiguration(maximumQueuedOutboundByteCount: 70_000, keepAliveInterval: .seconds(1))
        let transport = TCPTransport(configuration: configuration)
        let listener = try await transport.listen(on: transportLoopback, identity: .generateEd25519(), handlers: TransportEcho.handlers)
        let connection = try await transportWithTimeout("dial") {
            try await transport.dial(listener.address, identity: .generateEd25519())
        }
        let payload = transportPayload(count: 1024 * 1024 + 3, seed: 3)
        let echoed = try await transportWithTimeout("echo under a 70 kB outbound queue") {
            let stream = try await connection.openStream(protocols: [TransportEcho.protocolID])
            return try await TransportEcho.roundTrip(stream, payload)
        }
        #expect(echoed == payload)
        // Several keep-alive rounds pass; each ping is answered, so neither side ends the session.
        try await Task.sleep(for: .milliseconds(3_200))
        #expect(await connection.isClosed == false)
        let stream = try await transportWithTimeout("ping stream") { try await connection.openStream(protocols: [PingService.protocolID]) }
        #expect(stream.protocolID == PingService.protocolID)
        await connection.close()
        await listener.close()
    }

    @Test("a listener at its connection limit closes further sockets; the dial fails with a typed error")
    func connectionLimit() async throws {
        let transport = TCPTransport()
        let listener = try await transport.listen(on: transportLoopback, identity: .generateEd25519(), maximumConnectionCount: 1)
        let first = try await transportWithTimeout("first dial") { try await transport.dial(listener.address, identity: .generateEd25519()) }
        await #expect(throws: ConnectionError.self) {
            try await transportWithTimeout("refused second dial") { try await transport.dial(listener.address, identity: .generateEd25519()) }
        }
        #expect(await first.isClosed == false)
        #expect(await listener.connectionCount == 1)
        await first.close()
        await listener.close()
    }

    @Test("unsupported and unreachable addresses are typed errors")
    func badAddresses() async throws {
        let transport = TCPTransport()
        let udp = try Multiaddr("/ip4/127.0.0.1/udp/4001")
        await #expect(throws: ConnectionError.self) { try await transport.dial(udp, identity: .generateEd25519()) }
        // Nothing listens on port 1 of the loopback interface.
        let closed = try Multiaddr("/ip4/127.0.0.1/tcp/1")
        await #expect(throws: ConnectionError.self) {
            try await transportWithTimeout("refused dial") { try await transport.dial(closed, identity: .generateEd25519()) }
        }
    }
}
