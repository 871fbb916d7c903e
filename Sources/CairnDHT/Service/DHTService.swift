import CairnCore
import CairnCrypto
import CairnNet
import Foundation
import Logging

/// A Kademlia DHT node: it finds peers, providers and records on the network and, in server mode,
/// answers other peers' requests.
///
/// An actor owning the routing table, the provider store and the value records; the sans-IO pieces
/// (`LookupStateMachine`, `DHTServerStateMachine`, `RoutingTable`) decide, this actor performs their
/// actions through an injected `DHTMessenger` and `DHTClock`. Background work (bucket refresh, reprovide,
/// expiry, peer events) runs only inside `run()`, which the owner calls in its task group and which
/// returns when cancelled.
///
/// Wiring in the node:
/// ```
/// let messenger = StreamDHTMessenger(network: host, configuration: config.dht, clock: clock)
/// let dht = DHTService(localPeer: host.localPeerID, configuration: config, messenger: messenger,
///                      clock: clock, snapshot: savedSnapshot, reprovideKeys: { await pins.cids() })
/// await dht.register(on: host)                       // before the host listens; no-op in client mode
/// group.addTask { await dht.run(peerEvents: await host.peerEvents()) }
/// _ = await dht.bootstrap(bootstrapPeers)
/// save(await dht.routingTableSnapshot())            // periodically and at shutdown
/// ```
public actor DHTService {
    /// Our own peer ID.
    public nonisolated let localPeer: DHTPeerID
    /// The service's parameters.
    public nonisolated let configuration: DHTServiceConfiguration

    let messenger: any DHTMessenger
    let clock: any DHTClock
    let logger: Logger
    let localAddresses: @Sendable () async -> [Multiaddr]
    let reprovideKeys: @Sendable () async -> [CID]
    var random: any RandomNumberGenerator & Sendable
    var routingTable: RoutingTable
    var server: DHTServerStateMachine
    var consecutiveFailures: [DHTPeerID: Int] = [:]
    var pendingBucketChecks: [DHTPeerID] = []
    var bucketRefreshedAt: [Int: Date] = [:]

    /// Creates a node; it holds no peers until `bootstrap`, `restore` or peer events add some.
    /// - Parameters:
    ///   - localPeer: our peer ID.
    ///   - configuration: mode, timeouts, intervals and limits.
    ///   - messenger: how requests reach other peers (`StreamDHTMessenger` in the node).
    ///   - clock: wall time and sleeping (`SystemDHTClock` in the node, a manual clock in tests).
    ///   - random: the source of bucket-refresh targets (seeded in tests).
    ///   - validators: the record namespaces accepted (`/pk/` by default).
    ///   - snapshot: a routing table saved by `routingTableSnapshot()`, so a restart is not cold; an
    ///     unreadable one is ignored (logged).
    ///   - localAddresses: our current listen addresses, sent in provider records.
    ///   - reprovideKeys: the content this node announces every `reprovideInterval` (its pins).
    ///   - logger: where operational events are logged.
    public init(
        localPeer: DHTPeerID,
        configuration: DHTServiceConfiguration = DHTServiceConfiguration(),
        messenger: any DHTMessenger,
        clock: any DHTClock,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        validators: DHTRecordValidators = .default,
        snapshot: RoutingTableSnapshot? = nil,
        localAddresses: @escaping @Sendable () async -> [Multiaddr] = { [] },
        reprovideKeys: @escaping @Sendable () async -> [CID] = { [] },
        logger: Logger = Logger(label: "cairn.dht")
    ) {
        self.localPeer = localPeer
        self.configuration = configuration
        self.messenger = messenger
        self.clock = clock
        self.random = random
        self.localAddresses = localAddresses
        self.reprovideKeys = reprovideKeys
        self.logger = logger
        self.server = DHTServerStateMachine(localPeer: DHTPeer(id: localPeer), configuration: configuration.dht, validators: validators)
        var table = RoutingTable(localPeer: localPeer, configuration: configuration.dht)
        if let snapshot {
            do {
                table = try RoutingTable(localPeer: localPeer, snapshot: snapshot, configuration: configuration.dht)
            } catch {
                logger.warning("ignoring the saved routing table", metadata: ["error": "\(error)"])
            }
        }
        self.routingTable = table
    }

    /// A node for a CairnCrypto peer ID.
    public init(
        localPeerID: PeerID,
        configuration: DHTServiceConfiguration = DHTServiceConfiguration(),
        messenger: any DHTMessenger,
        clock: any DHTClock,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        validators: DHTRecordValidators = .default,
        snapshot: RoutingTableSnapshot? = nil,
        localAddresses: @escaping @Sendable () async -> [Multiaddr] = { [] },
        reprovideKeys: @escaping @Sendable () async -> [CID] = { [] },
        logger: Logger = Logger(label: "cairn.dht")
    ) {
        self.init(localPeer: DHTPeerID(multihash: localPeerID.multihash), configuration: configuration, messenger: messenger,
                  clock: clock, random: random, validators: validators, snapshot: snapshot, localAddresses: localAddresses,
                  reprovideKeys: reprovideKeys, logger: logger)
    }

    // MARK: - Routing table

    /// The peers in the routing table, with their addresses.
    public var routingTablePeers: [DHTPeer] {
        routingTable.entries.map { DHTPeer(id: $0.peer, addresses: $0.addresses) }
    }

    /// The number of peers in the routing table.
    public var routingTableCount: Int { routingTable.count }

    /// The routing table's persistent form, for the node's database.
    public func routingTableSnapshot() -> RoutingTableSnapshot { routingTable.snapshot() }

    /// Adds the peers of a saved snapshot to the routing table (peers already present keep their entries).
    /// - Throws: `DHTError.unsupportedSnapshotVersion` for a snapshot from a newer format.
    public func restore(_ snapshot: RoutingTableSnapshot) throws(DHTError) {
        let restored = try RoutingTable(localPeer: localPeer, snapshot: snapshot, configuration: configuration.dht)
        for entry in restored.entries where !routingTable.contains(entry.peer) {
            admit(entry.peer, addresses: entry.addresses, now: entry.lastSeen)
        }
    }

    /// Tells the DHT that identify reported `peer`'s protocols: a peer speaking our DHT protocol is added
    /// to the routing table (kubo adds only advertised servers); one that stopped speaking it is removed.
    public func peerIdentified(_ peer: DHTPeer, protocols: [String]) {
        if protocols.contains(configuration.dht.protocolID) {
            admit(peer.id, addresses: scoped(peer.addresses), now: clock.now())
        } else if routingTable.remove(peer.id) {
            consecutiveFailures[peer.id] = nil
        }
    }

    /// Applies one network event (only `.identified` matters: disconnected peers stay until queries fail).
    public func apply(_ event: PeerEvent) {
        guard case .identified(let peerID, let protocols, let addresses) = event else { return }
        peerIdentified(DHTPeer(id: DHTPeerID(multihash: peerID.multihash), addresses: addresses), protocols: protocols)
    }

    /// Adds a peer known to be a DHT server, queueing a liveness check of a full bucket's oldest peer. On
    /// the WAN DHT a peer without a public address is not added (kubo's `PublicRoutingTableFilter`): other
    /// peers could not dial it from our answers.
    func admit(_ peer: DHTPeerID, addresses: [Multiaddr], now: Date) {
        if configuration.addressScope == .wan && addresses.isEmpty && !routingTable.contains(peer) { return }
        switch routingTable.insert(peer, addresses: addresses, now: now) {
        case .checkOldest(let oldest):
            if pendingBucketChecks.count < configuration.maximumPendingBucketChecks && !pendingBucketChecks.contains(oldest) {
                pendingBucketChecks.append(oldest)
            }
        case .added, .updated, .rejectedSelf, .bucketFull:
            break
        }
    }

    /// Records that `peer` answered a query: it speaks the DHT, so it enters (or is refreshed in) the table.
    func noteResponded(_ peer: DHTPeer) {
        consecutiveFailures[peer.id] = nil
        admit(peer.id, addresses: scoped(peer.addresses), now: clock.now())
    }

    /// Records a failed query; after `maximumConsecutiveFailures` in a row the peer leaves the table.
    func noteFailed(_ peer: DHTPeerID, error: DHTError) {
        guard routingTable.contains(peer) else { return }
        let failures = (consecutiveFailures[peer] ?? 0) + 1
        if failures >= configuration.maximumConsecutiveFailures {
            routingTable.remove(peer)
            consecutiveFailures[peer] = nil
            logger.debug("evicted an unresponsive peer", metadata: ["peer": "\(peer)", "error": "\(error)"])
        } else {
            consecutiveFailures[peer] = failures
        }
    }

    /// The addresses worth keeping for our scope, at most `maximumAddressesPerPeer`.
    func scoped(_ addresses: [Multiaddr]) -> [Multiaddr] {
        Array(DHTAddressFilter.filter(addresses, for: configuration.addressScope).prefix(configuration.dht.maximumAddressesPerPeer))
    }

    /// Ourselves as a peer entry with our current (scoped) listen addresses.
    func selfEntry() async -> DHTPeer {
        let addresses = scoped(await localAddresses())
        server.localPeer = DHTPeer(id: localPeer, addresses: addresses)
        return server.localPeer
    }

    // MARK: - Inbound requests

    /// Answers one request from `sender` (the authenticated remote peer).
    /// - Returns: the reply to write, `.noResponse` (ADD_PROVIDER), or `.reject` (reset the stream); always
    ///   `.reject(.clientMode)` in client mode.
    public func handle(_ request: DHTMessage, from sender: DHTPeerID) -> DHTServerStateMachine.Outcome {
        guard configuration.mode == .server else { return .reject(.clientMode) }
        var request = request
        if request.type == .addProvider {
            request.providerPeers = request.providerPeers.map { DHTPeer(id: $0.id, addresses: scoped($0.addresses)) }
        }
        return server.handle(request, from: sender, routingTable: routingTable, now: clock.now())
    }

    /// Serves one inbound DHT stream: reads requests and writes responses on it until the peer half-closes,
    /// stays idle for `inboundIdleTimeout`, or sends something invalid (then the stream is reset, as kubo
    /// does). Never throws; refuses every stream in client mode.
    public nonisolated func serve(_ stream: any DHTStream) async {
        guard configuration.mode == .server, let sender = try? DHTPeerID(bytes: stream.remotePeerIDBytes) else {
            await stream.reset()
            return
        }
        let channel = DHTMessageChannel(stream: stream, configuration: configuration.dht)
        let limit = configuration.inboundIdleTimeout
        while true {
            let request: DHTMessage?
            do {
                request = try await DHTDeadline.run(
                    clock: clock, limit: limit, expiredError: .requestTimedOut(peer: sender, limit: limit),
                    abort: { await stream.reset() }
                ) { () async throws(DHTError) -> DHTMessage? in try await channel.receive() }
            } catch {
                logger.debug("closing a DHT stream", metadata: ["peer": "\(sender)", "error": "\(error)"])
                await stream.reset()
                return
            }
            guard let request else {
                await stream.closeWrite()
                return
            }
            switch await handle(request, from: sender) {
            case .respond(let response):
                do {
                    try await channel.send(response)
                } catch {
                    await stream.reset()
                    return
                }
            case .noResponse:
                continue
            case .reject(let error):
                logger.debug("rejected a DHT request", metadata: ["peer": "\(sender)", "error": "\(error)"])
                await stream.reset()
                return
            }
        }
    }

    /// Registers `serve` as the handler of our DHT protocol on `network`, in server mode only (a client must
    /// not accept DHT streams, nor advertise the protocol). Call before the network listens.
    public nonisolated func register(on network: any PeerNetwork) async {
        guard configuration.mode == .server else { return }
        await network.setStreamHandler(
            configuration.dht.protocolID, maximumConcurrentStreamCount: configuration.maximumInboundStreamsPerConnection
        ) { [weak self] stream in
            // Weak: the network keeps its handlers for its lifetime and must not keep the DHT alive.
            guard let self else { return await stream.reset() }
            await self.serve(stream)
        }
    }
}
