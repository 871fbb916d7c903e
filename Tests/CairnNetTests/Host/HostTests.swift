import CairnCore
import CairnCrypto
import Testing
@testable import CairnNet

/// Real hosts on 127.0.0.1: identify, streams by peer ID, dial deduplication, limits, events.
@Suite("LibP2PHost")
struct HostTests {
    static func makeHost(_ configuration: HostConfiguration = HostConfiguration()) async throws -> LibP2PHost {
        var configuration = configuration
        configuration.listenAddresses = [try Multiaddr("/ip4/127.0.0.1/tcp/0")]
        let host = LibP2PHost(identity: PrivateKey.generateEd25519(), configuration: configuration)
        await host.setStreamHandler(TransportEcho.protocolID, maximumConcurrentStreamCount: nil, handler: TransportEcho.serve)
        try await host.start()
        return host
    }

    static func fullAddress(_ host: LibP2PHost) async -> Multiaddr {
        let address = await host.listenAddresses()[0]
        return Multiaddr(address.components + [.p2p(host.localPeerID.multihash)])
    }

    @Test("connect, identify both ways, then open a stream by peer ID")
    func identifyAndStreams() async throws {
        let a = try await Self.makeHost()
        let b = try await Self.makeHost()
        let events = await b.peerEvents()
        let peer = try await a.connect(to: await Self.fullAddress(b))
        #expect(peer == b.localPeerID)
        try await transportWithTimeout("identify") {
            for await event in events {
                if case .identified(let who, let protocols, let addresses) = event, who == a.localPeerID {
                    #expect(protocols.contains(TransportEcho.protocolID))
                    #expect(protocols.contains(IdentifyService.protocolID))
                    #expect(addresses == (await a.listenAddresses()))
                    return
                }
            }
        }
        // b learned a's listen address through identify, so b can open a stream by peer ID alone.
        let stream = try await b.openStream(to: a.localPeerID, protocols: [TransportEcho.protocolID])
        let echoed = try await TransportEcho.roundTrip(stream, Array("hello".utf8))
        #expect(echoed == Array("hello".utf8))
        #expect(await a.peerInfo(b.localPeerID)?.agentVersion == "cairn/0.1.0")
        await a.shutdown()
        await b.shutdown()
    }

    @Test("identify push: a protocol registered later reaches a connected peer through a push")
    func identifyPush() async throws {
        let a = try await Self.makeHost()
        let b = try await Self.makeHost()
        let events = await b.peerEvents()
        _ = try await b.connect(to: await Self.fullAddress(a))
        await a.setStreamHandler("/cairn/test/late/1.0.0", maximumConcurrentStreamCount: nil) { await $0.reset() }
        await a.pushIdentify()
        try await transportWithTimeout("the pushed identify") {
            for await event in events {
                if case .identified(let who, let protocols, _) = event, who == a.localPeerID,
                   protocols.contains("/cairn/test/late/1.0.0") { return }
            }
        }
        #expect(await b.peerInfo(a.localPeerID)?.protocols.contains("/cairn/test/late/1.0.0") == true)
        await a.shutdown()
        await b.shutdown()
    }

