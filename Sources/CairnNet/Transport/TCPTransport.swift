import CairnCore
import CairnCrypto
import Logging
import NIOCore
import NIOPosix

/// libp2p over TCP on SwiftNIO: dials and listens on `/ip4/…/tcp/…` multiaddrs and upgrades every
/// connection exactly as kubo 0.22 expects (multistream `/noise`, Noise XX, multistream `/yamux/1.0.0`,
/// yamux). See `docs/specs/connection.md`.
public struct TCPTransport: Sendable {
    /// The limits applied to every connection.
    public let configuration: ConnectionConfiguration
    let group: any EventLoopGroup
    let logger: Logger

    /// Creates a transport on NIO's shared event loop group.
    public init(configuration: ConnectionConfiguration = .default,
                logger: Logger = Logger(label: "cairn.net.transport")) {
        self.configuration = configuration
        self.group = MultiThreadedEventLoopGroup.singleton
        self.logger = logger
    }

    /// Dials `address` (`/ip4/A/tcp/N` with an optional `/p2p/ID`) and upgrades the connection.
    ///
    /// - Parameters:
    ///   - address: the peer's address; with `/p2p/ID` the Noise handshake must prove that identity.
    ///   - identity: this node's key.
    ///   - handlers: the protocols served on streams the peer opens (ping by default).
    /// - Returns: the connection, once the yamux session is running.
    /// - Throws: `.unsupportedAddress`, `.socketFailed`, `.noise(.peerIDMismatch)` for the wrong peer,
    ///   `.upgradeTimedOut`, or any layer's error.
    public func dial(_ address: Multiaddr, identity: PrivateKey,
                     handlers: StreamHandlers = StreamHandlers()) async throws(ConnectionError) -> LibP2PConnection {
        let target = try TCPAddress(address)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.init(configuration.upgradeTimeout))
                .connect(host: target.host, port: Int(target.port)) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .socketFailed(address: address.description, message: "\(error)")
        }
        let driver = ConnectionDriver(role: .dialer, identity: identity, expectedRemotePeerID: target.peerID,
                                      configuration: configuration, handlers: handlers,
                                      logger: logger.with(metadata: ["address": "\(address)"]))
        await driver.start(channel)
        do {
            let peer = try await driver.waitUntilUpgraded()
            return LibP2PConnection(driver: driver, remotePeerID: peer, role: .dialer)
        } catch {
            await driver.close()
            throw error
        }
    }

    /// Listens on `address` (`/ip4/A/tcp/N`; port 0 picks a free port) and upgrades every accepted
    /// connection as the listener.
    /// - Parameters:
    ///   - address: where to bind.
    ///   - identity: this node's key.
    ///   - handlers: the protocols served on streams peers open (ping by default).
    ///   - maximumConnectionCount: the most connections accepted and kept at once; extra ones are closed.
    /// - Returns: the running listener; its ``TCPListener/address`` has the bound port and `/p2p/ID`.
    /// - Throws: `.unsupportedAddress`, `.socketFailed`.
    public func listen(on address: Multiaddr, identity: PrivateKey, handlers: StreamHandlers = StreamHandlers(),
                       maximumConnectionCount: Int = TCPListener.defaultMaximumConnectionCount) async throws(ConnectionError) -> TCPListener {
        let target = try TCPAddress(address)
        let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: target.host, port: Int(target.port)) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .socketFailed(address: address.description, message: "\(error)")
        }
        guard let port = server.channel.localAddress?.port, let boundPort = UInt16(exactly: port) else {
            try? await server.channel.close()
            throw .socketFailed(address: address.description, message: "the bound socket has no local port")
        }
        let bound = Multiaddr([target.ipComponent, .tcp(port: boundPort), .p2p(identity.peerID.multihash)])
        let listener = TCPListener(address: bound, identity: identity, configuration: configuration, handlers: handlers,
                                   maximumConnectionCount: maximumConnectionCount, logger: logger)
        await listener.start(server)
        return listener
    }
}

/// The parts of an `/ip4/A/tcp/N[/p2p/ID]` or `/ip6/A/tcp/N[/p2p/ID]` multiaddr the TCP transport uses.
struct TCPAddress {
    /// The `/ip4/A` or `/ip6/A` component.
    let ipComponent: Multiaddr.Component
    let host: String
    let port: UInt16
    let peerID: PeerID?

    init(_ address: Multiaddr) throws(ConnectionError) {
        var components = address.components[...]
        switch components.popFirst() {
        case .ip4(let ip4)?:
            ipComponent = .ip4(ip4)
            host = ip4.description
        case .ip6(let ip6)?:
            ipComponent = .ip6(ip6)
            host = ip6.description
        default:
            throw .unsupportedAddress(address.description, reason: "only /ip4/…/tcp/… and /ip6/…/tcp/… addresses are supported")
        }
        guard case .tcp(let port)? = components.popFirst() else {
            throw .unsupportedAddress(address.description, reason: "the second component must be /tcp/PORT")
        }
        var peerID: PeerID?
        if let last = components.popFirst() {
            guard case .p2p(let multihash) = last, components.isEmpty else {
                throw .unsupportedAddress(address.description, reason: "only /p2p/ID may follow /tcp/PORT")
            }
            do {
                peerID = try PeerID(multihash: multihash)
            } catch {
                throw .unsupportedAddress(address.description, reason: "invalid peer ID: \(error)")
            }
        }
        self.port = port
        self.peerID = peerID
    }

    /// Whether `address` is one this transport can dial (`/ip4|ip6/A/tcp/N`, optionally `/p2p/ID`).
    static func isDialable(_ address: Multiaddr) -> Bool {
        (try? TCPAddress(address)) != nil
    }
}

extension Logger {
    /// A copy of the logger with `metadata` added.
    func with(metadata: Logger.Metadata) -> Logger {
        var copy = self
        for (key, value) in metadata { copy[metadataKey: key] = value }
        return copy
    }
}
