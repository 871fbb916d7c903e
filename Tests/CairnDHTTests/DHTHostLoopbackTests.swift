import CairnCore
import CairnCrypto
import CairnNet
import Foundation
import Testing

@testable import CairnDHT

/// Real `LibP2PHost`s on 127.0.0.1 (TCP, Noise, yamux, identify) running `DHTService`s over
/// `StreamDHTMessenger` on the LAN DHT protocol: bootstrap, provide, findProviders, findPeer, /pk records.
@Suite(.serialized) struct DHTHostLoopbackTests {
    struct Node {
        let host: LibP2PHost
        let dht: DHTService

        var entry: DHTPeer {
            get async { DHTPeer(id: DHTPeerID(multihash: host.localPeerID.multihash), addresses: await host.listenAddresses()) }
        }
    }

    static func makeNode(mode: DHTServiceConfiguration.Mode = .server) async throws -> Node {
        let address = try Multiaddr("/ip4/127.0.0.1/tcp/0")
        let host = LibP2PHost(identity: PrivateKey.generateEd25519(), configuration: HostConfiguration(listenAddresses: [address]))
        let configuration = DHTServiceConfiguration(dht: DHTConfiguration(protocolID: DHTConfiguration.lanProtocolID), mode: mode,
                                                    requestTimeout: .seconds(10))
        let clock = SystemDHTClock()
        let messenger = StreamDHTMessenger(network: host, configuration: configuration.dht, clock: clock,
                                           requestTimeout: configuration.requestTimeout)
        let dht = DHTService(localPeerID: host.localPeerID, configuration: configuration, messenger: messenger, clock: clock,
                             localAddresses: { await host.listenAddresses() })
        await dht.register(on: host)
        try await host.start()
        return Node(host: host, dht: dht)
    }

    @Test func hostsBootstrapProvideAndFindProvidersOverTCP() async throws {
        var nodes: [Node] = []
        for index in 0..<7 { nodes.append(try await Self.makeNode(mode: index == 6 ? .client : .server)) }
        let bootstrap = await nodes[0].entry
        let cid = CID(v1: .raw, Multihash.sha256(Array("loopback content".utf8)))
        let value = RecordValidatorTests.ed25519PublicKey
        let recordKey = Array("/pk/".utf8) + (try RecordValidator.peerIDBytes(fromPublicKey: value))

        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes {
                let events = await node.host.peerEvents()
                group.addTask { await node.dht.run(peerEvents: events) }
            }
            for node in nodes.dropFirst() {
                #expect(await node.dht.bootstrap([bootstrap]) == 1)
            }
            // Node 0 learned the servers through identify; nobody added the client.
            let client = DHTPeerID(multihash: nodes[6].host.localPeerID.multihash)
            #expect(await nodes[0].dht.routingTableCount >= 5)
            for node in nodes.prefix(6) { #expect(await !node.dht.routingTablePeers.contains { $0.id == client }) }

            #expect(await nodes[3].dht.provide(cid) >= 4)
            for index in [1, 5, 6] {
                let providers = await nodes[index].dht.findProviders(for: cid, limit: 1)
                #expect(providers.map(\.id) == [DHTPeerID(multihash: nodes[3].host.localPeerID.multihash)], "node \(index)")
                #expect(providers.first?.addresses == (await nodes[3].host.listenAddresses()), "node \(index)")
            }
            let target = await nodes[4].entry
            #expect(await nodes[6].dht.findPeer(target.id)?.addresses == target.addresses)

            let stored = try await nodes[2].dht.putValue(DHTRecord(key: recordKey, value: value))
            #expect(stored >= 4)
            #expect(await nodes[5].dht.getValue(recordKey)?.value == value)
            group.cancelAll()
        }
        for node in nodes { await node.host.shutdown() }
    }
}
