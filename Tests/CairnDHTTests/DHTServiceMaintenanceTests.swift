import CairnCore
import CairnTestSupport
import Foundation
import Synchronization
import Testing

@testable import CairnDHT

/// A messenger answering PING and FIND_NODE (with no peers) for the peers in `alive`, failing otherwise.
final class AliveSetMessenger: DHTMessenger {
    private let alive: Mutex<Set<DHTPeerID>>
    private let pinged = Mutex<[DHTPeerID]>([])

    init(alive: Set<DHTPeerID>) { self.alive = Mutex(alive) }

    var pingedPeers: [DHTPeerID] { pinged.withLock { $0 } }

    func request(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError) -> DHTMessage {
        if message.type == .ping { pinged.withLock { $0.append(peer.id) } }
        guard alive.withLock({ $0.contains(peer.id) }) else { throw .peerUnreachable(peer: peer.id, reason: "test: down") }
        return DHTMessage(type: message.type)
    }

    func send(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError) {}
}

/// Routing-table upkeep: full buckets keep live peers and replace dead ones; churn after providing.
@Suite struct DHTServiceMaintenanceTests {
    @Test func aFullBucketPingsItsOldestPeerBeforeReplacingIt() async throws {
        let local = DHTTestPeers.many(1, seed: 1)[0]
        let table = RoutingTable(localPeer: local)
        // Three peers for bucket 0 (first bit differs from ours), with k = 2.
        let candidates = DHTTestPeers.many(40, seed: 2).filter { table.bucketIndex(for: $0) == 0 }.prefix(4)
        let (oldest, second, newcomer, later) = (candidates[candidates.startIndex], candidates[candidates.startIndex + 1],
                                                 candidates[candidates.startIndex + 2], candidates[candidates.startIndex + 3])
        let messenger = AliveSetMessenger(alive: [second, newcomer, later])
        let configuration = DHTServiceConfiguration(dht: DHTConfiguration(protocolID: DHTConfiguration.lanProtocolID, bucketSize: 2))
        let service = DHTService(localPeer: local, configuration: configuration, messenger: messenger, clock: ManualDHTClock())
        let address = DHTSimulation.address(1)
        for peer in [oldest, second, newcomer] {
            await service.peerIdentified(DHTPeer(id: peer, addresses: [address]), protocols: [DHTConfiguration.lanProtocolID])
        }
        #expect(Set(await service.routingTablePeers.map(\.id)) == [oldest, second])
        await service.refresh()
        // The oldest did not answer its ping: the newcomer took its place.
        #expect(messenger.pingedPeers.first == oldest)
        #expect(Set(await service.routingTablePeers.map(\.id)) == [second, newcomer])
        // Now the oldest (second) answers: the next candidate waits outside.
        await service.peerIdentified(DHTPeer(id: later, addresses: [address]), protocols: [DHTConfiguration.lanProtocolID])
        await service.refresh()
        #expect(Set(await service.routingTablePeers.map(\.id)) == [second, newcomer])
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func providersSurviveAQuarterOfTheNetworkLeaving(seed: UInt64) async throws {
        let simulation = DHTSimulation(count: 48, seed: seed)
        await simulation.bootstrapAllThroughFirst()
        var random = SeededRandom(seed: seed)
        let cids = (0..<6).map { DHTSimulation.cid(Int(seed) * 100 + $0) }
        var providers: [Int] = []
        for cid in cids {
            let provider = 1 + Int(random.next() % 47)
            providers.append(provider)
            #expect(await simulation.nodes[provider].provide(cid) == 20)
        }
        // A quarter of the other nodes become unreachable.
        var gone: Set<Int> = []
        while gone.count < 12 {
            let index = 1 + Int(random.next() % 47)
            if !providers.contains(index) { gone.insert(index) }
        }
        for index in gone { simulation.network.setFault(.unreachable, for: simulation.nodes[index].localPeer) }
        for (cid, provider) in zip(cids, providers) {
            let seeker = (0..<48).first { !gone.contains($0) && $0 != provider && random.next() % 3 == 0 } ?? 0
            let found = await simulation.nodes[seeker].findProviders(for: cid, limit: 1)
            #expect(found.map(\.id) == [simulation.nodes[provider].localPeer], "seed \(seed): node \(seeker) seeking \(provider)'s content")
        }
    }
}
