import CairnCore
import CairnCrypto
import CairnPrivate
import Foundation
import Metrics

/// Reads a file's blocks from the network: the manifest and tables through the node (local store or
/// Bitswap), each share from the providers holding it, fastest first — those recorded in this node's
/// database when it looks after the file, otherwise those found through the DHT and asked which shares
/// they hold. Every answer is checked against the share's CID; a provider that sends wrong bytes is
/// penalised and its copy of that share is never trusted again.
public struct NetworkShareSource: PrivateBlockSource {
    let owner: StorageOwner
    /// Share byte counts by share CID text.
    let shareSizes: [String: Int]
    /// Holders found through the DHT by share CID text, when this node has no locations for the file;
    /// nil when it looks after the file (its database knows the locations) or holds the shares itself.
    let discoveredHolders: [String: [PeerID]]?

    public func fetch(_ cid: CID) async -> BlockFetch {
        guard let byteCount = shareSizes[cid.description] else {
            guard let bytes = await owner.environment.loadBlock(cid) else { return .missing }
            return .found(bytes)
        }
        let holders = discoveredHolders.map { $0[cid.description] ?? [] }
        return await owner.fetchShare(cid, byteCount: byteCount, discoveredHolders: holders)
    }

    public func preferredOrder(of shares: [CID]) async -> [Int] {
        await owner.rankShares(shares, discoveredHolders: discoveredHolders)
    }
}

extension StorageOwner {
    /// A block source reading `manifest`'s shares from their providers.
    public func shareSource(manifest manifestCID: CID) async throws -> NetworkShareSource {
        let (manifest, tables) = try await loadFile(manifestCID)
        var sizes: [String: Int] = [:]
        let columns = Self.columns(of: manifest, tables: tables)
        for column in columns {
            for share in column { sizes[share.cid.description] = share.byteCount }
        }
        var discovered: [String: [PeerID]]?
        let known = (try? database.locations(manifest: manifestCID.description)) ?? []
        // No locations here and not a local-only file: ask the DHT who holds it.
        if known.isEmpty, let first = columns.first?.first, environment.localBlock(first.cid) == nil {
            let dataShareCount = manifest.layout.dataShareCount
            var holders = await discoverShareHolders(manifestCID, dataShareCount: dataShareCount)
            // Announcements take a moment to spread through the DHT: a file placed seconds ago may show
            // fewer than k holders at first, so look again twice, 2 s apart, before reading with less.
            for _ in 0..<2 where Set(holders.values.joined()).count < dataShareCount {
                try? await environment.sleep(.seconds(2))
                let more = await discoverShareHolders(manifestCID, dataShareCount: dataShareCount)
                holders.merge(more) { known, found in known + found.filter { !known.contains($0) } }
            }
            guard !holders.isEmpty else {
                throw StorageError(.notFound, "no provider holding shares of \(manifestCID) was found: this node has no record of "
                                   + "where they are and no peer announcing the file in the DHT answered; check the network "
                                   + "(cairn swarm peers) or read on the node that added the file")
            }
            discovered = holders
        }
        return NetworkShareSource(owner: self, shareSizes: sizes, discoveredHolders: discovered)
    }

    /// Asks every peer announcing the manifest in the DHT which of its shares it holds (the provider
    /// protocol's `held` request, in parallel); returns the holders of each share by CID text. DHT
    /// provider records outlive the peers that made them, so once `dataShareCount` peers answered with
    /// shares, the others get ``holderGrace`` more and are then left out rather than waited for.
    func discoverShareHolders(_ manifestCID: CID, dataShareCount: Int) async -> [String: [PeerID]] {
        let candidates = await environment.findHolders(manifestCID).filter { $0.peer != peerID }
        let transport = environment.transport
        let timeout = configuration.requestTimeout
        let sleep = environment.sleep
        let answers = await withTaskGroup(of: (PeerID, [CID])?.self) { group in
            for candidate in candidates {
                group.addTask {
                    guard case .held(let shares)? = try? await transport.request(.held(manifest: manifestCID), to: candidate.peer,
                                                                                 timeout: timeout) else { return (candidate.peer, []) }
                    return (candidate.peer, shares)
                }
            }
            var answers: [(PeerID, [CID])] = []
            var holding = 0
            for await answer in group {
                // nil: the grace after the k-th holder is over.
                guard let answer else { break }
                answers.append(answer)
                if !answer.1.isEmpty {
                    holding += 1
                    if holding == dataShareCount, answers.count < candidates.count {
                        group.addTask {
                            try? await sleep(Self.holderGrace)
                            return nil
                        }
                    }
                }
                if answers.count == candidates.count { break }
            }
            group.cancelAll()
            return answers
        }
        var holders: [String: [PeerID]] = [:]
        for (peer, shares) in answers {
            for share in Set(shares) { holders[share.description, default: []].append(peer) }
        }
        let holderCount = answers.filter { !$0.1.isEmpty }.count
        logger.info("found the holders of a file through the DHT",
                    metadata: ["manifest": "\(manifestCID)", "announcing": "\(candidates.count)", "answered": "\(answers.count)",
                               "holding": "\(holderCount)"])
        return holders
    }

