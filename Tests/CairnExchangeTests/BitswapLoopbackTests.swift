import CairnCore
import CairnCrypto
import CairnDAG
import CairnNet
import Testing

@testable import CairnExchange

/// Real `LibP2PHost`s on 127.0.0.1 (TCP, Noise, yamux) running Bitswap through `StreamBitswapMessenger`.
@Suite struct BitswapLoopbackTests {
    struct Node {
        var host: LibP2PHost
        var service: BitswapService
        var store: DictionaryBlockStore
    }

    static let configuration = FetchConfiguration(wantTimeout: .seconds(5), progressTimeout: .seconds(90),
                                                  tickInterval: .milliseconds(50))

    /// A started host with Bitswap registered (before `start()`, so every connection serves it).
    static func makeNode(store: DictionaryBlockStore) async throws -> Node {
        var hostConfiguration = HostConfiguration()
        hostConfiguration.listenAddresses = [try Multiaddr("/ip4/127.0.0.1/tcp/0")]
        let host = LibP2PHost(identity: PrivateKey.generateEd25519(), configuration: hostConfiguration)
        let service = BitswapService(messenger: StreamBitswapMessenger(network: host), store: store,
                                     fetchConfiguration: configuration, clock: ContinuousClock())
        await StreamBitswapMessenger.registerHandlers(on: host, service: service)
        try await host.start()
        return Node(host: host, service: service, store: store)
    }

    static func fullAddress(_ node: Node) async -> Multiaddr {
        let address = await node.host.listenAddresses()[0]
        return Multiaddr(address.components + [.p2p(node.host.localPeerID.multihash)])
    }

    /// Connects a fresh client to `providers` (each serving `file`), fetches the DAG and checks it byte for byte.
    static func fetchOverLoopback(_ file: ImportedFile, providerCount: Int, hintProviders: Bool) async throws {
        var providers: [Node] = []
        for _ in 0..<providerCount { providers.append(try await makeNode(store: file.store)) }
        let client = try await makeNode(store: DictionaryBlockStore())
        let events = await client.host.peerEvents()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in providers + [client] { group.addTask { await node.service.run() } }
            group.addTask { await client.service.followPeerEvents(events) }
            do {
                for provider in providers { _ = try await client.host.connect(to: await fullAddress(provider)) }
                if hintProviders {
                    await client.service.addProviders(providers.map(\.host.localPeerID), for: file.root)
                }
                let progress = try await DAGFetcher(source: client.service).fetch(root: file.root) { block in
                    client.store.put(block)
                }
                #expect(progress.blockCount == file.store.count)
                let bytes = try await UnixFSReader(source: client.store).readAll(file.root, limit: UInt64(file.data.count))
                #expect(bytes == file.data)
                let stats = await client.service.stats()
                #expect(stats.blocksReceived == file.store.count && stats.unwantedBlocksReceived == 0)
                var sentByProviders = 0
                for provider in providers { sentByProviders += await provider.service.stats().blocksSent }
                #expect(sentByProviders >= file.store.count)
            } catch {
                group.cancelAll()
                for node in providers + [client] { await node.host.shutdown() }
                throw error
            }
            group.cancelAll()
            for node in providers + [client] { await node.host.shutdown() }
        }
    }

    @Test func twoHostsTransferAKuboShapedDAG() async throws {
        let file = try await ImportedFile.make(byteCount: 5 << 20, chunkByteCount: 256 << 10, rawLeaves: false, seed: 21)
        try await Self.fetchOverLoopback(file, providerCount: 1, hintProviders: false)
    }

    @Test func threeHostsTransferARawLeafDAGFromTwoProviders() async throws {
        let file = try await ImportedFile.make(byteCount: 4 << 20, chunkByteCount: 32 << 10, rawLeaves: true, seed: 22)
        try await Self.fetchOverLoopback(file, providerCount: 2, hintProviders: true)
    }
}
