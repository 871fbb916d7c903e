import CairnCore
import CairnCrypto
import Logging
import NIOCore
import NIOPosix

/// A libp2p node's network side: listeners, the connections to every peer (deduplicated and bounded),
/// the address book, identify (+ push) and ping, and the stream handlers of the protocol services.
///
/// Services register their handlers with ``setStreamHandler(_:maximumConcurrentStreamCount:handler:)``
/// before ``start()``. Each connection gets a monitoring task (identify, then wait for the end) that the
/// host owns and cancels in ``shutdown()``.
public actor LibP2PHost: PeerNetwork {
    /// Whether a connection was dialled by us or accepted.
    public enum Direction: String, Sendable, Codable {
        /// We dialled it.
        case outbound
        /// The peer dialled us.
        case inbound
    }

    /// One live connection, as `swarm peers` reports it.
    public struct ConnectionInfo: Sendable, Equatable {
        /// The authenticated peer.
        public var peer: PeerID
        /// The peer's socket address, when known.
        public var address: Multiaddr?
        /// Who dialled.
        public var direction: Direction
        /// What the peer announced as its implementation, once identified.
        public var agentVersion: String?
    }

    private struct ConnectionEntry {
        let id: UInt64
        let connection: LibP2PConnection
        let direction: Direction
    }

    /// This node's peer ID.
    public nonisolated let localPeerID: PeerID
    /// The limits and listen addresses.
    public nonisolated let configuration: HostConfiguration
    private let identity: PrivateKey
    private let transport: TCPTransport
    private let logger: Logger
    private var handlers: StreamHandlers
    private var listeners: [TCPListener] = []
    private var connections: [PeerID: [ConnectionEntry]] = [:]
    private var peerStore: PeerStore
    private var pendingDials: [PeerID: Task<Result<LibP2PConnection, ConnectionError>, Never>] = [:]
    private var pendingDialCount = 0
    private var tasks: [UInt64: Task<Void, Never>] = [:]
    private var eventContinuations: [UInt64: AsyncStream<PeerEvent>.Continuation] = [:]
    private var nextID: UInt64 = 0
    private var isShutDown = false

    /// Creates a host for `identity`; call ``start()`` before dialling (it also installs identify).
    public init(identity: PrivateKey, configuration: HostConfiguration = HostConfiguration(),
                logger: Logger = Logger(label: "cairn.net.host")) {
        self.identity = identity
        self.localPeerID = identity.peerID
        self.configuration = configuration
        self.transport = TCPTransport(configuration: configuration.connection, logger: logger)
        self.logger = logger
        self.peerStore = PeerStore(maximumPeerCount: configuration.maximumKnownPeerCount,
                                   maximumAddressesPerPeer: configuration.maximumAddressesPerPeer)
        self.handlers = StreamHandlers()
    }

    // MARK: - Lifecycle

    /// Binds every configured listen address and starts accepting connections.
    /// - Throws: the first address that cannot be bound (`.unsupportedAddress`, `.socketFailed`); the
    ///   listeners bound before it are closed again.
    public func start() async throws(ConnectionError) {
        handlers.register(IdentifyService.protocolID, maximumConcurrentStreamCount: 2) { [weak self] stream in
            guard let self else { return await stream.reset() }
            await IdentifyService.answer(stream, with: await self.identifyMessage())
        }
        handlers.register(IdentifyService.pushProtocolID, maximumConcurrentStreamCount: 2) { [weak self] stream in
            await self?.receivePush(stream)
        }
        for address in configuration.listenAddresses {
            let listener: TCPListener
            do {
                listener = try await transport.listen(on: address, identity: identity, handlers: handlers,
                                                      maximumConnectionCount: configuration.maximumConnectionCount)
            } catch {
                for listener in listeners { await listener.close() }
                listeners.removeAll()
                throw error
            }
            listeners.append(listener)
            let id = takeID()
            tasks[id] = Task { [weak self] in
                for await connection in listener.connections {
                    guard let self else { return await connection.close() }
                    try? await self.adopt(connection, direction: .inbound)
                }
            }
            logger.debug("listening", metadata: ["address": "\(listener.address)"])
        }
    }

    /// Stops listening, closes every connection, cancels pending dials, and ends every event stream.
    public func shutdown() async {
        guard !isShutDown else { return }
        isShutDown = true
        for listener in listeners { await listener.close() }
        for dial in pendingDials.values { dial.cancel() }
        for entries in connections.values {
            for entry in entries { await entry.connection.close() }
        }
        for task in tasks.values { task.cancel() }
        tasks.removeAll()
        connections.removeAll()
        for continuation in eventContinuations.values { continuation.finish() }
        eventContinuations.removeAll()
    }

    // MARK: - PeerNetwork

    public func setStreamHandler(_ protocolID: String, maximumConcurrentStreamCount: Int?,
                                 handler: @escaping StreamHandler) {
        handlers.register(protocolID, maximumConcurrentStreamCount: maximumConcurrentStreamCount, handler: handler)
    }

    public func openStream(to peer: PeerID, protocols: [String]) async throws(ConnectionError) -> LibP2PStream {
        let connection = try await connection(to: peer)
        do {
            return try await connection.openStream(protocols: protocols)
        } catch {
            // A connection that died under us is replaced once; a protocol refusal is final.
            guard await connection.isClosed else { throw error }
            let fresh = try await self.connection(to: peer)
            return try await fresh.openStream(protocols: protocols)
        }
    }

    public func connect(to address: Multiaddr) async throws(ConnectionError) -> PeerID {
        guard !isShutDown else { throw .connectionClosed(reason: "the node is shutting down") }
        let target = try TCPAddress(address)
        if let peer = target.peerID {
            guard peer != localPeerID else {
                throw .unsupportedAddress(address.description, reason: "that is this node's own address")
            }
            if liveConnection(to: peer) != nil { return peer }
            peerStore.add([address], for: peer, protected: connectedPeerSet)
        }
        guard pendingDialCount < configuration.maximumPendingDialCount else {
            throw .resourceLimitExceeded(limit: "pending dials", value: configuration.maximumPendingDialCount)
        }
        pendingDialCount += 1
        defer { pendingDialCount -= 1 }
        let connection = try await transport.dial(address, identity: identity, handlers: handlers)
        peerStore.add([address], for: connection.remotePeerID, protected: connectedPeerSet)
        try adopt(connection, direction: .outbound)
        return connection.remotePeerID
    }

    public func addAddresses(_ addresses: [Multiaddr], for peer: PeerID) {
        guard peer != localPeerID else { return }
        peerStore.add(addresses, for: peer, protected: connectedPeerSet)
    }

    public func addresses(of peer: PeerID) -> [Multiaddr] {
        peerStore.entry(for: peer)?.addresses ?? []
    }

    public func connectedPeers() -> [PeerID] {
        connections.keys.sorted()
    }

    public func listenAddresses() -> [Multiaddr] {
        listeners.flatMap { listener -> [Multiaddr] in
            guard let bound = PeerStore.dialableAddress(listener.address) else { return [] }
            return Self.expandUnspecified(bound)
        }
    }

    public func peerEvents() -> AsyncStream<PeerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: PeerEvent.self, bufferingPolicy: .bufferingNewest(1024))
        if isShutDown {
            continuation.finish()
            return stream
        }
        let id = takeID()
        eventContinuations[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeEventContinuation(id) }
        }
        return stream
    }

    // MARK: - Queries and control

    /// Every live connection with its remote socket address, sorted by peer.
    public func connectionInfos() async -> [ConnectionInfo] {
        var infos: [ConnectionInfo] = []
        for (peer, entries) in connections {
            for entry in entries {
                infos.append(ConnectionInfo(peer: peer, address: await entry.connection.remoteAddress,
                                            direction: entry.direction,
                                            agentVersion: peerStore.entry(for: peer)?.agentVersion))
            }
        }
        return infos.sorted { $0.peer < $1.peer }
    }

    /// What identify told us about `peer` (addresses, protocols, agent).
    public func peerInfo(_ peer: PeerID) -> PeerStore.Entry? {
        peerStore.entry(for: peer)
    }

    /// Closes every connection to `peer`; returns whether there was one.
    @discardableResult
    public func disconnect(_ peer: PeerID) async -> Bool {
        guard let entries = connections[peer] else { return false }
        for entry in entries { await entry.connection.close() }
        return true
    }

    /// Sends our identify message to every connected peer (identify push), e.g. after the set of served
    /// protocols or addresses changed.
    public func pushIdentify() async {
        let message = identifyMessage()
        for peer in connectedPeers() {
            guard let connection = liveConnection(to: peer) else { continue }
            guard let stream = try? await connection.openStream(protocols: [IdentifyService.pushProtocolID]) else { continue }
            await IdentifyService.answer(stream, with: message)
        }
    }

    /// The protocols served on inbound streams.
    public func servedProtocols() -> [String] {
        handlers.protocols.sorted()
    }

    // MARK: - Connections

    private var connectedPeerSet: Set<PeerID> { Set(connections.keys) }

    private func liveConnection(to peer: PeerID) -> LibP2PConnection? {
        connections[peer]?.first?.connection
    }

    /// A live connection to `peer`, dialling its known addresses (one dial per peer at a time) if needed.
    private func connection(to peer: PeerID) async throws(ConnectionError) -> LibP2PConnection {
        guard !isShutDown else { throw .connectionClosed(reason: "the node is shutting down") }
        if let entries = connections[peer] {
            for entry in entries where !(await entry.connection.isClosed) { return entry.connection }
        }
        if let pending = pendingDials[peer] { return try await pending.value.get() }
        let addresses = peerStore.entry(for: peer)?.addresses ?? []
        guard !addresses.isEmpty else { throw .noKnownAddress(peer: peer.description) }
        guard pendingDialCount < configuration.maximumPendingDialCount else {
            throw .resourceLimitExceeded(limit: "pending dials", value: configuration.maximumPendingDialCount)
        }
        pendingDialCount += 1
        let transport = self.transport
        let identity = self.identity
        let handlers = self.handlers
        let dial = Task { () -> Result<LibP2PConnection, ConnectionError> in
            var failures: [String] = []
            for address in addresses {
                guard !Task.isCancelled else { break }
                let full = Multiaddr(address.components + [.p2p(peer.multihash)])
                do {
                    return .success(try await transport.dial(full, identity: identity, handlers: handlers))
                } catch {
                    failures.append("\(address): \(error)")
                }
            }
            return .failure(.dialFailed(peer: peer.description, failures: failures))
        }
        pendingDials[peer] = dial
        let result = await dial.value
        pendingDials.removeValue(forKey: peer)
        pendingDialCount -= 1
        let connection = try result.get()
        try adopt(connection, direction: .outbound)
        return connection
    }

    /// Takes ownership of an upgraded connection, within the connection limits, and starts its monitor.
    private func adopt(_ connection: LibP2PConnection, direction: Direction) throws(ConnectionError) {
        let peer = connection.remotePeerID
        let total = connections.values.reduce(0) { $0 + $1.count }
        var refusal: ConnectionError?
        if isShutDown {
            refusal = .connectionClosed(reason: "the node is shutting down")
        } else if total >= configuration.maximumConnectionCount {
            refusal = .resourceLimitExceeded(limit: "connections", value: configuration.maximumConnectionCount)
        } else if (connections[peer]?.count ?? 0) >= configuration.maximumConnectionsPerPeer {
            refusal = .resourceLimitExceeded(limit: "connections per peer", value: configuration.maximumConnectionsPerPeer)
        }
        if let refusal {
            logger.debug("connection refused", metadata: ["peer": "\(peer)", "reason": "\(refusal)"])
            Task { await connection.close() }
            // An inbound refusal is not the dialler's error; an outbound one is ours to report unless an
            // existing connection to the peer can be used.
            if direction == .outbound, liveConnection(to: peer) == nil { throw refusal }
            return
        }
        let id = takeID()
        let isFirst = connections[peer] == nil
        connections[peer, default: []].append(ConnectionEntry(id: id, connection: connection, direction: direction))
        if isFirst { emit(.connected(peer)) }
        let identifyConfiguration = configuration.identify
        let identifyTimeout = configuration.identifyTimeout
        tasks[id] = Task { [weak self] in
            let message = await Self.identify(connection, configuration: identifyConfiguration, timeout: identifyTimeout)
            if let message { await self?.identified(peer, message) }
            await connection.waitUntilClosed()
            await self?.connectionEnded(id: id, peer: peer)
        }
    }

    /// Asks the peer for its identify message; nil when it does not answer properly within `timeout`.
    private static func identify(_ connection: LibP2PConnection, configuration: IdentifyConfiguration,
                                 timeout: Duration) async -> IdentifyMessage? {
        await withTaskGroup(of: IdentifyMessage?.self) { group in
            group.addTask { try? await IdentifyService.request(on: connection, configuration: configuration) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    private func identified(_ peer: PeerID, _ message: IdentifyMessage) {
        guard connections[peer] != nil else { return }
        let protected = connectedPeerSet
        peerStore.add(message.listenAddresses, for: peer, protected: protected)
        peerStore.recordIdentify(peer, protocols: message.protocols, agentVersion: message.agentVersion, protected: protected)
        emit(.identified(peer, protocols: message.protocols,
                         listenAddresses: peerStore.entry(for: peer)?.addresses ?? []))
    }

    private func receivePush(_ stream: LibP2PStream) async {
        guard let message = try? await IdentifyService.read(stream, configuration: configuration.identify) else {
            return await stream.reset()
        }
        identified(stream.remotePeerID, message)
    }

    private func connectionEnded(id: UInt64, peer: PeerID) {
        tasks.removeValue(forKey: id)
        guard var entries = connections[peer] else { return }
        entries.removeAll { $0.id == id }
        if entries.isEmpty {
            connections.removeValue(forKey: peer)
            emit(.disconnected(peer))
        } else {
            connections[peer] = entries
        }
    }

    /// Our identify message: key, listen addresses, served protocols, versions.
    func identifyMessage() -> IdentifyMessage {
        IdentifyMessage(protocolVersion: IdentifyService.protocolVersion, agentVersion: configuration.agentVersion,
                        publicKey: identity.publicKey.protobufBytes,
                        listenAddresses: Array(listenAddresses().prefix(configuration.identify.maximumListenAddressCount)),
                        protocols: servedProtocols())
    }

    // MARK: - Helpers

    private func emit(_ event: PeerEvent) {
        for continuation in eventContinuations.values { continuation.yield(event) }
    }

    private func removeEventContinuation(_ id: UInt64) {
        eventContinuations.removeValue(forKey: id)
    }

    private func takeID() -> UInt64 {
        nextID += 1
        return nextID
    }

    /// `/ip4/0.0.0.0/tcp/N` (or `/ip6/::/…`) as one address per local interface address of that family.
    static func expandUnspecified(_ address: Multiaddr) -> [Multiaddr] {
        guard address.components.count == 2, case .tcp(let port) = address.components[1] else { return [address] }
        let wantsIPv4: Bool
        switch address.components[0] {
        case .ip4(let ip) where ip == Multiaddr.IPv4Address(0, 0, 0, 0): wantsIPv4 = true
        case .ip6(let ip) where ip.description == "::": wantsIPv4 = false
        default: return [address]
        }
        guard let devices = try? System.enumerateDevices() else { return [address] }
        var expanded: [Multiaddr] = []
        for device in devices {
            guard let socketAddress = device.address, let multiaddr = Multiaddr(socketAddress: socketAddress),
                  case let first = multiaddr.components[0] else { continue }
            switch first {
            case .ip4 where wantsIPv4, .ip6 where !wantsIPv4:
                let candidate = Multiaddr([first, .tcp(port: port)])
                if !expanded.contains(candidate) { expanded.append(candidate) }
            default:
                continue
            }
        }
        return expanded.isEmpty ? [address] : expanded
    }
}
