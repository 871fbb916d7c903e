import CairnCore
import Foundation

/// Iterative lookups: closest peers, peers, providers and records.
extension DHTService {
    /// Whether a lookup goes on after a response.
    enum LookupDecision {
        /// Keep querying until the k closest have answered.
        case proceed
        /// The caller has what it wanted; stop now.
        case stop
    }

    /// The k (20) peers closest to `key` (peer-ID bytes, a multihash or a record key) that answered an
    /// iterative FIND_NODE lookup with α concurrent queries, closest first.
    public func closestPeers(to key: [UInt8]) async -> [DHTPeer] {
        await lookup(key: key, request: DHTMessage(type: .findNode, key: key))
    }

    /// Finds `peer`'s addresses: from the routing table if present, else by a FIND_NODE lookup that stops
    /// as soon as some peer returns it with addresses.
    /// - Returns: the peer with its (scoped) addresses, or nil when the lookup did not find it.
    public func findPeer(_ peer: DHTPeerID) async -> DHTPeer? {
        if let entry = routingTable.entry(for: peer), !entry.addresses.isEmpty {
            return DHTPeer(id: peer, addresses: entry.addresses)
        }
        var found: DHTPeer?
        let closest = await lookup(key: peer.bytes, request: .findNode(peer)) { responder, response in
            if responder.id == peer, !responder.addresses.isEmpty {
                found = responder
                return .stop
            }
            if let match = response.closerPeers.first(where: { $0.id == peer && !$0.addresses.isEmpty }) {
                found = match
                return .stop
            }
            return .proceed
        }
        return found ?? closest.first { $0.id == peer }
    }

    /// Finds providers of the content with `multihash`: local records first, then a GET_PROVIDERS lookup
    /// that stops once `limit` distinct providers are known.
    /// - Parameter limit: how many providers to return; `defaultProviderCount` (20) when nil, clamped to
    ///   1...`maximumProviderCount`.
    public func findProviders(for multihash: Multihash, limit: Int? = nil) async -> [DHTPeer] {
        await collectProviders(for: multihash, limit: limit) { _ in }
    }

    /// Finds providers of the content named by `cid` (by its multihash, as kubo keys them).
    public func findProviders(for cid: CID, limit: Int? = nil) async -> [DHTPeer] {
        await findProviders(for: cid.multihash, limit: limit)
    }

    /// Like `findProviders(for:limit:)`, but yields each provider to `continuation` as soon as it is found
    /// and finishes it at the end, so a caller can start fetching early. Run it in a child task and cancel
    /// that task to stop early.
    public func findProviders(for multihash: Multihash, limit: Int? = nil,
                              yieldingTo continuation: AsyncStream<DHTPeer>.Continuation) async {
        _ = await collectProviders(for: multihash, limit: limit) { continuation.yield($0) }
        continuation.finish()
    }

    private func collectProviders(for multihash: Multihash, limit: Int?, found report: (DHTPeer) -> Void) async -> [DHTPeer] {
        let wanted = min(max(limit ?? configuration.defaultProviderCount, 1), configuration.maximumProviderCount)
        var providers: [DHTPeer] = []
        var seen: Set<DHTPeerID> = []
        func take(_ peer: DHTPeer) -> Bool {
            guard providers.count < wanted, seen.insert(peer.id).inserted else { return providers.count >= wanted }
            let provider = DHTPeer(id: peer.id, addresses: scoped(peer.addresses))
            providers.append(provider)
            report(provider)
            return providers.count >= wanted
        }
        for provider in server.providers.providers(for: multihash.bytes, now: clock.now()) {
            if take(provider) { return providers }
        }
        _ = await lookup(key: multihash.bytes, request: .getProviders(multihash)) { _, response in
            for provider in response.providerPeers.prefix(configuration.dht.maximumPeersPerMessage) {
                if take(provider) { return .stop }
            }
            return .proceed
        }
        return providers
    }