    /// How long the other announcers may still answer once k holders did.
    static let holderGrace: Duration = .seconds(1)

    /// Share indices ordered by the best latency of a provider holding them (unknown latency last, index
    /// order among equals, so data shares win ties).
    func rankShares(_ shares: [CID], discoveredHolders: [String: [PeerID]]? = nil) -> [Int] {
        func cost(_ cid: CID) -> Double {
            let peers = discoveredHolders.map { $0[cid.description] ?? [] }
                ?? ((try? database.locations(cid: cid.description)) ?? []).filter(isHealthy).compactMap { try? PeerID($0.provider) }
            let best = peers.compactMap { scorecards[$0]?.latency.p50?.seconds }.min()
            return peers.isEmpty ? .infinity : (best ?? 10)
        }
        let costs = shares.map(cost)
        return shares.indices.sorted { costs[$0] != costs[$1] ? costs[$0] < costs[$1] : $0 < $1 }
    }

    /// One share from the first of its providers that answers with the right bytes.
    /// `discoveredHolders`, when given, replaces the locations in the database (a reader that does not
    /// look after the file).
    func fetchShare(_ cid: CID, byteCount: Int, discoveredHolders: [PeerID]? = nil) async -> BlockFetch {
        let candidates: [PeerID]
        if let discoveredHolders {
            candidates = discoveredHolders
        } else {
            let known = (try? database.locations(cid: cid.description)) ?? []
            if known.isEmpty {
                // Never placed (added with --local, or before a daemon ran): only the local copy exists.
                return environment.localBlock(cid).map(BlockFetch.found) ?? .missing
            }
            candidates = known.filter { $0.state == .placed }.compactMap { try? PeerID($0.provider) }
        }
        let peers = candidates
            .filter { standing($0) != .excluded }
            .sorted { (scorecards[$0]?.latency.p50?.seconds ?? 10) < (scorecards[$1]?.latency.p50?.seconds ?? 10) }
        var reasons: [String] = []
        let chunkCount = UInt32(ShareTree.leafCount(forByteCount: byteCount))
        for peer in peers {
            if Task.isCancelled { return .missing }
            let started = ContinuousClock.now
            do {
                let response = try await environment.transport.request(.read(share: cid, firstChunk: 0, chunkCount: chunkCount), to: peer,
                                                                        timeout: configuration.transferTimeout)
                let elapsed = ContinuousClock.now - started
                switch response {
                case .data(let result) where result.firstChunk == 0 && result.verify(share: cid, chunkCount: chunkCount):
                    var card = scorecard(peer)
                    card.recordContact(reachable: true, latency: elapsed, at: environment.now(), policy: configuration.reputation)
                    card.recordTransfer(byteCount: result.data.count, duration: elapsed)
                    update(card, for: peer)
                    Counter(label: "cairn_retrieved_bytes_total").increment(by: Int64(result.data.count))
                    return .found(result.data)
                case .data:
                    // Wrong bytes: never trusted again for this share, and it costs the provider.
                    var card = scorecard(peer)
                    card.recordBadData(at: environment.now(), policy: configuration.reputation)
                    update(card, for: peer)
                    try? database.setLocationState(cid: cid.description, provider: peer.description, .failed)
                    Counter(label: "cairn_integrity_mismatches_total").increment()
                    event("INTEGRITY_MISMATCH", subject: peer.description, "provider sent bytes that do not match share \(cid); it is penalised and not asked for it again")
                    reasons.append("\(peer): wrong bytes")
                case .refused(let refusal):
                    if refusal.code == .notFound {
                        var card = scorecard(peer)
                        card.recordAudit(passed: false, latency: elapsed, at: environment.now(), policy: configuration.reputation)
                        update(card, for: peer)
                        try? database.setLocationState(cid: cid.description, provider: peer.description, .failed)
                    }
                    reasons.append("\(peer): \(refusal.message)")
                default:
                    reasons.append("\(peer): unexpected answer")
                }
            } catch StorageTransportError.cancelled {
                return .missing
            } catch {
                if Task.isCancelled { return .missing }
                recordContact(peer, reachable: false, latency: nil)
                reasons.append("\(peer): \(error)")
            }
        }
        return reasons.isEmpty ? .missing : .damaged(reasons.joined(separator: "; "))
    }

    /// Reads a file with a read-cap from its providers, writing the plaintext to `output`.
    public nonisolated func read(_ capability: Capability, to output: (UnsafeRawBufferPointer) throws -> Void) async throws {
        guard case .read(let manifestCID, let key) = capability else {
            throw StorageError(.invalidInput, "a verify-cap cannot read; use the read-cap")
        }
        let source = try await shareSource(manifest: manifestCID)
        let (manifest, _) = try await loadFile(manifestCID)
        let reader = try PrivateFileReader(manifest: manifest, key: key, extraFetches: configuration.extraFetches)
        do {
            try await reader.read(from: source, to: output)
        } catch {
            Counter(label: "cairn_retrieval_failures_total").increment()
            await event("RETRIEVAL_FAILED", subject: manifestCID.description, "reading the file failed: \(error)")
            throw error
        }
    }
}
