import CairnCore
import CairnCrypto
import CairnPrivate
import Foundation
import Metrics

/// What placing a file on providers did.
public struct PlacementReport: Sendable, Codable, Equatable {
    public var manifest: String
    /// Providers holding a column of shares, by share index.
    public var providers: [String]
    public var contracts: Int
    public var sharesPlaced: Int
    public var bytesUploaded: Int64
    public var seconds: Double
    /// Columns moved to a spare provider after their first provider failed.
    public var reassignedColumns: Int
    /// Columns that found no provider (the file starts degraded).
    public var unplacedColumns: Int
    public var durability: DurabilityEstimate
}

/// Hands out spare providers to columns whose provider failed.
actor SparePool {
    private var spares: [ProviderCandidate]
    init(_ spares: [ProviderCandidate]) { self.spares = spares }
    func next() -> ProviderCandidate? { spares.isEmpty ? nil : spares.removeFirst() }
}

extension StorageOwner {
    /// Places every share of the file `manifestCID` on providers: share index i of every segment goes to
    /// one provider (so no provider ever holds two shares of one segment), n distinct providers chosen by
    /// score-weighted random choice across failure domains, each under a signed contract. A column whose
    /// provider refuses, fails or times out moves to one of `spareProviders` extra providers.
    /// - Parameters:
    ///   - readShare: the bytes of a share (from the local blockstore).
    ///   - progress: called with bytes uploaded so far.
    public func place(manifest manifestCID: CID, verifyCap: String, name: String,
                      readShare: @escaping @Sendable (CID) async -> [UInt8]?,
                      progress: @escaping @Sendable (Int64) -> Void = { _ in }) async throws -> PlacementReport {
        let started = ContinuousClock.now
        let (manifest, tables) = try await loadFile(manifestCID)
        let layout = manifest.layout
        let n = layout.totalShareCount
        let columns = Self.columns(of: manifest, tables: tables)
        let columnBytes = UInt64(columns.map { $0.reduce(0) { $0 + $1.byteCount } }.max() ?? 0)
        if availableProviderCount(byteCount: columnBytes) < n { await discoverProviders() }
        var generator = EnvironmentRandom(source: environment.random)
        let chosen = PlacementSelector.choose(count: n + configuration.spareProviders, from: candidates(byteCount: columnBytes),
                                              byteCount: columnBytes, excludedPeers: [], usedDomains: [],
                                              policy: configuration.placement, using: &generator)
        guard chosen.count >= n else {
            throw StorageError(.notEnoughProviders, "\(chosen.count) providers can take this file's \(n) shares per segment (each needs \(columnBytes) bytes free, one per failure domain); add providers or use --shares K/N with N ≤ \(chosen.count)")
        }
        var policy = RepairPolicy.standard(for: layout.parameters)
        policy.checkIntervalSeconds = configuration.checkInterval.seconds
        var file = StoredFileRecord(manifest: manifestCID.description, name: name, verifyCap: verifyCap, role: .owner,
                                    owner: peerID.description, dataShares: layout.dataShareCount, totalShares: n,
                                    segments: layout.segmentCount, storedByteCount: Int64(layout.storedByteCount),
                                    repairThreshold: policy.repairThreshold, checkIntervalSeconds: policy.checkIntervalSeconds,
                                    addedAt: environment.now(), lastCheck: nil, minimumHealthy: nil, state: .placing)
        try database.saveFile(file)
        let pool = SparePool(Array(chosen[n...]))
        let uploaded = UploadCounter(progress: progress)
        let outcomes = await withTaskGroup(of: ColumnOutcome.self) { group in
            for index in 0..<n {
                let column = columns[index]
                let first = chosen[index]
                group.addTask {
                    await self.placeColumn(index, shares: column, manifest: manifestCID, first: first, pool: pool,
                                           readShare: readShare, uploaded: uploaded)
                }
            }
            var outcomes: [ColumnOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.index < $1.index }
        }
        saveScorecards()
        let placed = outcomes.filter { $0.provider != nil }
        file.minimumHealthy = placed.count
        file.lastCheck = environment.now()
        file.state = placed.count == n ? .healthy : placed.count > file.repairThreshold ? .degraded : .unrecoverable
        try database.saveFile(file)
        if placed.count < layout.dataShareCount {
            event("OBJECT_UNRECOVERABLE", subject: manifestCID.description, "only \(placed.count) of \(n) share columns were placed; the file cannot be read from the network")
            throw StorageError(.placementFailed, "only \(placed.count) of \(n) share columns could be placed (\(outcomes.compactMap(\.failure).joined(separator: "; ")))")
        }
        if placed.count < n {
            event("OBJECT_DEGRADED", subject: manifestCID.description, "\(n - placed.count) of \(n) share columns found no provider; repair will place them when providers appear")
        }
        Counter(label: "cairn_placements_total").increment()
        return PlacementReport(manifest: manifestCID.description, providers: outcomes.map { $0.provider?.description ?? "" },
                               contracts: outcomes.reduce(0) { $0 + $1.contracts }, sharesPlaced: placed.reduce(0) { $0 + $1.shares },
                               bytesUploaded: await uploaded.total, seconds: (ContinuousClock.now - started).seconds,
                               reassignedColumns: outcomes.filter { $0.reassigned }.count, unplacedColumns: n - placed.count,
                               durability: DurabilityEstimate.estimate(parameters: layout.parameters, policy: policy))
    }

