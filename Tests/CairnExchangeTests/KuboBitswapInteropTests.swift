#if canImport(Glibc)
import CairnCore
import CairnCrypto
import CairnDAG
import CairnNet
import CairnTestSupport
import Foundation
import Testing

@testable import CairnExchange

/// Bitswap against a real kubo 0.22, both directions, inside `kubo-peer sandbox` (only loopback exists there):
/// `CAIRN_KUBO_INTEROP=1 ../shared/tools/kubo-peer sandbox -- swift test --skip-build --filter KuboBitswap`.
///
/// Gated on its own variable rather than CI's `CAIRN_KUBO_INTEROP` until CairnNet's
/// `ConnectionDriver.pushBack` stops reading `streams` inside its own modify access: kubo pipelines its
/// first Bitswap message behind the lazy multistream negotiation, the leftover bytes take that path, and the
/// exclusivity check aborts the process. With that one-line fix both tests pass.
@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: ProcessInfo.processInfo.environment["CAIRN_KUBO_INTEROP"] == "1"))
struct KuboBitswapInteropTests {
    static func withKuboAndNode(
        store: DictionaryBlockStore,
        _ body: (KuboPeerProcess, Multiaddr, BitswapLoopbackTests.Node, TemporaryDirectory) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let port = UInt16.random(in: 20_000...40_000)
        let kubo = try KuboPeerProcess(repo: directory.path("kubo-repo"), port: port, ed25519: true)
        let node = try await BitswapLoopbackTests.makeNode(store: store)
        let events = await node.host.peerEvents()
        do {
            let ready = try await kubo.nextObject(seconds: 90)
            let peer = try PeerID(try #require(ready["peer_id"] as? String))
            let address = try Multiaddr("/ip4/127.0.0.1/tcp/\(port)/p2p/\(peer)")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await node.service.run() }
                group.addTask { await node.service.followPeerEvents(events) }
                do {
                    try await body(kubo, address, node, directory)
                } catch {
                    group.cancelAll()
                    throw error
                }
                group.cancelAll()
            }
        } catch {
            await node.host.shutdown()
            await kubo.stop()
            throw error
        }
        await node.host.shutdown()
        await kubo.stop()
    }

    static func randomFile(byteCount: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededRandom(seed: seed)
        var data = [UInt8](repeating: 0, count: byteCount)
        rng.fill(&data)
        return data
    }

    @Test func cairnFetchesAFileKuboAdded() async throws {
        let store = DictionaryBlockStore()
        try await Self.withKuboAndNode(store: store) { kubo, kuboAddress, node, directory in
            let data = Self.randomFile(byteCount: 3 << 20 + 12345, seed: 41)
            let path = try directory.write("input.bin", data)
            let added = try await kubo.command(["cmd": "add", "path": path])
            let root = try CID(try #require(added["cid"] as? String))
            let kuboPeer = try await node.host.connect(to: kuboAddress)
            await node.service.addProviders([kuboPeer], for: root)
            try await DAGFetcher(source: node.service).fetch(root: root) { store.put($0) }
            let bytes = try await UnixFSReader(source: store).readAll(root, limit: UInt64(data.count))
            #expect(bytes == data)
            #expect(await node.service.stats().unwantedBlocksReceived == 0)
        }
    }

    @Test func kuboFetchesAFileCairnHolds() async throws {
        let data = Self.randomFile(byteCount: 3 << 20 + 54321, seed: 42)
        let store = DictionaryBlockStore()
        let imported = try await FileImporter().importFile(from: MemoryChunkInput(data), into: store)
        try await Self.withKuboAndNode(store: store) { kubo, _, node, directory in
            let listen = await node.host.listenAddresses()[0]
            let ours = Multiaddr(listen.components + [.p2p(node.host.localPeerID.multihash)])
            let connected = try await kubo.command(["cmd": "connect", "addr": ours.description])
            #expect(connected["ok"] as? Bool == true)
            let destination = directory.path("output.bin")
            let reply = try await kubo.command(["cmd": "download", "cid": imported.cid.description,
                                                "dest": destination, "timeout": 60], seconds: 90)
            #expect(reply["ok"] as? Bool == true, "kubo: \(reply)")
            let fetched = try [UInt8](Data(contentsOf: URL(fileURLWithPath: destination)))
            #expect(fetched == data)
            #expect(await node.service.stats().blocksSent >= store.count)
        }
    }
}
#endif
