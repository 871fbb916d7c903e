import CairnCore
import CairnCrypto
import CairnPrivate
import Foundation
import Metrics

/// What one repair run did.
public struct RepairReport: Sendable, Codable, Equatable {
    public var manifest: String
    public var segmentsRepaired: Int
    public var sharesRebuilt: Int
    public var bytesDownloaded: Int64
    public var bytesUploaded: Int64
    public var newProviders: [String]
    public var unrecoverableSegments: Int
    public var seconds: Double
}

extension StorageOwner {
    /// Checks every looked-after file and repairs those that need it.
    public func checkAllFiles() async {
        var belowThreshold = 0
        var unrecoverable = 0
        for file in (try? database.files()) ?? [] where file.state != .placing {
            guard let manifest = try? CID(file.manifest) else { continue }
            if let state = try? await checkFile(manifest, repair: true) {
                if state == .unrecoverable { unrecoverable += 1 } else if state != .healthy { belowThreshold += 1 }
            }
        }
        Gauge(label: "cairn_objects_below_repair_threshold").record(belowThreshold)
        Gauge(label: "cairn_objects_unrecoverable").record(unrecoverable)
    }

    /// Healthy share indices per segment of a file, from the recorded locations.
    func healthyIndices(manifest: String, segments: Int) -> [Set<Int>] {
        var healthy = Array(repeating: Set<Int>(), count: segments)
        for location in (try? database.locations(manifest: manifest)) ?? [] where location.segment < segments && isHealthy(location) {
            healthy[location.segment].insert(location.shareIndex)
        }
        return healthy
    }

    /// Recomputes a file's health; with `repair`, repairs the segments at or below the repair threshold
    /// and moves shares off excluded providers. Returns the file's state.
    @discardableResult
    public func checkFile(_ manifestCID: CID, repair: Bool) async throws -> StoredFileRecord.State {
        guard var file = try database.file(manifest: manifestCID.description) else {
            throw StorageError(.notFound, "this node does not look after \(manifestCID)")
        }
        let (manifest, tables) = try await loadFile(manifestCID)
        let (k, n) = (file.dataShares, file.totalShares)
        let healthy = healthyIndices(manifest: file.manifest, segments: file.segments)
        let onExcluded = Set(((try? database.locations(manifest: file.manifest)) ?? []).filter { location in
            location.state == .placed && (try? PeerID(location.provider)).map { standing($0) == .excluded } == true
        }.map(\.segment))
        let minimum = healthy.map(\.count).min() ?? n
        let previous = file.state
        file.minimumHealthy = minimum
        file.lastCheck = environment.now()
        file.state = minimum < k ? .unrecoverable : minimum == n ? .healthy : .degraded
        if file.state != previous {
            switch file.state {
            case .degraded where minimum <= file.repairThreshold:
                event("OBJECT_DEGRADED", subject: file.manifest, "\(file.name): a segment has \(minimum) of \(n) healthy shares (repair at ≤ \(file.repairThreshold))")
            case .unrecoverable:
                event("OBJECT_UNRECOVERABLE", subject: file.manifest, "\(file.name): a segment has \(minimum) healthy shares, fewer than the \(k) needed")
            default: break
            }
        }
        try database.saveFile(file)
        let due = healthy.indices.filter { healthy[$0].count <= file.repairThreshold || onExcluded.contains($0) }
        guard repair, !due.isEmpty, !repairing.contains(file.manifest), minimum >= k || due.contains(where: { healthy[$0].count >= k }) else {
            return file.state
        }
        repairing.insert(file.manifest)
        defer { repairing.remove(file.manifest) }
        file.state = .repairing
        try database.saveFile(file)
        _ = try await repairSegments(due, of: manifest, cid: manifestCID, tables: tables, healthy: healthy)
        let after = healthyIndices(manifest: file.manifest, segments: file.segments).map(\.count).min() ?? n
        file.minimumHealthy = after
        file.state = after < k ? .unrecoverable : after == n ? .healthy : .degraded
        file.lastCheck = environment.now()
        try database.saveFile(file)
        return file.state
    }

