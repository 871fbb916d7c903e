#if canImport(Glibc)
import CairnCore
import CairnTestSupport
import CairnCrypto
import Foundation
import Testing
@testable import CairnNet

/// Counts inbound streams per protocol, to see that kubo's own streams reached our handlers.
actor KuboStreamCounter {
    private(set) var counts: [String: Int] = [:]
    func record(_ protocolID: String) { counts[protocolID, default: 0] += 1 }

    /// The identify protocol ID; kubo opens it on every new connection.
    static let identify = "/ipfs/id/1.0.0"

    /// Handlers serving ping like the defaults, and accepting identify only to count it and reset it (a
    /// reset is what kubo gets after `na` too), all counted.
    nonisolated var handlers: StreamHandlers {
        var handlers = StreamHandlers(includingPing: false)
        handlers.register(PingService.protocolID) { stream in
            await self.record(stream.protocolID)
            await PingService.serve(stream)
        }
        handlers.register(Self.identify) { stream in
            await self.record(stream.protocolID)
            await stream.reset()
        }
        return handlers
    }
}

/// Cairn's TCP transport against a real kubo 0.22, both directions. Runs only with `CAIRN_KUBO_INTEROP=1`,
/// inside `kubo-peer sandbox` (kubo refuses to start outside an isolated network namespace):
/// `CAIRN_KUBO_INTEROP=1 ../shared/tools/kubo-peer sandbox -- swift test --skip-build --filter Transport`.
@Suite("TCP transport against kubo", .serialized, .timeLimit(.minutes(3)),
       .enabled(if: ProcessInfo.processInfo.environment["CAIRN_KUBO_INTEROP"] == "1"))
struct KuboTransportInteropTests {
    static func withKubo(ed25519: Bool, _ body: (KuboPeerProcess, PeerID, Multiaddr) async throws -> Void) async throws {
        let repo = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-kubo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: repo) }
        let port = UInt16.random(in: 20_000...40_000)
        let kubo = try KuboPeerProcess(repo: repo, port: port, ed25519: ed25519)
        do {
            let ready = try await kubo.nextObject(seconds: 90)
            #expect(ready["event"] as? String == "ready")
            let peer = try PeerID(try #require(ready["peer_id"] as? String))
            // kubo-peer's default identity is RSA (Qm…); --ed25519 gives 12D3KooW….
            #expect(peer.description.hasPrefix(ed25519 ? "12D3KooW" : "Qm"))
            let address = try Multiaddr("/ip4/127.0.0.1/tcp/\(port)/p2p/\(peer)")
            try await body(kubo, peer, address)
        } catch {
            await kubo.stop()
            throw error
        }
        await kubo.stop()
    }

    @Test("Cairn dials kubo: upgrade, kubo lists us as a peer, ping round trips, the connection stays up",
          arguments: [false, true])
    func dialKubo(ed25519: Bool) async throws {
        try await Self.withKubo(ed25519: ed25519) { kubo, kuboPeer, address in
            let identity = PrivateKey.generateEd25519()
            let counter = KuboStreamCounter()
            let connection = try await transportWithTimeout("dial kubo") {
                try await TCPTransport().dial(address, identity: identity, handlers: counter.handlers)
            }
            #expect(connection.remotePeerID == kuboPeer)

            let stream = try await transportWithTimeout("ping stream to kubo") {
                try await connection.openStream(protocols: [PingService.protocolID])
            }
            let payload = transportPayload(count: 32, seed: 9)
            try await stream.write(payload)
            let echo = try await transportWithTimeout("kubo's pong") { try await stream.read(exactly: 32) }
            #expect(echo == payload)
            await stream.closeWrite()

            // Give kubo time for identify, ping and the rest; the connection must survive them.
            try await Task.sleep(for: .seconds(3))
            let peers = try await kubo.command(["cmd": "peers"])
            let listed = (peers["peers"] as? [String]) ?? []
            #expect(listed.contains { $0.hasSuffix(identity.peerID.description) }, "kubo peers: \(listed)")
            #expect(await connection.isClosed == false)
            // Kubo opens identify on every new connection: its inbound stream reached our handler.
            let counts = await counter.counts
            #expect(counts[KuboStreamCounter.identify, default: 0] >= 1, "inbound: \(counts)")
            await connection.close()
        }
    }

    @Test("kubo dials a Cairn listener: connect succeeds, kubo's peer ID is authenticated, it stays connected",
          arguments: [false, true])
    func kuboDialsCairn(ed25519: Bool) async throws {
        try await Self.withKubo(ed25519: ed25519) { kubo, kuboPeer, _ in
            let identity = PrivateKey.generateEd25519()
            let counter = KuboStreamCounter()
            let listener = try await TCPTransport().listen(on: transportLoopback, identity: identity, handlers: counter.handlers)
            let reply = try await kubo.command(["cmd": "connect", "addr": listener.address.description])
            #expect(reply["ok"] as? Bool == true, "kubo connect: \(reply)")
            let inbound = try await transportWithTimeout("kubo's connection") {
                var iterator = listener.connections.makeAsyncIterator()
                guard let next = await iterator.next() else { throw TransportTestTimeout(what: "a connection") }
                return next
            }
            #expect(inbound.remotePeerID == kuboPeer)

            // We open a stream to kubo over its connection (even stream ID) and ping it.
            let stream = try await transportWithTimeout("ping stream to kubo") {
                try await inbound.openStream(protocols: [PingService.protocolID])
            }
            #expect(stream.streamID % 2 == 0)
            let payload = transportPayload(count: 32, seed: 10)
            try await stream.write(payload)
            #expect(try await transportWithTimeout("kubo's pong") { try await stream.read(exactly: 32) } == payload)
            await stream.closeWrite()

            try await Task.sleep(for: .seconds(3))
            let peers = try await kubo.command(["cmd": "peers"])
            let listed = (peers["peers"] as? [String]) ?? []
            #expect(listed.contains { $0.hasSuffix(identity.peerID.description) }, "kubo peers: \(listed)")
            #expect(await inbound.isClosed == false)
            let counts = await counter.counts
            #expect(counts[KuboStreamCounter.identify, default: 0] >= 1, "inbound: \(counts)")
            await listener.close()
        }
    }
}
#endif