    @Test("streams to a peer with no known address fail with a typed error")
    func noKnownAddress() async throws {
        let a = try await Self.makeHost()
        let stranger = PrivateKey.generateEd25519().peerID
        await #expect(throws: ConnectionError.noKnownAddress(peer: stranger.description)) {
            _ = try await a.openStream(to: stranger, protocols: [TransportEcho.protocolID])
        }
        await a.shutdown()
    }

    @Test("concurrent streams to an unconnected peer share one dial")
    func dialDeduplication() async throws {
        let a = try await Self.makeHost()
        let b = try await Self.makeHost()
        await a.addAddresses(await b.listenAddresses(), for: b.localPeerID)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let stream = try await a.openStream(to: b.localPeerID, protocols: [TransportEcho.protocolID])
                    let payload = Array("stream \(index)".utf8)
                    #expect(try await TransportEcho.roundTrip(stream, payload) == payload)
                }
            }
            try await group.waitForAll()
        }
        #expect(await a.connectionInfos().count == 1)
        await a.shutdown()
        await b.shutdown()
    }

    @Test("a host over its connection limit closes new connections; the dialler gets a closed connection")
    func connectionLimit() async throws {
        let server = try await Self.makeHost(HostConfiguration(maximumConnectionCount: 2))
        let address = await Self.fullAddress(server)
        var clients: [LibP2PHost] = []
        for _ in 0..<4 {
            let client = try await Self.makeHost()
            _ = try? await client.connect(to: address)
            clients.append(client)
        }
        try await transportWithTimeout("refused connections to close") {
            while await server.connectionInfos().count > 2 { try await Task.sleep(for: .milliseconds(20)) }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(await server.connectionInfos().count == 2)
        for client in clients { await client.shutdown() }
        await server.shutdown()
    }

    @Test("disconnect emits the event and the peer can be reached again")
    func disconnectAndReconnect() async throws {
        let a = try await Self.makeHost()
        let b = try await Self.makeHost()
        let events = await a.peerEvents()
        _ = try await a.connect(to: await Self.fullAddress(b))
        #expect(await a.disconnect(b.localPeerID))
        try await transportWithTimeout("disconnected event") {
            for await event in events where event == .disconnected(b.localPeerID) { return }
        }
        #expect(await a.connectedPeers().isEmpty)
        let stream = try await a.openStream(to: b.localPeerID, protocols: [TransportEcho.protocolID])
        #expect(try await TransportEcho.roundTrip(stream, [1, 2, 3]) == [1, 2, 3])
        await a.shutdown()
        await b.shutdown()
    }

    @Test("a dial to the wrong peer ID at a real address fails with peerIDMismatch")
    func wrongPeer() async throws {
        let a = try await Self.makeHost()
        let b = try await Self.makeHost()
        let impostor = PrivateKey.generateEd25519().peerID
        let address = Multiaddr((await b.listenAddresses())[0].components + [.p2p(impostor.multihash)])
        await #expect(throws: ConnectionError.self) { _ = try await a.connect(to: address) }
        #expect(await a.connectedPeers().isEmpty)
        await a.shutdown()
        await b.shutdown()
    }

    @Test("the address book keeps dialable addresses only, bounded per peer and in peers")
    func peerStoreBounds() throws {
        var store = PeerStore(maximumPeerCount: 2, maximumAddressesPerPeer: 2)
        let peers = (0..<3).map { _ in PrivateKey.generateEd25519().peerID }
        let addresses = try (1...3).map { try Multiaddr("/ip4/127.0.0.1/tcp/\(4000 + $0)") }
        store.add(addresses + [try Multiaddr("/ip4/127.0.0.1/udp/9/quic-v1")], for: peers[0])
        #expect(store.entry(for: peers[0])?.addresses == Array(addresses.prefix(2)))
        store.add([addresses[0]], for: peers[1])
        store.add([addresses[1]], for: peers[2], protected: [peers[0]])
        #expect(store.count == 2)
        #expect(store.entry(for: peers[0]) != nil)
        #expect(store.entry(for: peers[1]) == nil)
    }
}

/// The per-connection bound on unread inbound data.
@Suite("Connection memory bound")
struct ConnectionMemoryBoundTests {
    @Test("a peer filling many streams' windows while we do not read has its connection closed")
    func unreadDataIsBounded() async throws {
        let sink = "/cairn/test/never-read/1.0.0"
        var handlers = StreamHandlers()
        handlers.register(sink) { stream in
            // Hold the stream without reading, as a slow or stuck application would.
            try? await Task.sleep(for: .seconds(30))
            await stream.reset()
        }
        let serverConfiguration = ConnectionConfiguration(maximumBufferedInboundByteCount: 1 << 20)
        let listener = try await TCPTransport(configuration: serverConfiguration)
            .listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0"), identity: PrivateKey.generateEd25519(), handlers: handlers)
        let connection = try await TCPTransport().dial(listener.address, identity: PrivateKey.generateEd25519())
        let window = [UInt8](repeating: 7, count: YamuxConfiguration.initialWindowByteCount)
        try await transportWithTimeout("the listener to close the connection") {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        guard let stream = try? await connection.openStream(protocols: [sink]) else { return }
                        try? await stream.write(window)
                    }
                }
            }
            await connection.waitUntilClosed()
        }
        #expect(await connection.isClosed)
        await listener.close()
    }
}
