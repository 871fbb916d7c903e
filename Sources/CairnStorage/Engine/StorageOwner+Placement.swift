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

/// Which provider stored each column first (the winner of a straggler race).
actor ColumnClaims {
    private var winners: [Int: PeerID] = [:]
    /// Claims column `index` for `provider`; false when another provider already has it.
    func claim(_ index: Int, by provider: PeerID) -> Bool {
        guard winners[index] == nil else { return false }
        winners[index] = provider
        return true
    }
    func isClaimed(_ index: Int) -> Bool { winners[index] != nil }
    func release(_ index: Int) { winners[index] = nil }
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
        let uploaded = UploadCounter(progress: progress)
        let outcomes = await placeColumns(columns, manifest: manifestCID, primaries: Array(chosen[..<n]), spares: Array(chosen[n...]),
                                          readShare: readShare, uploaded: uploaded, started: started)
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
        /// Placed on another provider than the first one chosen (after a failure, or a spare won a race).
        var reassigned: Bool
        var failure: String?
    }

    /// What one attempt at a column on one provider came to.
    struct ColumnAttempt: Sendable {
        enum Result: Sendable {
            /// Every share stored and the column claimed: its locations are recorded.
            case placed
            /// Another provider finished the column first; this attempt stopped and its contract was cancelled.
            case lost
            case failed(String)
        }
        var index: Int
        var provider: PeerID
        var contracted: Bool
        var result: Result
    }

    /// One step of the placement loop.
    enum PlacementStep: Sendable {
        case attempt(ColumnAttempt)
        /// Time to race the columns still uploading against spare providers.
        case stragglersDue
    }

    /// Uploads the columns, one attempt per primary provider. A column whose provider refuses, fails or
    /// times out moves to a spare; once half the columns are placed, the columns still uploading after
    /// `stragglerFactor` times that long (at least `stragglerGrace` more) are raced by a spare each
    /// (long-tail cancellation): the first provider to store the whole column wins, the other stops at
    /// its next share and its contract is cancelled. Returns when every column is placed or out of
    /// providers; attempts still running then are cancelled.
    private func placeColumns(_ columns: [[(segment: Int, cid: CID, byteCount: Int)]], manifest: CID,
                              primaries: [ProviderCandidate], spares: [ProviderCandidate],
                              readShare: @escaping @Sendable (CID) async -> [UInt8]?, uploaded: UploadCounter,
                              started: ContinuousClock.Instant) async -> [ColumnOutcome] {
        let n = primaries.count
        let claims = ColumnClaims()
        var spares = spares[...]
        var outcomes = (0..<n).map { ColumnOutcome(index: $0, provider: nil, contracts: 0, shares: 0, reassigned: false, failure: nil) }
        var failures = Array(repeating: [String](), count: n)
        var running = Array(repeating: 0, count: n)
        var settled = Set<Int>()
        var raced = Set<Int>()
        var stragglerTimerSet = false
        return await withTaskGroup(of: PlacementStep.self) { group in
            func launch(_ index: Int, on provider: PeerID) {
                running[index] += 1
                let shares = columns[index]
                group.addTask {
                    .attempt(await self.attemptColumn(index, shares: shares, manifest: manifest, provider: provider, claims: claims,
                                                      readShare: readShare, uploaded: uploaded))
                }
            }
            for (index, primary) in primaries.enumerated() { launch(index, on: primary.peer) }
            while settled.count < n, let step = await group.next() {
                switch step {
                case .attempt(let attempt):
                    let index = attempt.index
                    running[index] -= 1
                    if attempt.contracted { outcomes[index].contracts += 1 }
                    switch attempt.result {
                    case .placed:
                        outcomes[index].provider = attempt.provider
                        outcomes[index].shares = columns[index].count
                        outcomes[index].reassigned = attempt.provider != primaries[index].peer
                        settled.insert(index)
                    case .lost:
                        break
                    case .failed(let reason):
                        failures[index].append(reason)
                        guard outcomes[index].provider == nil, running[index] == 0 else { break }
                        if let spare = spares.popFirst() {
                            launch(index, on: spare.peer)
                        } else {
                            outcomes[index].failure = "column \(index): " + failures[index].joined(separator: ", ")
                            settled.insert(index)
                        }
                    }
                    let placedCount = outcomes.filter { $0.provider != nil }.count
                    if !stragglerTimerSet, placedCount * 2 >= n, placedCount < n, !spares.isEmpty {
                        stragglerTimerSet = true
                        let elapsed = ContinuousClock.now - started
                        let wait = max(elapsed * max(0, configuration.stragglerFactor - 1), configuration.stragglerGrace)
                        group.addTask {
                            try? await self.environment.sleep(wait)
                            return .stragglersDue
                        }
                    }
                case .stragglersDue:
                    for index in 0..<n where !settled.contains(index) && !raced.contains(index) && running[index] > 0 {
                        guard let spare = spares.popFirst() else { break }
                        raced.insert(index)
                        logger.info("racing a slow column upload against a spare provider",
                                    metadata: ["column": "\(index)", "spare": "\(spare.peer)"])
                        launch(index, on: spare.peer)
                    }
                }
            }
            group.cancelAll()
            return outcomes
        }
    }

    /// One attempt at column `index` on `provider`: proposes a contract, uploads the shares (stopping as
    /// soon as another provider claimed the column), claims the column and records the locations. A
    /// contract this attempt does not end up using is cancelled.
    private func attemptColumn(_ index: Int, shares: [(segment: Int, cid: CID, byteCount: Int)], manifest: CID, provider: PeerID,
                               claims: ColumnClaims, readShare: @escaping @Sendable (CID) async -> [UInt8]?,
                               uploaded: UploadCounter) async -> ColumnAttempt {
        var contract: StorageContract?
        do {
            let signed = try await propose(manifest: manifest, shares: shares.map { ContractShare(cid: $0.cid, byteCount: UInt32($0.byteCount)) },
                                           to: provider)
            contract = signed
            try await uploadAll(shares.map(\.cid), contract: signed, to: provider, readShare: readShare, uploaded: uploaded,
                                stopWhen: { await claims.isClaimed(index) })
            guard await claims.claim(index, by: provider) else {
                await endContract(signed.idText)
                return ColumnAttempt(index: index, provider: provider, contracted: true, result: .lost)
            }
            do {
                try database.addLocations(shares.map {
                    ShareLocationRecord(id: nil, manifest: manifest.description, segment: $0.segment, shareIndex: index, cid: $0.cid.description,
                                        provider: provider.description, contractID: signed.idText, state: .placed, lastAudit: nil, lastAuditPassed: nil)
                })
            } catch {
                await claims.release(index)
                throw error
            }
            return ColumnAttempt(index: index, provider: provider, contracted: true, result: .placed)
        } catch {
            if let contract { await endContract(contract.idText) }
            if await claims.isClaimed(index) {
                return ColumnAttempt(index: index, provider: provider, contracted: contract != nil, result: .lost)
            }
            logger.warning("placing a share column failed; trying a spare provider",
                           metadata: ["column": "\(index)", "provider": "\(provider)", "error": "\(error)"])
            switch error as? StorageTransportError {
            case .timeout?, .unreachable?: recordContact(provider, reachable: false, latency: nil)
            default: break
            }
            return ColumnAttempt(index: index, provider: provider, contracted: contract != nil, result: .failed("\(provider): \(error)"))
        }
    }

    /// Uploads shares to one provider, `uploadsPerProvider` at a time; stops with a `.placementFailed` error
    /// before the next share once `stopWhen` says so.
    func uploadAll(_ cids: [CID], contract: StorageContract, to provider: PeerID, readShare: @escaping @Sendable (CID) async -> [UInt8]?,
                   uploaded: UploadCounter, stopWhen: @escaping @Sendable () async -> Bool = { false }) async throws {
        try await withThrowingTaskGroup(of: Int.self) { group in
            var pending = cids[...]
            var running = 0
            func launch() {
                while running < max(1, configuration.uploadsPerProvider), let cid = pending.popFirst() {
                    group.addTask {
                        if await stopWhen() { throw StorageError(.placementFailed, "another provider stored this column first") }
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
