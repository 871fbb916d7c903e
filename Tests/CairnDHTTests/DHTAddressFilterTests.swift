import CairnCore
import Testing

@testable import CairnDHT

/// WAN keeps only publicly routable addresses; LAN keeps everything (kubo's two DHTs).
@Suite struct DHTAddressFilterTests {
    @Test(arguments: [
        ("/ip4/127.0.0.1/tcp/4001", false), ("/ip4/10.1.2.3/tcp/4001", false), ("/ip4/172.16.0.1/tcp/1", false),
        ("/ip4/172.32.0.1/tcp/1", true), ("/ip4/192.168.1.1/tcp/1", false), ("/ip4/169.254.3.4/tcp/1", false),
        ("/ip4/100.64.0.1/tcp/1", false), ("/ip4/0.0.0.0/tcp/1", false), ("/ip4/224.0.0.1/udp/1", false),
        ("/ip4/8.8.8.8/tcp/4001", true), ("/ip4/147.75.1.2/udp/4001/quic-v1", true),
        ("/ip6/::1/tcp/4001", false), ("/ip6/::/tcp/1", false), ("/ip6/fe80::1/tcp/1", false), ("/ip6/fd00::1/tcp/1", false),
        ("/ip6/ff02::1/udp/1", false), ("/ip6/2001:db8::1/tcp/4001", true), ("/ip6/::ffff:127.0.0.1/tcp/1", false),
        ("/ip6/::ffff:8.8.4.4/tcp/1", true), ("/dns4/localhost/tcp/1", false), ("/dnsaddr/bootstrap.libp2p.io", true),
    ])
    func publicAddresses(text: String, expected: Bool) throws {
        #expect(DHTAddressFilter.isPublic(try Multiaddr(text)) == expected)
    }

    @Test func scopes() throws {
        let addresses = try ["/ip4/127.0.0.1/tcp/4001", "/ip4/8.8.8.8/tcp/4001"].map { try Multiaddr($0) }
        #expect(DHTAddressFilter.filter(addresses, for: .lan) == addresses)
        #expect(DHTAddressFilter.filter(addresses, for: .wan) == [addresses[1]])
    }
}
