import CairnCore
import Testing

@testable import CairnDHT

/// Bootstrap lists as the node configures them.
@Suite struct DHTPeerGroupingTests {
    @Test func peerAddressesAreGroupedByPeer() throws {
        let first = "/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"
        let second = "/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN"
        let addresses = try [
            "/ip4/127.0.0.1/tcp/4001" + first, "/ip4/127.0.0.1/tcp/4002" + second, "/ip6/::1/tcp/4001" + first,
            "/ip4/127.0.0.1/tcp/4003",
        ].map { try Multiaddr($0) }
        let peers = DHTPeer.grouping(peerAddresses: addresses)
        #expect(peers.count == 2)
        #expect(peers.first?.addresses == [try Multiaddr("/ip4/127.0.0.1/tcp/4001"), try Multiaddr("/ip6/::1/tcp/4001")])
        #expect(peers.last?.addresses == [try Multiaddr("/ip4/127.0.0.1/tcp/4002")])
        #expect(peers.first?.id == DHTPeerID(multihash: try #require(addresses[0].peerID)))
    }
}