    struct ColumnOutcome: Sendable {
        var index: Int
        var provider: PeerID?
        var contracts: Int
        var shares: Int
        var reassigned: Bool
        var failure: String?
    }

    /// Places one column: proposes a contract, uploads its shares, records the locations; moves to a spare
    /// provider on failure.
    private func placeColumn(_ index: Int, shares: [(segment: Int, cid: CID, byteCount: Int)], manifest: CID, first: ProviderCandidate,
                             pool: SparePool, readShare: @escaping @Sendable (CID) async -> [UInt8]?, uploaded: UploadCounter) async -> ColumnOutcome {
        var candidate: ProviderCandidate? = first
        var contracts = 0
        var failures: [String] = []
        while let provider = candidate?.peer {
            do {
                let contract = try await propose(manifest: manifest, shares: shares.map { ContractShare(cid: $0.cid, byteCount: UInt32($0.byteCount)) },
                                                 to: provider)
                contracts += 1
                do {
                    try await uploadAll(shares.map { ($0.cid) }, contract: contract, to: provider, readShare: readShare, uploaded: uploaded)
                } catch {
                    await endContract(contract.idText, state: .abandoned)
                    throw error
                }
                try database.addLocations(shares.map {
                    ShareLocationRecord(id: nil, manifest: manifest.description, segment: $0.segment, shareIndex: index, cid: $0.cid.description,
                                        provider: provider.description, contractID: contract.idText, state: .placed, lastAudit: nil, lastAuditPassed: nil)
                })
                return ColumnOutcome(index: index, provider: provider, contracts: contracts, shares: shares.count,
                                     reassigned: provider != first.peer, failure: nil)
            } catch {
                failures.append("\(provider): \(error)")
                logger.warning("placing a share column failed; trying a spare provider",
                               metadata: ["column": "\(index)", "provider": "\(provider)", "error": "\(error)"])
                if case StorageTransportError.timeout? = error as? StorageTransportError { recordContact(provider, reachable: false, latency: nil) }
                if case StorageTransportError.unreachable? = error as? StorageTransportError { recordContact(provider, reachable: false, latency: nil) }
                candidate = await pool.next()
            }
        }
        return ColumnOutcome(index: index, provider: nil, contracts: contracts, shares: 0, reassigned: false,
                             failure: "column \(index): " + failures.joined(separator: ", "))
    }

    /// Uploads shares to one provider, `uploadsPerProvider` at a time.
    func uploadAll(_ cids: [CID], contract: StorageContract, to provider: PeerID, readShare: @escaping @Sendable (CID) async -> [UInt8]?,
                   uploaded: UploadCounter) async throws {
        try await withThrowingTaskGroup(of: Int.self) { group in
            var pending = cids[...]
            var running = 0
            func launch() {
                while running < max(1, configuration.uploadsPerProvider), let cid = pending.popFirst() {
                    group.addTask {
                        guard let bytes = await readShare(cid) else {
                            throw StorageError(.notFound, "share \(cid) is not in the local blockstore")
                        }
                        try await self.upload(bytes, share: cid, contract: contract, to: provider)
                        return bytes.count
                    }
                    running += 1
                }
            }
            launch()
            while let count = try await group.next() {
                running -= 1
                await uploaded.add(count)
                launch()
            }
        }
    }
}

/// Bytes uploaded so far across columns, reported to a progress callback.
actor UploadCounter {
    private(set) var total: Int64 = 0
    let progress: @Sendable (Int64) -> Void
    init(progress: @escaping @Sendable (Int64) -> Void) { self.progress = progress }
    func add(_ count: Int) {
        total += Int64(count)
        progress(total)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