    /// Rebuilds the unhealthy shares of `segments` from k fetched shares each and places them on new
    /// providers under new contracts, replacing the old locations.
    func repairSegments(_ segments: [Int], of manifest: PrivateManifest, cid manifestCID: CID, tables: [ShareTable],
                        healthy: [Set<Int>]) async throws -> RepairReport {
        let started = ContinuousClock.now
        let layout = manifest.layout
        let (k, n) = (layout.dataShareCount, layout.totalShareCount)
        event("REPAIR_STARTED", subject: manifestCID.description, "repairing \(segments.count) segments")
        Gauge(label: "cairn_repairs_in_progress").record(repairing.count)
        let checker = try PrivateFileChecker(manifest: manifest)
        let source = try await shareSource(manifest: manifestCID)
        let locations = (try? database.locations(manifest: manifestCID.description)) ?? []
        // Never back onto a provider already holding (or having failed) a share of this file, nor its domain.
        var avoid = Set(locations.compactMap { try? PeerID($0.provider) })
        avoid.insert(peerID)
        var usedDomains = Set(locations.filter(isHealthy).compactMap { location in
            (try? PeerID(location.provider)).flatMap { providers[$0]?.domain }
        })
        var columnProvider: [Int: PeerID] = [:]
        var report = RepairReport(manifest: manifestCID.description, segmentsRepaired: 0, sharesRebuilt: 0, bytesDownloaded: 0,
                                  bytesUploaded: 0, newProviders: [], unrecoverableSegments: 0, seconds: 0)
        for batchStart in stride(from: 0, to: segments.count, by: Self.repairBatchSegments) {
            let batch = segments[batchStart..<min(segments.count, batchStart + Self.repairBatchSegments)].filter { healthy[$0].count < n }
            // Fetch k shares of several segments at once (each fetch races k + 1 providers).
            let fetched = await withTaskGroup(of: (Int, SegmentShares).self) { group in
                var pending = batch[...]
                var results: [(Int, SegmentShares)] = []
                func launch() {
                    guard let segment = pending.popFirst() else { return }
                    let (tableIndex, row) = manifest.tablePosition(ofSegment: segment)
                    let digests = tables[tableIndex].shareDigests[row]
                    group.addTask { (segment, await checker.collectShares(segment: segment, digests: digests, from: source, wanted: k, extra: 1)) }
                }
                for _ in 0..<Self.repairFetchConcurrency { launch() }
                while let result = await group.next() {
                    results.append(result)
                    launch()
                }
                return results.sorted { $0.0 < $1.0 }
            }
            var rebuiltByColumn: [Int: [RebuiltShare]] = [:]
            for (segment, shares) in fetched {
                let (tableIndex, row) = manifest.tablePosition(ofSegment: segment)
                let digests = tables[tableIndex].shareDigests[row]
                report.bytesDownloaded += Int64(shares.valid.values.reduce(0) { $0 + $1.count })
                guard shares.valid.count >= k else {
                    report.unrecoverableSegments += 1
                    event("REPAIR_FAILED", subject: manifestCID.description, "segment \(segment): only \(shares.valid.count) of the \(k) shares needed could be fetched")
                    continue
                }
                let missing = (0..<n).filter { !healthy[segment].contains($0) }
                let rebuilt = try checker.rebuildShares(missing, of: segment, digests: digests, from: shares.valid)
                for (index, bytes) in rebuilt {
                    rebuiltByColumn[index, default: []].append(RebuiltShare(segment: segment, cid: ShareTable.shareCID(digest: digests[index]), bytes: bytes))
                }
                report.segmentsRepaired += 1
            }
            // Place every rebuilt column at once; a column whose provider fails gets another, up to three tries.
            var unplaced = rebuiltByColumn
            for _ in 0..<3 where !unplaced.isEmpty {
                var assignments: [(column: Int, provider: PeerID, shares: [RebuiltShare])] = []
                for (column, shares) in unplaced.sorted(by: { $0.key < $1.key }) {
                    if let chosen = columnProvider[column] {
                        assignments.append((column, chosen, shares))
                        continue
                    }
                    let bytes = UInt64(shares.reduce(0) { $0 + $1.bytes.count })
                    var generator = EnvironmentRandom(source: environment.random)
                    guard let pick = PlacementSelector.choose(count: 1, from: candidates(byteCount: bytes), byteCount: bytes,
                                                              excludedPeers: avoid, usedDomains: usedDomains,
                                                              policy: configuration.placement, using: &generator).first else {
                        event("REPAIR_FAILED", subject: manifestCID.description, "no provider can take share column \(column) (all are in use, down or excluded)")
                        unplaced[column] = nil
                        continue
                    }
                    columnProvider[column] = pick.peer
                    avoid.insert(pick.peer)
                    usedDomains.insert(pick.domain)
                    report.newProviders.append(pick.peer.description)
                    assignments.append((column, pick.peer, shares))
                }
                let uploads = await withTaskGroup(of: RebuiltColumnUpload.self) { group in
                    for assignment in assignments {
                        group.addTask {
                            await self.uploadRebuilt(assignment.shares, column: assignment.column, manifest: manifestCID, to: assignment.provider)
                        }
                    }
                    var uploads: [RebuiltColumnUpload] = []
                    for await upload in group { uploads.append(upload) }
                    return uploads
                }
                for upload in uploads {
                    guard let shares = unplaced[upload.column] else { continue }
                    guard let contract = upload.contract else {
                        logger.warning("placing repaired shares failed",
                                       metadata: ["provider": "\(upload.provider)", "error": "\(upload.failure ?? "unknown")"])
                        columnProvider[upload.column] = nil
                        continue
                    }
                    report.bytesUploaded += upload.bytesUploaded
                    for share in shares {
                        try database.replaceLocation(manifest: manifestCID.description, segment: share.segment, shareIndex: upload.column,
                                                     with: ShareLocationRecord(id: nil, manifest: manifestCID.description, segment: share.segment,
                                                                               shareIndex: upload.column, cid: share.cid.description,
                                                                               provider: upload.provider.description, contractID: contract.idText,
                                                                               state: .placed, lastAudit: nil, lastAuditPassed: nil))
                    }
                    report.sharesRebuilt += shares.count
                    unplaced[upload.column] = nil
                }
            }
        }
        // Contracts none of whose shares still count are abandoned (and cancelled if the provider answers).
        for contract in (try? database.contracts(role: .owner, state: .live)) ?? [] where contract.manifest == manifestCID.description {
            let held = ((try? database.locations(contractID: contract.id)) ?? []).filter { $0.state == .placed }
            if held.isEmpty { await endContract(contract.id) }
        }
        saveScorecards()
        report.seconds = (ContinuousClock.now - started).seconds
        Counter(label: "cairn_repairs_total").increment()
        Counter(label: "cairn_repair_bytes_total", dimensions: [("direction", "download")]).increment(by: report.bytesDownloaded)
        Counter(label: "cairn_repair_bytes_total", dimensions: [("direction", "upload")]).increment(by: report.bytesUploaded)
        event("REPAIR_DONE", subject: manifestCID.description,
              "repaired \(report.segmentsRepaired) segments: rebuilt \(report.sharesRebuilt) shares, downloaded \(report.bytesDownloaded) bytes, uploaded \(report.bytesUploaded) bytes in \(String(format: "%.1f", report.seconds)) s")
        return report
    }

