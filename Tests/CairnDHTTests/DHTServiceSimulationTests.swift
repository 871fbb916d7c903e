import CairnCore
import CairnTestSupport
import Foundation
import Testing

@testable import CairnDHT

/// Many `DHTService`s on the in-memory network (`SimulatedDHTNetwork`), all joined through one node.
@Suite struct DHTServiceSimulationTests {
    @Test func findPeerAndProvidersWorkFromEveryNodeAfterBootstrappingThroughOne() async throws {
        let simulation = DHTSimulation(count: 40, seed: 101)
        await simulation.bootstrapAllThroughFirst()
        for node in simulation.nodes {
            #expect(await node.routingTableCount >= 10, "every node should know a good part of the network")
        }
        // Every node finds a far-away peer's address.
        for index in simulation.nodes.indices {
            let target = (index * 7 + 13) % simulation.nodes.count
            guard target != index else { continue }
            let found = await simulation.nodes[index].findPeer(simulation.nodes[target].localPeer)
            #expect(found?.addresses == [DHTSimulation.address(target)], "node \(index) looking for \(target)")
        }
        // Content provided by node 17 is found from every node, with 17's address.
        let cid = DHTSimulation.cid(1)
        let announced = await simulation.nodes[17].provide(cid)
        #expect(announced == 20)
        for (index, node) in simulation.nodes.enumerated() {
            let providers = await node.findProviders(for: cid, limit: 1)
            #expect(providers == [simulation.entry(17)], "node \(index)")
        }
        // Content nobody provides: the lookup ends with nothing, never more than α = 3 queries in flight.
        simulation.network.resetInFlightMaximum()
        #expect(await simulation.nodes[3].findProviders(for: DHTSimulation.cid(2)).isEmpty)
        #expect((1...3).contains(simulation.network.maximumInFlight(of: simulation.nodes[3].localPeer)))
    }

    @Test func providerRecordsExpireUnlessReprovided() async throws {
        let simulation = DHTSimulation(count: 30, seed: 202)
        await simulation.bootstrapAllThroughFirst()
        let provider = simulation.nodes[5]
        let (forgotten, kept) = (DHTSimulation.cid(10), DHTSimulation.cid(11))
        simulation.pins.set([kept], for: provider.localPeer)
        #expect(await provider.provide(forgotten) > 0)
        #expect(await provider.provide(kept) > 0)

        simulation.clock.advance(by: .seconds(22 * 3600))
        #expect(await provider.reprovide() == 1)
        simulation.clock.advance(by: .seconds(25 * 3600))  // 47 h: both still valid
        #expect(await simulation.nodes[20].findProviders(for: forgotten).map(\.id) == [provider.localPeer])
        simulation.clock.advance(by: .seconds(2 * 3600))  // 49 h: the first announcement has expired
        var dropped = 0
        for node in simulation.nodes { dropped += await node.removeExpiredRecords() }
        #expect(dropped >= 20)
        #expect(await simulation.nodes[20].findProviders(for: forgotten).isEmpty)
        #expect(await simulation.nodes[20].findProviders(for: kept).map(\.id) == [provider.localPeer])
        // Addresses are returned only for 24 h after the announcement (the reprovide was 27 h ago).
        #expect(await simulation.nodes[21].findProviders(for: kept).first?.addresses.isEmpty == true)
    }

