#if canImport(Glibc)
import CairnCore
import CairnCrypto
import CairnNet
import CairnTestSupport
import Foundation
import Testing

@testable import CairnDHT

/// `DHTService` against kubo 0.22's LAN DHT (`/ipfs/lan/kad/1.0.0`, which keeps loopback addresses).
/// Runs only with `CAIRN_KUBO_INTEROP=1`, inside `kubo-peer sandbox`:
/// `CAIRN_KUBO_INTEROP=1 ../shared/tools/kubo-peer sandbox -- swift test --skip-build --filter KuboDHT`.
@Suite("Kademlia DHT against kubo", .serialized, .timeLimit(.minutes(3)),
       .enabled(if: ProcessInfo.processInfo.environment["CAIRN_KUBO_INTEROP"] == "1"))
struct KuboDHTInteropTests {
    @Test("bootstrap through kubo; kubo stores and serves our ADD_PROVIDER and /pk record; we find kubo's content")
    func dhtAgainstKubo() async throws {
        let repo = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-kubo-dht-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: repo) }
        let port = UInt16.random(in: 20_000...40_000)
        let kubo = try KuboPeerProcess(repo: repo.appendingPathComponent("kubo").path, port: port, ed25519: true)
        do {
            try await exercise(kubo, port: port, directory: repo)
        } catch {
            await kubo.stop()
            throw error
        }
        await kubo.stop()
    }

    private func exercise(_ kubo: KuboPeerProcess, port: UInt16, directory: URL) async throws {
        let ready = try await kubo.nextObject(seconds: 90)
        let kuboID = try PeerID(try #require(ready["peer_id"] as? String))
        let kuboPeer = DHTPeer(id: DHTPeerID(multihash: kuboID.multihash), addresses: [try Multiaddr("/ip4/127.0.0.1/tcp/\(port)")])
        let a = try await DHTHostLoopbackTests.makeNode()
        let c = try await DHTHostLoopbackTests.makeNode()
        let aID = DHTPeerID(multihash: a.host.localPeerID.multihash)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in [a, c] {
                let events = await node.host.peerEvents()
                group.addTask { await node.dht.run(peerEvents: events) }
            }
            #expect(await a.dht.bootstrap([kuboPeer]) == 1)
            #expect(await c.dht.bootstrap([kuboPeer]) == 1)

            // Kubo's FIND_NODE answer for A's ID names A with its loopback address (LAN DHT).
            let messenger = StreamDHTMessenger(network: c.host, configuration: c.dht.configuration.dht, clock: SystemDHTClock())
            let found = try await messenger.request(.findNode(aID), to: kuboPeer)
            #expect(found.closerPeers.first { $0.id == aID }?.addresses == (await a.host.listenAddresses()))

            // Our ADD_PROVIDER is stored by kubo and returned to C.
            let ours = Multihash.sha256(Array("cairn content for kubo \(UUID())".utf8))
            #expect(await a.dht.provide(ours) >= 1)
            var listed: [DHTPeer] = []
            for _ in 0..<50 where listed.isEmpty {
                listed = try await messenger.request(.getProviders(ours), to: kuboPeer).providerPeers.filter { $0.id == aID }
                if listed.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(listed.first?.addresses == (await a.host.listenAddresses()), "kubo's providers: \(listed)")
            #expect(await c.dht.findProviders(for: ours, limit: 1).map(\.id) == [aID])

            // A /pk record for A's own key: kubo echoes it with timeReceived and serves it back.
            let publicKey = try #require(try a.host.localPeerID.embeddedPublicKey()).protobufBytes
            let key = Array("/pk/".utf8) + aID.bytes
            let echo = try await messenger.request(.putValue(DHTRecord(key: key, value: publicKey)), to: kuboPeer)
            #expect(echo.record?.value == publicKey)
            #expect(echo.record?.timeReceived.isEmpty == false)
            let fetched = try await messenger.request(.getValue(key), to: kuboPeer)
            #expect(fetched.record?.value == publicKey)

            // Content kubo adds (and provides) is found through the DHT.
            let file = directory.appendingPathComponent("file.txt")
            try Data("kubo content \(UUID())".utf8).write(to: file)
            let added = try await kubo.command(["cmd": "add", "path": file.path])
            let cid = try CID(try #require(added["cid"] as? String))
            var providers: [DHTPeer] = []
            for _ in 0..<50 where providers.isEmpty {
                providers = await c.dht.findProviders(for: cid, limit: 1)
                if providers.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(providers.map(\.id) == [kuboPeer.id])
            group.cancelAll()
        }
        await a.host.shutdown()
        await c.host.shutdown()
    }
}
#endif
