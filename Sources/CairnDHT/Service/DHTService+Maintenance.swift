import CairnCore
import CairnNet
import Foundation

/// Joining the network and the background loops that keep the routing table and records fresh.
extension DHTService {
    /// Joins the network through `peers` (typically the bootstrap list): asks each for the peers closest
    /// to us, adds those that answer, then refreshes the table (self-lookup and bucket refresh).
    /// - Returns: how many of `peers` answered (at most `bucketSize` are contacted).
    @discardableResult
    public func bootstrap(_ peers: [DHTPeer]) async -> Int {
        let request = DHTMessage.findNode(localPeer)
        let (messenger, clock, timeout) = (messenger, clock, configuration.requestTimeout)
        let contacts = peers.filter { $0.id != localPeer }.prefix(configuration.dht.bucketSize)
        let results = await withTaskGroup(of: (DHTPeer, Result<DHTMessage, DHTError>).self) { group in
            for peer in contacts {
                group.addTask { (peer, await Self.query(request, to: peer, messenger: messenger, clock: clock, timeout: timeout)) }
            }
            var results: [(DHTPeer, Result<DHTMessage, DHTError>)] = []
            for await result in group { results.append(result) }
            return results
        }
        var answered = 0
        for (peer, result) in results {
            guard case .success(let response) = result, response.type == .findNode else {
                logger.info("a bootstrap peer did not answer", metadata: ["peer": "\(peer.id)"])
                continue
            }
            noteResponded(peer)
            answered += 1
        }
        await refresh()
        return answered
    }

    /// Refreshes the routing table: checks the oldest peers of full buckets that new peers wait on, looks
    /// up our own ID (which fills the nearest buckets), then looks up a random ID in every bucket up to
    /// `maximumRefreshCommonPrefixLength` not searched within `refreshInterval`.
    public func refresh() async {
        await checkOldestPeers()
        _ = await closestPeers(to: localPeer.bytes)
        let now = clock.now()
        let interval = ProviderStore.seconds(configuration.refreshInterval)
        let deepest = (0..<KademliaKey.bitCount).last { !routingTable.bucket($0).isEmpty } ?? 0
        let depth = min(deepest, configuration.maximumRefreshCommonPrefixLength)
        for length in 0...depth {
            if let last = bucketRefreshedAt[length], now.timeIntervalSince(last) < interval { continue }
            let target = randomPeerID(commonPrefixLength: length)
            _ = await closestPeers(to: target.bytes)
        }
    }

    /// Drops provider records and value records expired now; `run()` calls it every `expirySweepInterval`.
    /// - Returns: the number of records dropped.
    @discardableResult
    public func removeExpiredRecords() -> Int {
        let now = clock.now()
        return server.removeExpiredProviders(now: now) + server.removeExpiredRecords(now: now)
    }

    /// Runs the background work until the calling task is cancelled: bucket refresh every
    /// `refreshInterval`, reprovide every `reprovideInterval` (first after `initialReprovideDelay`),
    /// the expiry sweep every `expirySweepInterval`, and, if given, the network's peer events (so
    /// identified DHT servers join the routing table). Call it in the owner's task group.
    public nonisolated func run(peerEvents: AsyncStream<PeerEvent>? = nil) async {
        let configuration = configuration
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.repeating(every: configuration.refreshInterval, after: configuration.refreshInterval) { await self.refresh() }
            }
            group.addTask {
                await self.repeating(every: configuration.reprovideInterval, after: configuration.initialReprovideDelay) {
                    _ = await self.reprovide()
                }
            }
            group.addTask {
                await self.repeating(every: configuration.expirySweepInterval, after: configuration.expirySweepInterval) {
                    _ = await self.removeExpiredRecords()
                }
            }
            if let peerEvents {
                group.addTask {
                    for await event in peerEvents { await self.apply(event) }
                }
            }
            await group.waitForAll()
        }
    }

    private nonisolated func repeating(every interval: Duration, after initialDelay: Duration,
                                       _ action: @Sendable () async -> Void) async {
        var delay = initialDelay
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: delay)
            } catch {
                return
            }
            await action()
            delay = interval
        }
    }

    /// Pings the oldest peer of each full bucket a newcomer waits on; a silent one is replaced.
    func checkOldestPeers() async {
        let checks = pendingBucketChecks
        pendingBucketChecks = []
        consecutiveFailures = consecutiveFailures.filter { routingTable.contains($0.key) }
        let (messenger, clock, timeout) = (messenger, clock, configuration.requestTimeout)
        for oldest in checks {
            guard let entry = routingTable.entry(for: oldest) else { continue }
            let target = DHTPeer(id: oldest, addresses: entry.addresses)
            let reply = await Self.query(DHTMessage(type: .ping), to: target, messenger: messenger, clock: clock, timeout: timeout)
            let responded = if case .success(let message) = reply, message.type == .ping { true } else { false }
            routingTable.oldestCheckCompleted(oldest, responded: responded, now: clock.now())
        }
    }

    /// A random Ed25519-style peer ID whose key shares exactly `commonPrefixLength` bits with ours (found
    /// by trying, 2^(length+1) hashes on average, bounded; the last try is used if none matches).
    func randomPeerID(commonPrefixLength length: Int) -> DHTPeerID {
        var candidate = localPeer
        for _ in 0..<(1 << (length + 5)) {
            var bytes: [UInt8] = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20]
            for _ in 0..<4 { withUnsafeBytes(of: random.next()) { bytes.append(contentsOf: $0) } }
            guard let peer = try? DHTPeerID(bytes: bytes) else { continue }
            candidate = peer
            if localPeer.kademliaKey.commonPrefixLength(with: peer.kademliaKey) == length { break }
        }
        return candidate
    }
}
