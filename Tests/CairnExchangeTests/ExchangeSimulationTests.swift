import CairnCore
import CairnCrypto
import CairnDAG
import CairnTestSupport
import Testing

@testable import CairnExchange

/// Several `BitswapService`s on the in-memory simulator fetching a 5 MiB UnixFS DAG through `DAGFetcher`.
@Suite struct ExchangeSimulationTests {
    static let fileByteCount = 5 << 20

    /// Short want timeouts so re-asks happen within a test; the clock is the real one (no sleeping in the
    /// tests), so the stall limit leaves room for a CI machine busy with the rest of the suite.
    static let configuration = FetchConfiguration(
        wantTimeout: .seconds(1), progressTimeout: .seconds(90), maximumUnwantedBlockCountPerPeer: 3,
        tickInterval: .milliseconds(20))

    struct Outcome {
        var client: BitswapStats
        var destination: DictionaryBlockStore
        var simulator: ExchangeSimulator
        var providers: [PeerID]
    }

    /// Fetches `file` into an empty store from `providerCount` providers, after `prepare` set up faults.
    static func fetch(
        _ file: ImportedFile, providerCount: Int, configuration: FetchConfiguration = configuration,
        prepare: (ExchangeSimulator, [PeerID]) async -> Void = { _, _ in }
    ) async throws -> Outcome {
        let peers = ExchangeTestPeers.many(providerCount + 1, seed: UInt64(providerCount) * 31)
        let (client, providers) = (peers[0], Array(peers.dropFirst()))
        let simulator = ExchangeSimulator()
        let destination = DictionaryBlockStore()
        let clientService = BitswapService(
            messenger: simulator.messenger(for: client), store: destination, fetchConfiguration: configuration,
            clock: ContinuousClock(), onMisbehavingPeer: { peer, _ in await simulator.reportMisbehaving(peer) })
        await simulator.attach(clientService, as: client)
        var services = [clientService]
        for provider in providers {
            let service = BitswapService(messenger: simulator.messenger(for: provider), store: file.store,
                                         fetchConfiguration: configuration, clock: ContinuousClock())
            await simulator.attach(service, as: provider)
            services.append(service)
        }
        await prepare(simulator, providers)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { await service.run() } }
            do {
                await clientService.addProviders(providers, for: file.root)
                try await DAGFetcher(source: clientService).fetch(root: file.root, write: { destination.put($0) })
                group.cancelAll()
                return Outcome(client: await clientService.stats(), destination: destination, simulator: simulator,
                               providers: providers)
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Checks the fetched DAG is the original, block for block and byte for byte.
    static func expectIdentical(_ outcome: Outcome, _ file: ImportedFile) async throws {
        #expect(outcome.destination.all == file.store.all)
        let bytes = try await UnixFSReader(source: outcome.destination).readAll(file.root, limit: UInt64(fileByteCount))
        #expect(bytes == file.data)
    }

    @Test(arguments: [1, 4, 8])
    func fetchesFromSeveralProviders(providerCount: Int) async throws {
        let file = try await ImportedFile.make(byteCount: Self.fileByteCount, chunkByteCount: 16 << 10, rawLeaves: true, seed: 1)
        let outcome = try await Self.fetch(file, providerCount: providerCount)
        try await Self.expectIdentical(outcome, file)
        #expect(outcome.client.blocksReceived == file.store.count)
        #expect(outcome.client.unwantedBlocksReceived == 0)
        let served = await outcome.simulator.blocksSent
        let busyProviders = outcome.providers.filter { (served[$0] ?? 0) > 0 }
        #expect(busyProviders.count >= min(providerCount, 2))   // the work is spread, not sent to one peer
    }

    @Test func fetchesAKuboShapedCIDv0DAG() async throws {
        let file = try await ImportedFile.make(byteCount: Self.fileByteCount, chunkByteCount: 256 << 10, rawLeaves: false, seed: 2)
        let outcome = try await Self.fetch(file, providerCount: 4)
        try await Self.expectIdentical(outcome, file)
    }

    @Test func survivesAProviderVanishingMidFetch() async throws {
        let file = try await ImportedFile.make(byteCount: Self.fileByteCount, chunkByteCount: 16 << 10, rawLeaves: true, seed: 3)
        let outcome = try await Self.fetch(file, providerCount: 4) { simulator, providers in
            await simulator.vanish(providers[0], afterSendingBlocks: 10)
        }
        try await Self.expectIdentical(outcome, file)
        let served = await outcome.simulator.blocksSent
        // It vanished after its first ten blocks (a message may carry several), long before the end.
        #expect((10..<file.store.count / 2).contains(served[outcome.providers[0]] ?? 0))
        #expect(outcome.client.sessionPeers.first { $0.peer == outcome.providers[0] }.map { $0.timeoutCount > 0 } ?? true)
    }

    @Test func dropsAProviderSendingCorruptBlocks() async throws {
        let file = try await ImportedFile.make(byteCount: Self.fileByteCount, chunkByteCount: 16 << 10, rawLeaves: true, seed: 4)
        let outcome = try await Self.fetch(file, providerCount: 4) { simulator, providers in
            await simulator.corrupt(providers[1])
        }
        try await Self.expectIdentical(outcome, file)
        #expect(await outcome.simulator.misbehaving == [outcome.providers[1]])
        #expect(outcome.client.unwantedBlocksReceived >= 4)
        #expect(!outcome.client.peers.contains(outcome.providers[1]))
    }

    @Test func aFetchWithNoProgressFailsNamingTheMissingCID() async throws {
        let file = try await ImportedFile.make(byteCount: 1 << 20, chunkByteCount: 16 << 10, rawLeaves: true, seed: 5)
        let configuration = FetchConfiguration(
            wantTimeout: .milliseconds(100), progressTimeout: .milliseconds(500), tickInterval: .milliseconds(20))
        await #expect {
            _ = try await Self.fetch(file, providerCount: 1, configuration: configuration) { simulator, providers in
                await simulator.vanish(providers[0], afterSendingBlocks: 3)
            }
        } throws: { error in
            guard case BitswapError.fetchStalled(let cid, let after)? = error as? BitswapError else { return false }
            return file.store.all[cid] != nil && after >= .milliseconds(500)
        }
    }
}