    @Test func runLoopReprovidesOnItsInterval() async throws {
        let simulation = DHTSimulation(count: 12, seed: 303)
        await simulation.bootstrapAllThroughFirst()
        let provider = simulation.nodes[4]
        let cid = DHTSimulation.cid(20)
        simulation.pins.set([cid], for: provider.localPeer)
        #expect(await simulation.nodes[9].findProviders(for: cid).isEmpty)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await provider.run() }
            // Wait until the loops sleep, then pass the first reprovide delay.
            var announced = false
            for _ in 0..<1000 where !announced {
                for _ in 0..<50 { await Task.yield() }
                if simulation.clock.sleeperCount >= 3 { simulation.clock.advance(by: .seconds(61)) }
                announced = await !simulation.nodes[9].findProviders(for: cid).isEmpty
            }
            #expect(announced)
            group.cancelAll()
        }
    }

    @Test func lookupsTerminateDespiteUnresponsiveAndLyingPeers() async throws {
        let simulation = DHTSimulation(count: 40, seed: 404)
        await simulation.bootstrapAllThroughFirst()
        let cid = DHTSimulation.cid(30)
        #expect(await simulation.nodes[2].provide(cid) > 0)
        let faults: [SimulatedDHTNetwork.Fault] = [.unreachable, .silent, .refusing, .lying]
        for index in 20..<32 { simulation.network.setFault(faults[index % faults.count], for: simulation.nodes[index].localPeer) }
        // Peers that never answer properly (lying ones do answer, so they look alive).
        let broken = Set((20..<32).filter { faults[$0 % faults.count] != .lying }.map { simulation.nodes[$0].localPeer })
        let askers = [1, 3, 8, 15, 35, 39]
        func brokenInTables() async -> Int {
            var count = 0
            for index in askers { count += await simulation.nodes[index].routingTablePeers.filter { broken.contains($0.id) }.count }
            return count
        }
        let brokenBefore = await brokenInTables()
        for index in askers {
            let node = simulation.nodes[index]
            let providers = await runAdvancing(simulation.clock) { await node.findProviders(for: cid) }
            #expect(providers.map(\.id) == [simulation.nodes[2].localPeer], "node \(index)")
            let target = simulation.nodes[(index + 11) % 20].localPeer
            let found = await runAdvancing(simulation.clock) { await node.findPeer(target) }
            #expect(found?.id == target, "node \(index)")
            let missing = await runAdvancing(simulation.clock) { await node.findProviders(for: DHTSimulation.cid(31)) }
            #expect(missing.isEmpty)
            await runAdvancing(simulation.clock) { await node.refresh() }
        }
        // Peers that failed twice in a row left the tables.
        let brokenAfter = await brokenInTables()
        #expect(brokenBefore > 0)
        #expect(brokenAfter < brokenBefore / 2, "\(brokenAfter) of \(brokenBefore) broken entries remain")
    }

    @Test func addProviderForAnotherPeerIsIgnored() async throws {
        let simulation = DHTSimulation(count: 8, seed: 505)
        await simulation.bootstrapAllThroughFirst()
        let (attacker, victim, server) = (simulation.entry(1), simulation.nodes[2].localPeer, simulation.nodes[3])
        let multihash = DHTSimulation.cid(40).multihash
        let messenger = simulation.network.messenger(for: attacker)
        try await messenger.send(.addProvider(multihash, provider: DHTPeer(id: victim, addresses: [DHTSimulation.address(2)])),
                                 to: simulation.entry(3))
        #expect(await server.handle(.getProviders(multihash), from: attacker.id).providers.isEmpty)
        // The same announcement naming the sender is stored.
        try await messenger.send(.addProvider(multihash, provider: attacker), to: simulation.entry(3))
        #expect(await server.handle(.getProviders(multihash), from: victim).providers == [attacker])
    }

    @Test func snapshotRestoreGivesAWarmRoutingTable() async throws {
        let simulation = DHTSimulation(count: 30, seed: 606)
        await simulation.bootstrapAllThroughFirst()
        let original = simulation.nodes[12]
        let snapshot = await original.routingTableSnapshot()
        let stored = try JSONEncoder().encode(snapshot)
        let loaded = try JSONDecoder().decode(RoutingTableSnapshot.self, from: stored)
        #expect(loaded == snapshot)

        // A restarted node (same ID, new instance) with the snapshot: no bootstrap needed.
        let entry = simulation.entry(12)
        let restarted = DHTService(localPeer: entry.id, configuration: DHTSimulation.configuration(),
                                   messenger: simulation.network.messenger(for: entry), clock: simulation.clock, snapshot: loaded)
        #expect(await restarted.routingTableCount == snapshot.entries.count)
        #expect(await restarted.routingTableCount > 10)
        let cid = DHTSimulation.cid(50)
        #expect(await simulation.nodes[25].provide(cid) > 0)
        #expect(await restarted.findProviders(for: cid).map(\.id) == [simulation.nodes[25].localPeer])

        // restore(_:) on a cold instance does the same; a newer snapshot format is refused.
        let cold = DHTService(localPeer: entry.id, configuration: DHTSimulation.configuration(),
                              messenger: simulation.network.messenger(for: entry), clock: simulation.clock)
        #expect(await cold.routingTableCount == 0)
        try await cold.restore(loaded)
        #expect(await cold.routingTableCount == snapshot.entries.count)
        var newer = loaded
        newer.version = 99
        await #expect(throws: DHTError.unsupportedSnapshotVersion(99)) { try await cold.restore(newer) }
    }

    @Test func publicKeyRecordsArePutValidatedAndFound() async throws {
        let simulation = DHTSimulation(count: 30, seed: 707)
        await simulation.bootstrapAllThroughFirst()
        let value = RecordValidatorTests.ed25519PublicKey
        let key = Array("/pk/".utf8) + (try RecordValidator.peerIDBytes(fromPublicKey: value))
        let stored = try await simulation.nodes[4].putValue(DHTRecord(key: key, value: value))
        #expect(stored == 20)
        for index in [0, 9, 18, 29] {
            let record = await simulation.nodes[index].getValue(key)
            #expect(record?.value == value, "node \(index)")
            #expect(record?.key == key)
        }
        // A value that does not match the key, or an unknown namespace, is refused before anything is sent.
        let before = simulation.network.requestCount
        await #expect(throws: DHTError.publicKeyDoesNotMatchPeerID) {
            try await simulation.nodes[4].putValue(DHTRecord(key: Array("/pk/".utf8) + simulation.nodes[1].localPeer.bytes, value: value))
        }
        await #expect(throws: DHTError.unsupportedRecordNamespace("/foo/bar")) {
            try await simulation.nodes[4].putValue(DHTRecord(key: Array("/foo/bar".utf8), value: value))
        }
        #expect(simulation.network.requestCount == before)
        // Stored records are served for 36 h (go's MaxRecordAge), then dropped.
        simulation.clock.advance(by: .seconds(37 * 3600))
        var dropped = 0
        for node in simulation.nodes { dropped += await node.removeExpiredRecords() }
        #expect(dropped >= 20)
        #expect(await simulation.nodes[9].getValue(key) == nil)
        // Lying peers' invalid records are never returned.
        for index in 10..<20 { simulation.network.setFault(.lying, for: simulation.nodes[index].localPeer) }
        let absent = Array("/pk/".utf8) + simulation.nodes[3].localPeer.bytes
        let node = simulation.nodes[22]
        #expect(await runAdvancing(simulation.clock) { await node.getValue(absent) } == nil)
    }

    @Test func clientsQueryButAreNeitherServedNorAdded() async throws {
        let simulation = DHTSimulation(count: 20, seed: 808, clientIndices: [5, 6])
        await simulation.bootstrapAllThroughFirst()
        let clients = Set([simulation.nodes[5].localPeer, simulation.nodes[6].localPeer])
        for (index, node) in simulation.nodes.enumerated() where !clients.contains(node.localPeer) {
            #expect(await node.routingTablePeers.allSatisfy { !clients.contains($0.id) }, "node \(index)")
        }
        #expect(await simulation.nodes[5].handle(.findNode(simulation.nodes[1].localPeer), from: simulation.nodes[1].localPeer)
            == .reject(.clientMode))
        let cid = DHTSimulation.cid(60)
        #expect(await simulation.nodes[11].provide(cid) > 0)
        #expect(await simulation.nodes[5].findProviders(for: cid).map(\.id) == [simulation.nodes[11].localPeer])
        #expect(await simulation.nodes[6].findPeer(simulation.nodes[14].localPeer)?.addresses == [DHTSimulation.address(14)])
    }

    @Test func providersStreamAsTheyAreFound() async throws {
        let simulation = DHTSimulation(count: 20, seed: 88)
        await simulation.bootstrapAllThroughFirst()
        let cid = DHTSimulation.cid(70)
        for index in [4, 9, 13] { #expect(await simulation.nodes[index].provide(cid) > 0) }
        let (stream, continuation) = AsyncStream<DHTPeer>.makeStream()
        let seeker = simulation.nodes[17]
        async let search: Void = seeker.findProviders(for: cid.multihash, limit: 3, yieldingTo: continuation)
        var found: Set<DHTPeerID> = []
        for await provider in stream { found.insert(provider.id) }
        await search
        #expect(found == Set([4, 9, 13].map { simulation.nodes[$0].localPeer }))
    }

    @Test func identifyAddsAndRemovesDHTServers() async throws {
        let peers = DHTTestPeers.many(3, seed: 99)
        let service = DHTService(localPeer: peers[0], configuration: DHTSimulation.configuration(), messenger: RefusingMessenger(),
                                 clock: ManualDHTClock())
        await service.peerIdentified(DHTPeer(id: peers[1], addresses: [DHTSimulation.address(1)]), protocols: ["/ipfs/id/1.0.0"])
        #expect(await service.routingTableCount == 0)
        await service.peerIdentified(DHTPeer(id: peers[1], addresses: [DHTSimulation.address(1)]),
                                     protocols: [DHTConfiguration.lanProtocolID])
        #expect(await service.routingTablePeers == [DHTPeer(id: peers[1], addresses: [DHTSimulation.address(1)])])
        // It stopped serving the DHT (identify push without the protocol): it leaves the table.
        await service.peerIdentified(DHTPeer(id: peers[1]), protocols: [])
        #expect(await service.routingTableCount == 0)

        // The WAN DHT admits only peers with a public address, and keeps only those addresses.
        let wan = DHTService(localPeer: peers[0], messenger: RefusingMessenger(), clock: ManualDHTClock())
        await wan.peerIdentified(DHTPeer(id: peers[1], addresses: [DHTSimulation.address(1)]), protocols: [DHTConfiguration.wanProtocolID])
        #expect(await wan.routingTableCount == 0)
        let public4 = try Multiaddr("/ip4/198.51.100.7/tcp/4001")
        await wan.peerIdentified(DHTPeer(id: peers[2], addresses: [DHTSimulation.address(2), public4]),
                                 protocols: [DHTConfiguration.wanProtocolID])
        #expect(await wan.routingTablePeers == [DHTPeer(id: peers[2], addresses: [public4])])
    }
}

extension DHTServerStateMachine.Outcome {
    /// The provider peers of a `.respond` outcome (empty otherwise).
    var providers: [DHTPeer] {
        if case .respond(let message) = self { return message.providerPeers }
        return []
    }
}
