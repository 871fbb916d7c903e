import CairnCore
import CairnCrypto
import CairnDHT
import CairnExchange
import CairnNet
import CairnNode
import Foundation
import Logging

/// Options of a networked node beyond the repository's config.
public struct NetworkNodeOptions: Sendable {
    /// Where to listen.
    public var listenAddresses: [Multiaddr]
    /// Peers to connect to at start (full multiaddrs with `/p2p/`).
    public var bootstrapAddresses: [Multiaddr]
    /// The DHT protocol ID.
    public var dhtProtocol: String
    /// Whether the DHT answers queries (server) or only asks (client).
    public var dhtServerMode: Bool
    /// How often pinned roots are re-announced.
    public var reprovideInterval: Duration

    /// Creates options.
    public init(listenAddresses: [Multiaddr], bootstrapAddresses: [Multiaddr], dhtProtocol: String,
                dhtServerMode: Bool, reprovideInterval: Duration) {
        self.listenAddresses = listenAddresses
        self.bootstrapAddresses = bootstrapAddresses
        self.dhtProtocol = dhtProtocol
        self.dhtServerMode = dhtServerMode
        self.reprovideInterval = reprovideInterval
    }

    /// The options a repository's config describes.
    /// - Throws: `NodeError(.invalidInput)` for an address that does not parse.
    public init(config: NetworkConfig) throws {
        self.init(listenAddresses: try config.listen.map(Self.parse), bootstrapAddresses: try config.bootstrap.map(Self.parse),
                  dhtProtocol: config.dhtProtocol, dhtServerMode: config.dhtMode != "client",
                  reprovideInterval: .seconds(max(60, config.reprovideIntervalSeconds)))
    }

    /// Parses a multiaddr, as a `NodeError(.invalidInput)` on failure.
    public static func parse(_ text: String) throws -> Multiaddr {
        do {
            return try Multiaddr(text)
        } catch {
            throw NodeError(.invalidInput, "\(text) is not a valid multiaddr: \(error)")
        }
    }
}

