import CairnCore

/// Which peer addresses a DHT keeps, as kubo's two DHTs do: the WAN DHT (`/ipfs/kad/1.0.0`) drops peers
/// reachable only on loopback or private addresses (go-libp2p-kad-dht's `PublicRoutingTableFilter`), the
/// LAN DHT (`/ipfs/lan/kad/1.0.0`) keeps every address, which is what makes local devnets and interop
/// tests on 127.0.0.1 work.
public enum DHTAddressFilter {
    /// The network a DHT serves.
    public enum Scope: Sendable, Equatable {
        /// The public DHT: only publicly routable addresses are useful.
        case wan
        /// The local DHT: every address is kept.
        case lan
    }

    /// The addresses worth keeping for `scope`, in their original order.
    public static func filter(_ addresses: [Multiaddr], for scope: Scope) -> [Multiaddr] {
        switch scope {
        case .lan: addresses
        case .wan: addresses.filter(isPublic)
        }
    }

    /// Whether the address starts with a publicly routable IP (not loopback, private, link-local, CGNAT,
    /// multicast or unspecified) or a DNS name other than `localhost`.
    public static func isPublic(_ address: Multiaddr) -> Bool {
        switch address.components.first {
        case .ip4(let ip): isPublic(ip)
        case .ip6(let ip): isPublic(ip)
        case .dns(let name), .dns4(let name), .dns6(let name), .dnsaddr(let name):
            name.lowercased() != "localhost" && !name.lowercased().hasSuffix(".localhost")
        default: false
        }
    }

    static func isPublic(_ ip: Multiaddr.IPv4Address) -> Bool {
        let value = ip.value
        let privateRanges: [(prefix: UInt32, bits: UInt32)] = [
            (0x0000_0000, 8),  // 0.0.0.0/8 "this network"
            (0x0a00_0000, 8),  // 10.0.0.0/8
            (0x6440_0000, 10),  // 100.64.0.0/10 carrier-grade NAT
            (0x7f00_0000, 8),  // 127.0.0.0/8 loopback
            (0xa9fe_0000, 16),  // 169.254.0.0/16 link-local
            (0xac10_0000, 12),  // 172.16.0.0/12
            (0xc0a8_0000, 16),  // 192.168.0.0/16
            (0xe000_0000, 3),  // 224.0.0.0/4 multicast and 240.0.0.0/4 reserved
        ]
        return !privateRanges.contains { value >> (32 - $0.bits) == $0.prefix >> (32 - $0.bits) }
    }

    static func isPublic(_ ip: Multiaddr.IPv6Address) -> Bool {
        let groups = ip.groups
        guard groups.count == 8 else { return false }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xffff {
            return isPublic(Multiaddr.IPv4Address(UInt32(groups[6]) << 16 | UInt32(groups[7])))
        }
        if groups[0..<7].allSatisfy({ $0 == 0 }) && groups[7] <= 1 { return false }  // :: and ::1
        if groups[0] & 0xfe00 == 0xfc00 { return false }  // fc00::/7 unique local
        if groups[0] & 0xffc0 == 0xfe80 { return false }  // fe80::/10 link-local
        if groups[0] & 0xff00 == 0xff00 { return false }  // ff00::/8 multicast
        return true
    }
}
