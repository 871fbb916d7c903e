/// A self-describing network address (multiformats/multiaddr): a list of protocol components such as
/// `/ip4/127.0.0.1/tcp/4101/p2p/12D3KooW…`.
///
/// Binary layout, repeated per component:
///
/// ```
/// varint(protocol code) value
///   ip4        4 bytes             ip6      16 bytes
///   tcp, udp   2 bytes big-endian  quic-v1 (461), ws, wss  no value
///   dns, dns4, dns6, dnsaddr       varint(length) UTF-8 name
///   p2p        varint(length) multihash of the peer's public key
/// ```
///
/// Example: `/ip4/127.0.0.1/tcp/4101` is `04 7f000001 06 1005`. Parsing (text and binary) is strict and
/// complete, so a `Multiaddr` value always holds valid components; see `docs/specs/multiformats.md`.
public struct Multiaddr: Hashable, Sendable, CustomStringConvertible {
    /// The longest binary multiaddr accepted, in bytes; real addresses are well under 200.
    public static let maximumByteCount = 1024
    /// The longest text multiaddr accepted, in characters.
    public static let maximumTextLength = 4096
    /// The longest DNS name accepted in a dns/dns4/dns6/dnsaddr component, in bytes (RFC 1035 limit).
    public static let maximumDNSNameByteCount = 255
    /// The longest p2p value (a peer ID multihash) accepted, in bytes: the largest digest plus its two
    /// varints (function code and length, at most two bytes each here).
    public static let maximumPeerIDByteCount = Multihash.maximumDigestByteCount + 4

    /// The components, outermost protocol first.
    public var components: [Component]

    /// Creates a multiaddr from already-valid components.
    public init(_ components: [Component]) {
        self.components = components
    }

    /// A new multiaddr with `component` added at the end.
    public func appending(_ component: Component) -> Multiaddr {
        Multiaddr(components + [component])
    }

    /// The peer ID multihash of the last `/p2p` component, if any.
    public var peerID: Multihash? {
        for component in components.reversed() {
            if case .p2p(let peer) = component { return peer }
        }
        return nil
    }

    /// The multiaddr with any trailing `/p2p/…` component removed (the transport part of a peer address).
    public var removingPeerID: Multiaddr {
        guard case .p2p = components.last else { return self }
        return Multiaddr(Array(components.dropLast()))
    }

    /// The canonical text form, such as `/ip4/127.0.0.1/tcp/4101`.
    public var description: String {
        var out = ""
        for component in components { out += component.description }
        return out
    }
}

extension Multiaddr {
    /// The protocols Cairn understands, with their multicodec codes from multiaddr `protocols.csv`.
    public enum ProtocolCode: UInt64, Sendable, CaseIterable {
        /// IPv4 address, 4 bytes.
        case ip4 = 4
        /// TCP port, 2 bytes big-endian.
        case tcp = 6
        /// UDP port, 2 bytes big-endian.
        case udp = 273
        /// IPv6 address, 16 bytes.
        case ip6 = 41
        /// DNS name resolvable to IPv4 and IPv6 addresses.
        case dns = 53
        /// DNS name resolvable only to IPv4 addresses.
        case dns4 = 54
        /// DNS name resolvable only to IPv6 addresses.
        case dns6 = 55
        /// DNS name whose TXT records hold further multiaddrs.
        case dnsaddr = 56
        /// A libp2p peer ID (the multihash of its public key); `/ipfs` is the old text alias.
        case p2p = 421
        /// QUIC version 1 (RFC 9000), no value. The code is 461 (`0x01cd`) per protocols.csv;
        /// 460 (`0x01cc`) is the retired draft-29 `/quic`, which Cairn does not speak.
        case quicV1 = 0x01cd
        /// WebSocket, no value.
        case ws = 477
        /// Secure WebSocket, no value.
        case wss = 478

        /// The protocol's name in text multiaddrs.
        public var name: String {
            switch self {
            case .ip4: "ip4"
            case .tcp: "tcp"
            case .udp: "udp"
            case .ip6: "ip6"
            case .dns: "dns"
            case .dns4: "dns4"
            case .dns6: "dns6"
            case .dnsaddr: "dnsaddr"
            case .p2p: "p2p"
            case .quicV1: "quic-v1"
            case .ws: "ws"
            case .wss: "wss"
            }
        }

        /// Looks a protocol up by its text name, accepting the legacy alias `ipfs` for `p2p`.
        public init?(name: some StringProtocol) {
            if name == "ipfs" { self = .p2p; return }
            guard let match = ProtocolCode.allCases.first(where: { $0.name == name }) else { return nil }
            self = match
        }

        /// Whether a component of this protocol carries a value.
        public var hasValue: Bool {
            switch self {
            case .quicV1, .ws, .wss: false
            default: true
            }
        }
    }

    /// One protocol and its value. The associated values are already validated: ports are `UInt16`,
    /// DNS names are non-empty, at most `maximumDNSNameByteCount` bytes and contain no `/`, and peer IDs
    /// are identity or full sha2-256 multihashes.
    public enum Component: Hashable, Sendable, CustomStringConvertible {
        /// `/ip4/<dotted quad>`.
        case ip4(IPv4Address)
        /// `/ip6/<RFC 4291 address>`.
        case ip6(IPv6Address)
        /// `/tcp/<port>`.
        case tcp(port: UInt16)
        /// `/udp/<port>`.
        case udp(port: UInt16)
        /// `/dns/<name>`.
        case dns(String)
        /// `/dns4/<name>`.
        case dns4(String)
        /// `/dns6/<name>`.
        case dns6(String)
        /// `/dnsaddr/<name>`.
        case dnsaddr(String)
        /// `/p2p/<peer ID>`: the multihash of the peer's public key.
        case p2p(Multihash)
        /// `/quic-v1`.
        case quicV1
        /// `/ws`.
        case ws
        /// `/wss`.
        case wss

        /// The protocol of this component.
        public var protocolCode: ProtocolCode {
            switch self {
            case .ip4: .ip4
            case .ip6: .ip6
            case .tcp: .tcp
            case .udp: .udp
            case .dns: .dns
            case .dns4: .dns4
            case .dns6: .dns6
            case .dnsaddr: .dnsaddr
            case .p2p: .p2p
            case .quicV1: .quicV1
            case .ws: .ws
            case .wss: .wss
            }
        }

        /// The value in text form (`127.0.0.1`, `4101`, a base58btc peer ID), or nil for protocols without one.
        public var textValue: String? {
            switch self {
            case .ip4(let address): address.description
            case .ip6(let address): address.description
            case .tcp(let port), .udp(let port): String(port)
            case .dns(let name), .dns4(let name), .dns6(let name), .dnsaddr(let name): name
            case .p2p(let peer): Base58.encode(peer.bytes)
            case .quicV1, .ws, .wss: nil
            }
        }

        /// The component in text form, such as `/tcp/4101`.
        public var description: String {
            guard let value = textValue else { return "/" + protocolCode.name }
            return "/" + protocolCode.name + "/" + value
        }
    }
}