    /// The best valid record stored under `key` (a `/pk/…` or other validated key): our own copy if we
    /// hold one, else a GET_VALUE lookup collecting `getValueQuorum` valid records. Invalid records from
    /// peers are ignored.
    /// - Returns: the selected record, or nil when none was found.
    public func getValue(_ key: [UInt8]) async -> DHTRecord? {
        let quorum = configuration.getValueQuorum
        var valid: [DHTRecord] = []
        if let local = server.record(for: key, now: clock.now()), (try? server.validators.validate(local)) != nil { valid.append(local) }
        if valid.count < quorum {
            _ = await lookup(key: key, request: .getValue(key)) { _, response in
                if let record = response.record, record.key == key, (try? server.validators.validate(record)) != nil {
                    valid.append(record)
                }
                return valid.count >= quorum ? .stop : .proceed
            }
        }
        return server.validators.select(valid)
    }

    /// Runs one iterative lookup for `key` with `request`, feeding each valid response to `visit`.
    /// - Returns: the k closest peers that answered, closest first (those known when `visit` stopped it).
    func lookup(key: [UInt8], request: DHTMessage,
                visit: (DHTPeer, DHTMessage) -> LookupDecision = { _, _ in .proceed }) async -> [DHTPeer] {
        let target = KademliaKey(hashing: key)
        noteRefreshed(target)
        var machine = LookupStateMachine(target: target, configuration: configuration.dht, excluding: [localPeer])
        var addressBook: [DHTPeerID: [Multiaddr]] = [:]
        var responded: [DHTPeerID] = []
        let seeds = routingTable.closest(to: target, count: configuration.dht.bucketSize)
        for seed in seeds { addressBook[seed.peer] = seed.addresses }
        var actions = machine.handle(.start(seeds: seeds.map(\.peer)))
        let (messenger, clock, timeout) = (messenger, clock, configuration.requestTimeout)
        func entry(_ peer: DHTPeerID) -> DHTPeer { DHTPeer(id: peer, addresses: addressBook[peer] ?? []) }
        func closestFirst(_ peers: [DHTPeerID]) -> [DHTPeerID] {
            Array(peers.sorted { $0.kademliaKey.distance(to: target) < $1.kademliaKey.distance(to: target) }
                .prefix(configuration.dht.bucketSize))
        }

        return await withTaskGroup(of: (DHTPeerID, Result<DHTMessage, DHTError>).self) { group in
            while true {
                for action in actions {
                    switch action {
                    case .sendQuery(let peer):
                        let destination = entry(peer)
                        group.addTask {
                            (peer, await Self.query(request, to: destination, messenger: messenger, clock: clock, timeout: timeout))
                        }
                    case .finished(let closest):
                        group.cancelAll()
                        return closest.map(entry)
                    }
                }
                guard let (peer, result) = await group.next() else { return closestFirst(responded).map(entry) }
                switch result {
                case .success(let response) where response.type == request.type:
                    noteResponded(entry(peer))
                    responded.append(peer)
                    var closer: [DHTPeerID] = []
                    for candidate in response.closerPeers.prefix(configuration.dht.maximumPeersPerMessage) where candidate.id != localPeer {
                        let addresses = scoped(candidate.addresses)
                        if addressBook[candidate.id]?.isEmpty ?? true { addressBook[candidate.id] = addresses }
                        closer.append(candidate.id)
                    }
                    if visit(entry(peer), response) == .stop {
                        group.cancelAll()
                        return closestFirst(responded).map(entry)
                    }
                    actions = machine.handle(.response(from: peer, closerPeers: closer))
                case .success(let response):
                    noteFailed(peer, error: .unexpectedResponse(expected: request.type, actual: response.type))
                    actions = machine.handle(.failure(peer))
                case .failure(let error):
                    noteFailed(peer, error: error)
                    actions = machine.handle(.failure(peer))
                }
            }
        }
    }

    /// One request under the service's deadline, as a value.
    static func query(_ request: DHTMessage, to peer: DHTPeer, messenger: any DHTMessenger, clock: any DHTClock,
                      timeout: Duration) async -> Result<DHTMessage, DHTError> {
        do {
            return .success(
                try await DHTDeadline.run(
                    clock: clock, limit: timeout, expiredError: .requestTimedOut(peer: peer.id, limit: timeout), abort: {}
                ) { () async throws(DHTError) -> DHTMessage in try await messenger.request(request, to: peer) })
        } catch {
            return .failure(error)
        }
    }

    /// Remembers that the bucket `target` falls in was just searched, so refresh can skip it.
    func noteRefreshed(_ target: KademliaKey) {
        let length = localPeer.kademliaKey.commonPrefixLength(with: target)
        if length < KademliaKey.bitCount { bucketRefreshedAt[length] = clock.now() }
    }
}