    /// Segments rebuilt per batch (their rebuilt shares are held in memory until placed, under one new
    /// contract per column per batch).
    static let repairBatchSegments = 64
    /// Segments whose shares are fetched at once during a repair.
    static let repairFetchConcurrency = 8

    /// A rebuilt share waiting to be placed.
    struct RebuiltShare: Sendable {
        var segment: Int
        var cid: CID
        var bytes: [UInt8]
    }

    /// What uploading one rebuilt column to one provider came to.
    struct RebuiltColumnUpload: Sendable {
        var column: Int
        var provider: PeerID
        /// The contract the shares are stored under; nil when the upload failed.
        var contract: StorageContract?
        var bytesUploaded: Int64
        var failure: String?
    }

    /// Proposes a contract for `shares` to `provider` and uploads them; cancels the contract when the
    /// upload fails.
    private func uploadRebuilt(_ shares: [RebuiltShare], column: Int, manifest: CID, to provider: PeerID) async -> RebuiltColumnUpload {
        var outcome = RebuiltColumnUpload(column: column, provider: provider, contract: nil, bytesUploaded: 0, failure: nil)
        do {
            let contract = try await propose(manifest: manifest, shares: shares.map { ContractShare(cid: $0.cid, byteCount: UInt32($0.bytes.count)) },
                                             to: provider)
            let byCID = Dictionary(shares.map { ($0.cid, $0.bytes) }, uniquingKeysWith: { first, _ in first })
            let counter = UploadCounter(progress: { _ in })
            do {
                try await uploadAll(shares.map(\.cid), contract: contract, to: provider, readShare: { byCID[$0] }, uploaded: counter)
            } catch {
                await endContract(contract.idText)
                throw error
            }
            outcome.contract = contract
            outcome.bytesUploaded = await counter.total
        } catch {
            outcome.failure = "\(error)"
        }
        return outcome
    }
}
