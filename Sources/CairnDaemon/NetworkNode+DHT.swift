import CairnCore
import CairnCrypto
import CairnDHT
import CairnExchange
import CairnNet
import CairnNode
import CairnStore
import Foundation

extension NetworkNode {
    /// The DHT methods of the control API.
    nonisolated func handleDHTControl(method: String, request: Data, progress: ControlProgressSink) async throws -> Data {
        switch method {
        case "dht.findprovs":
            let params = try decode(FindProvidersParams.self, request)
            return try encode(try await findProviders(params.cid, count: params.count, timeout: .seconds(max(0.1, params.timeoutSeconds))))
        case "dht.findpeer":
            let params = try decode(PeerParams.self, request)
            return try encode(try await findPeer(params.peer))
        case "dht.provide":
            let params = try decode(CIDsParams.self, request)
            let cids = try params.cids.map(Self.parseCID)
            for cid in cids where !((try? repository.blocks.has(cid)) ?? false) {
                throw NodeError(.notFound, "\(cid) is not in this repository; add or fetch it before providing it")
            }
            return try encode(await provide(cids))
        default:
            return try await handleStorageControl(method: method, request: request, progress: progress)
        }
    }

    static func parseCID(_ text: String) throws -> CID {
        do {
            return try CID(text)
        } catch {
            throw NodeError(.invalidInput, "'\(text)' is not a valid CID: \(error)")
        }
    }

    /// `dht findprovs`: providers of `cidText`, at most `count`, within `timeout`.
    public nonisolated func findProviders(_ cidText: String, count: Int, timeout: Duration) async throws -> ProvidersReport {
        let cid = try Self.parseCID(cidText)
        let (stream, continuation) = AsyncStream.makeStream(of: DHTPeer.self)
        let dht = self.dht
        var found: [PeerAddressesReport] = []
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await dht.findProviders(for: cid.multihash, limit: max(1, count), yieldingTo: continuation)
                continuation.finish()
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                continuation.finish()
            }
            for await provider in stream {
                guard !found.contains(where: { $0.ID == Self.peerText(provider.id) }) else { continue }
                found.append(PeerAddressesReport(ID: Self.peerText(provider.id), Addrs: provider.addresses.map(\.description)))
                if found.count >= count { break }
            }
            group.cancelAll()
        }
        return ProvidersReport(Providers: found)
    }

    /// `dht findpeer`: the addresses of a peer, from a live connection or a DHT lookup.
    public func findPeer(_ peerText: String) async throws -> PeerAddressesReport {
        let peer = try Self.parsePeer(peerText)
        if let found = await dht.findPeer(DHTPeerID(multihash: peer.multihash)), !found.addresses.isEmpty {
            return PeerAddressesReport(ID: peer.description, Addrs: found.addresses.map(\.description))
        }
        throw NodeError(.notFound, "peer \(peerText) was not found in the DHT")
    }

    /// Announces `cids` on the DHT; returns how many peers took the records.
    public func provide(_ cids: [CID]) async -> ProvideReport {
        var reached = 0
        for cid in cids { reached += await dht.provide(cid) }
        return ProvideReport(Provided: cids.map(\.description), PeersReached: reached)
    }

    /// Looks up providers of `root` and hands them (with their addresses) to Bitswap, until cancelled.
    nonisolated func searchProviders(for root: CID) async {
        await Self.searchProviders(for: root, host: host, dht: dht, bitswap: bitswap)
    }

    /// Looks up providers of `root` in `dht` and hands them (with their addresses) to `bitswap`, until
    /// the lookup ends or the task is cancelled.
    static func searchProviders(for root: CID, host: LibP2PHost, dht: DHTService, bitswap: BitswapService) async {
        let (stream, continuation) = AsyncStream.makeStream(of: DHTPeer.self)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await dht.findProviders(for: root.multihash, limit: 20, yieldingTo: continuation)
                continuation.finish()
            }
            for await provider in stream {
                guard let peer = try? PeerID(bytes: provider.id.bytes), peer != host.localPeerID else { continue }
                await host.addAddresses(provider.addresses, for: peer)
                await bitswap.addProviders([peer], for: root)
            }
        }
    }

    /// Queues `root` to be announced, now that this node holds it.
    nonisolated func afterFetch(_ root: CID) async {
        provideQueue.continuation.yield(root)
    }

    /// Announces queued roots one at a time until cancelled.
    func provideLoop() async {
        for await cid in provideQueue.stream {
            _ = await dht.provide(cid)
        }
    }

    /// The pinned roots, re-announced every reprovide interval.
    nonisolated func pinnedRoots() -> [CID] {
        ((try? repository.database.pins()) ?? []).compactMap { try? CID($0.cid) }
    }

    /// The routing table saved in the database, as a snapshot to start warm from.
    static func savedRoutingTable(_ repository: Repository, localPeer: PeerID) -> RoutingTableSnapshot? {
        guard let records = try? repository.database.knownPeers(), !records.isEmpty else { return nil }
        let entries = records.compactMap { record -> RoutingTableSnapshot.Entry? in
            guard let peer = try? PeerID(record.peerID) else { return nil }
            let addresses = record.addresses.compactMap { try? Multiaddr($0).bytes }
            return RoutingTableSnapshot.Entry(peerID: peer.bytes, addresses: addresses, lastSeen: record.lastSeen,
                                              addedAt: record.lastSeen)
        }
        return RoutingTableSnapshot(localPeerID: localPeer.bytes, entries: entries)
    }

    /// Saves the routing table to the database.
    func saveRoutingTable() async {
        let snapshot = await dht.routingTableSnapshot()
        let records = snapshot.entries.compactMap { entry -> KnownPeerRecord? in
            guard let peer = try? PeerID(bytes: entry.peerID) else { return nil }
            let addresses = entry.addresses.compactMap { try? Multiaddr(bytes: $0).description }
            return KnownPeerRecord(peerID: peer.description, addresses: addresses, lastSeen: entry.lastSeen)
        }
        do {
            try repository.database.replaceKnownPeers(records)
        } catch {
            logger.warning("cannot save the routing table", metadata: ["error": "\(error)"])
        }
    }

    /// Saves the routing table every minute until cancelled.
    func persistenceLoop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(60)) } catch { return }
            await saveRoutingTable()
        }
    }

    static func peerText(_ id: DHTPeerID) -> String {
        (try? PeerID(bytes: id.bytes))?.description ?? id.description
    }
}
