import CairnCore
import NIOCore

extension Multiaddr {
    /// The `/ip4/A/tcp/N` or `/ip6/A/tcp/N` form of a TCP socket address; nil for Unix sockets or an
    /// address NIO cannot print.
    init?(socketAddress: SocketAddress) {
        guard let port = socketAddress.port, let tcpPort = UInt16(exactly: port),
              let ip = socketAddress.ipAddress else { return nil }
        switch socketAddress.protocol {
        case .inet:
            guard let address = IPv4Address(ip) else { return nil }
            self.init([.ip4(address), .tcp(port: tcpPort)])
        case .inet6:
            guard let address = IPv6Address(ip) else { return nil }
            self.init([.ip6(address), .tcp(port: tcpPort)])
        default:
            return nil
        }
    }
}