/// A running Cairn node on the network: the repository, the libp2p host, the DHT and Bitswap, and the
/// background work (bootstrap, reprovide) that keeps them useful. The daemon owns one.
public actor NetworkNode {
    /// The local repository.
    public nonisolated let repository: Repository
    /// The libp2p host.
    public nonisolated let host: LibP2PHost
    /// This node's key.
    nonisolated let identity: PrivateKey
    /// The options it was started with.
    public nonisolated let options: NetworkNodeOptions
    /// The Bitswap engine serving and fetching blocks.
    public nonisolated let bitswap: BitswapService
    /// The Kademlia DHT (providers, peers, records).
    public nonisolated let dht: DHTService
    /// The storage market: owner engine, provider engine (when providing), storage database.
    public nonisolated let storage: NodeStorage
    /// Roots to announce in the background (after fetches).
    nonisolated let provideQueue: (stream: AsyncStream<CID>, continuation: AsyncStream<CID>.Continuation)
    /// Rings when a provider accepted a contract: the file-index loop fetches the file's manifest and tables.
    nonisolated let fileIndexSignal: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    let logger: Logger

    /// Creates the node; nothing listens until ``start()``.
    public init(repository: Repository, options: NetworkNodeOptions, logger: Logger) throws {
        self.repository = repository
        self.identity = try repository.identity()
        self.options = options
        self.logger = logger
        var hostConfiguration = HostConfiguration(listenAddresses: options.listenAddresses)
        // Wide stream windows let a peer keep many blocks in flight on one Bitswap stream; the connection-wide
        // unread-data cap (64 MiB) bounds what a peer can make us hold however many windows it fills.
        hostConfiguration.connection.yamux.receiveWindowByteCount = 4 << 20
        let host = LibP2PHost(identity: identity, configuration: hostConfiguration,
                              logger: logger)
        self.host = host
        self.bitswap = BitswapService(
            messenger: StreamBitswapMessenger(network: host), store: RepositoryBitswapStore(blocks: repository.blocks),
            clock: ContinuousClock(), logger: logger,
            onMisbehavingPeer: { peer, penalty in
                logger.warning("dropping a misbehaving peer", metadata: ["peer": "\(peer)", "penalty": "\(penalty)"])
                await host.disconnect(peer)
            })
        let dhtConfiguration = DHTServiceConfiguration(
            dht: DHTConfiguration(protocolID: options.dhtProtocol), mode: options.dhtServerMode ? .server : .client,
            reprovideInterval: options.reprovideInterval)
        let clock = SystemDHTClock()
        let blocks = repository.blocks
        let database = repository.database
        self.dht = DHTService(
            localPeerID: identity.peerID, configuration: dhtConfiguration,
            messenger: StreamDHTMessenger(network: host, configuration: dhtConfiguration.dht, clock: clock,
                                          requestTimeout: dhtConfiguration.requestTimeout),
            clock: clock, snapshot: Self.savedRoutingTable(repository, localPeer: identity.peerID),
            localAddresses: { await host.listenAddresses() },
            reprovideKeys: {
                ((try? database.pins()) ?? []).compactMap { try? CID($0.cid) }.filter { (try? blocks.has($0)) ?? false }
            },
            logger: logger)
        self.provideQueue = AsyncStream.makeStream(of: CID.self, bufferingPolicy: .bufferingNewest(1024))
        self.fileIndexSignal = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.storage = try NodeStorage(repository: repository, key: identity,
                                       environment: Self.storageEnvironment(host: host, dht: dht, bitswap: bitswap, repository: repository),
                                       logger: logger)
    }

    /// Listens and connects to the bootstrap peers (failures to reach one are logged, not fatal).
    /// - Throws: `NodeError(.network)` when a listen address cannot be bound.
    public func start() async throws {
        await StreamBitswapMessenger.registerHandlers(on: host, service: bitswap)
        await dht.register(on: host)
        await registerStorage()
        do {
            try await host.start()
        } catch {
            throw NodeError(.network, "cannot listen: \(error); choose another --listen address or port")
        }
        // Saved routing-table peers are dialable again right away.
        for peer in await dht.routingTablePeers {
            if let id = try? PeerID(bytes: peer.id.bytes) { await host.addAddresses(peer.addresses, for: id) }
        }
        await bootstrap()
    }

    /// Connects to every bootstrap peer not connected yet; returns how many are connected.
    @discardableResult
    func bootstrap() async -> Int {
        var connected = 0
        for address in options.bootstrapAddresses {
            do {
                _ = try await host.connect(to: address)
                connected += 1
            } catch {
                logger.info("bootstrap peer unreachable", metadata: ["address": "\(address)", "error": "\(error)"])
            }
        }
        // Join the DHT through the bootstrap peers and the saved routing table.
        var seeds = DHTPeer.grouping(peerAddresses: options.bootstrapAddresses)
        for peer in await dht.routingTablePeers where !seeds.contains(where: { $0.id == peer.id }) { seeds.append(peer) }
        if !seeds.isEmpty { _ = await dht.bootstrap(Array(seeds.prefix(32))) }
        return connected
    }

    /// Runs the background loops until cancelled.
    public func run() async {
        let events = await host.peerEvents()
        let dhtEvents = await host.peerEvents()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.bootstrapLoop() }
            group.addTask { await self.bitswap.run() }
            group.addTask { await self.bitswap.followPeerEvents(events) }
            group.addTask { await self.dht.run(peerEvents: dhtEvents) }
            group.addTask { await self.provideLoop() }
            group.addTask { await self.persistenceLoop() }
            group.addTask { await self.storage.owner.run() }
            group.addTask { await self.providerLoop() }
            group.addTask { await self.fileIndexLoop() }
        }
    }

    /// Re-dials bootstrap peers while the node has no connections (after a network outage or restart of
    /// every peer).
    private func bootstrapLoop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(10)) } catch { return }
            let knowsPeers = await dht.routingTableCount > 0
            if await host.connectedPeers().isEmpty, !options.bootstrapAddresses.isEmpty || knowsPeers {
                await bootstrap()
            }
        }
    }

    /// Saves the routing table, then closes every connection and listener.
    public func shutdown() async {
        await saveRoutingTable()
        provideQueue.continuation.finish()
        await host.shutdown()
    }

    // MARK: - Reports

    /// `id`: peer ID, key and the full listen addresses with `/p2p/`.
    public func idReport() async -> IdReport {
        let suffix = Multiaddr.Component.p2p(identity.peerID.multihash)
        return IdReport(ID: identity.peerID.description,
                        PublicKey: Data(identity.publicKey.protobufBytes).base64EncodedString(),
                        Addresses: await host.listenAddresses().map { Multiaddr($0.components + [suffix]).description },
                        AgentVersion: host.configuration.agentVersion, ProtocolVersion: IdentifyService.protocolVersion,
                        Protocols: await host.servedProtocols())
    }

    /// `swarm peers`.
    public func swarmPeers() async -> SwarmPeersReport {
        let infos = await host.connectionInfos()
        return SwarmPeersReport(Peers: infos.map {
            SwarmPeer(Peer: $0.peer.description, Addr: $0.address?.description ?? "", Direction: $0.direction.rawValue,
                      Agent: $0.agentVersion)
        })
    }

    /// `swarm connect`: dials every address; fails with the first error when none connects.
    public func swarmConnect(_ addresses: [String]) async throws -> SwarmChangeReport {
        var peers: [String] = []
        var failures: [String] = []
        for text in addresses {
            let address = try NetworkNodeOptions.parse(text)
            do {
                peers.append(try await host.connect(to: address).description)
            } catch {
                failures.append("\(text): \(error)")
            }
        }
        if peers.isEmpty, !failures.isEmpty {
            throw NodeError(.network, "could not connect: \(failures.joined(separator: "; "))")
        }
        return SwarmChangeReport(Peers: peers)
    }

    /// `swarm disconnect`.
    public func swarmDisconnect(_ peerText: String) async throws -> SwarmChangeReport {
        let peer = try Self.parsePeer(peerText)
        guard await host.disconnect(peer) else {
            throw NodeError(.notFound, "not connected to \(peerText)")
        }
        return SwarmChangeReport(Peers: [peerText])
    }

    /// Parses a peer ID (or a multiaddr ending in `/p2p/ID`).
    static func parsePeer(_ text: String) throws -> PeerID {
        if text.hasPrefix("/"), let address = try? Multiaddr(text), case .p2p(let multihash)? = address.components.last,
           let peer = try? PeerID(multihash: multihash) {
            return peer
        }
        do {
            return try PeerID(text)
        } catch {
            throw NodeError(.invalidInput, "\(text) is not a peer ID: \(error)")
        }
    }
}
