import CairnCore
import CairnCrypto
import CairnPrivate
import Foundation

/// One share's place, for `files status`.
public struct ShareStatus: Sendable, Codable, Equatable {
    public var index: Int
    public var provider: String
    public var healthy: Bool
    public var state: String
    public var lastAudit: Date?
    public var lastAuditPassed: Bool?
}

/// One segment's health.
public struct SegmentStatus: Sendable, Codable, Equatable {
    public var segment: Int
    public var healthyShares: Int
    public var shares: [ShareStatus]
}

/// `files status CAP`.
public struct FileStatusReport: Sendable, Codable, Equatable {
    public var manifest: String
    public var name: String
    public var role: String
    public var state: String
    public var dataShares: Int
    public var totalShares: Int
    public var repairThreshold: Int
    public var segments: Int
    public var minimumHealthy: Int
    public var providers: [String]
    public var lastCheck: Date?
    public var durability: DurabilityEstimate
    public var segmentStatus: [SegmentStatus]
}

/// One row of `cairn providers`.
public struct ProviderReportRow: Sendable, Codable, Equatable {
    public var peer: String
    public var standing: String
    public var score: Double
    public var auditScore: Double
    public var auditsPassed: Int
    public var auditsFailed: Int
    public var badData: Int
    public var uptime: Double
    public var up: Bool
    public var latencyP50Milliseconds: Double?
    public var latencyP95Milliseconds: Double?
    public var throughputBytesPerSecond: Double?
    public var storedByteCount: UInt64
    public var capacityByteCount: UInt64?
    public var freeByteCount: UInt64?
    public var pricePerGiBMonth: UInt64?
    public var lastAudit: Date?
    public var lastSeen: Date?
}

/// `cairn health`.
public struct HealthReport: Sendable, Codable, Equatable {
    public var files: Int
    public var healthyFiles: Int
    public var degradedFiles: [String]
    public var unrecoverableFiles: [String]
    public var repairsInProgress: [String]
    public var warningProviders: [String]
    public var excludedProviders: [String]
    public var downProviders: [String]
    public var auditsPassed: Int
    public var auditsFailed: Int
    public var auditsUnreachable: Int
    /// Event counts of the last 24 hours by kind (RETRIEVAL_FAILED, AUDIT_FAILED, REPAIR_DONE, …).
    public var recentEvents: [String: Int]
    public var events: [StorageEventRecord]
    public var status: String
}


extension StorageOwner {
    /// Per-segment health of a looked-after file.
    public func fileStatus(_ manifestCID: CID) async throws -> FileStatusReport {
        guard let file = try database.file(manifest: manifestCID.description) else {
            throw StorageError(.notFound, "this node does not look after \(manifestCID); files status works on the owner's node or a delegated repair agent")
        }
        if layouts[file.manifest] == nil { _ = try? await loadFile(manifestCID) }
        let locations = try database.locations(manifest: file.manifest).filter { $0.state != .replaced }
        var segments = (0..<file.segments).map { SegmentStatus(segment: $0, healthyShares: 0, shares: []) }
        for location in locations where location.segment < file.segments {
            let healthy = isHealthy(location)
            segments[location.segment].shares.append(ShareStatus(index: location.shareIndex, provider: location.provider, healthy: healthy,
                                                                 state: location.state.rawValue, lastAudit: location.lastAudit,
                                                                 lastAuditPassed: location.lastAuditPassed))
        }
        for index in segments.indices {
            segments[index].shares.sort { $0.index < $1.index }
            segments[index].healthyShares = Set(segments[index].shares.filter(\.healthy).map(\.index)).count
        }
        let parameters = layouts[file.manifest]?.parameters
            ?? ErasureParameters(dataShareCount: file.dataShares, totalShareCount: file.totalShares, segmentByteCount: 1 << 20)
        let policy = RepairPolicy(repairThreshold: file.repairThreshold, checkIntervalSeconds: file.checkIntervalSeconds)
        return FileStatusReport(manifest: file.manifest, name: file.name, role: file.role.rawValue, state: file.state.rawValue,
                                dataShares: file.dataShares, totalShares: file.totalShares, repairThreshold: file.repairThreshold,
                                segments: file.segments, minimumHealthy: segments.map(\.healthyShares).min() ?? 0,
                                providers: Array(Set(locations.filter { $0.state == .placed }.map(\.provider))).sorted(),
                                lastCheck: file.lastCheck,
                                durability: DurabilityEstimate.estimate(parameters: parameters, policy: policy), segmentStatus: segments)
    }

    /// Every known provider's scorecard and offer.
    public func providersReport() -> [ProviderReportRow] {
        var peers = Set(providers.keys)
        peers.formUnion(scorecards.keys)
        let held = (try? database.bytesHeldByProvider()) ?? [:]
        return peers.sorted().map { peer in
            let card = scorecard(peer)
            let offer = providers[peer]?.offer
            return ProviderReportRow(peer: peer.description, standing: card.standing(configuration.reputation).rawValue, score: card.score,
                                     auditScore: card.audit.score, auditsPassed: card.auditsPassed, auditsFailed: card.auditsFailed,
                                     badData: card.badData, uptime: card.uptime.ratio, up: isUp(peer),
                                     latencyP50Milliseconds: card.latency.p50.map { $0.seconds * 1000 },
                                     latencyP95Milliseconds: card.latency.p95.map { $0.seconds * 1000 },
                                     throughputBytesPerSecond: card.throughput.bytesPerSecond, storedByteCount: UInt64(max(0, held[peer.description] ?? 0)),
                                     capacityByteCount: offer?.capacityByteCount, freeByteCount: offer?.freeByteCount,
                                     pricePerGiBMonth: offer?.pricePerGiBMonth, lastAudit: card.lastAudit, lastSeen: card.uptime.lastSeen)
        }
    }

    /// The node-wide health summary.
    public func health() throws -> HealthReport {
        let files = try database.files()
        let rows = providersReport()
        let audits = try database.auditCounts()
        let since = environment.now().addingTimeInterval(-86_400)
        let degraded = files.filter { $0.state == .degraded || $0.state == .repairing }.map(\.manifest)
        let unrecoverable = files.filter { $0.state == .unrecoverable }.map(\.manifest)
        let excluded = rows.filter { $0.standing == ProviderStanding.excluded.rawValue }.map(\.peer)
        let involved = Set((try database.contracts(role: .owner, state: .live)).map(\.counterparty))
        let down = rows.filter { !$0.up && involved.contains($0.peer) }.map(\.peer)
        let status = !unrecoverable.isEmpty ? "unrecoverable" : !degraded.isEmpty || !repairing.isEmpty ? "degraded"
            : !excluded.isEmpty || !down.isEmpty ? "warning" : "ok"
        return HealthReport(files: files.count, healthyFiles: files.filter { $0.state == .healthy }.count, degradedFiles: degraded,
                            unrecoverableFiles: unrecoverable, repairsInProgress: repairing.sorted(),
                            warningProviders: rows.filter { $0.standing == ProviderStanding.warning.rawValue }.map(\.peer),
                            excludedProviders: excluded, downProviders: down, auditsPassed: audits[.passed] ?? 0,
                            auditsFailed: audits[.failed] ?? 0, auditsUnreachable: audits[.unreachable] ?? 0,
                            recentEvents: try database.eventCounts(since: since), events: try database.events(since: since, limit: 20),
                            status: status)
    }

    // MARK: - Delegation

    /// Asks `agent` to look after a file (check, audit, repair) with its verify-cap.
    public func delegate(_ manifestCID: CID, to agent: PeerID) async throws {
        guard let file = try database.file(manifest: manifestCID.description) else {
            throw StorageError(.notFound, "this node does not look after \(manifestCID)")
        }
        let locations = try database.locations(manifest: file.manifest).filter { $0.state == .placed }
        var shareLocations: [ShareLocation] = []
        for location in locations {
            guard let cid = try? CID(location.cid), let provider = try? PeerID(location.provider) else { continue }
            shareLocations.append(ShareLocation(segment: UInt32(location.segment), index: UInt16(location.shareIndex), share: cid,
                                                provider: provider, contractID: Self.bytes(hex: location.contractID)))
        }
        let contracts = try database.contracts(role: .owner, state: .live).filter { $0.manifest == file.manifest }
            .compactMap { try? StorageContract(decoding: Array($0.encoded)) }
        var delegation = RepairDelegation(verifyCap: file.verifyCap, manifest: manifestCID, locations: shareLocations, contracts: contracts,
                                          owner: key.publicKey, issuedAt: UInt64(max(0, environment.now().timeIntervalSince1970)))
        try delegation.sign(with: key)
        // The agent loads the manifest and tables before answering.
        let response = try await environment.transport.request(.delegate(delegation), to: agent, timeout: .seconds(60))
        switch response {
        case .delegated:
            try database.addDelegation(manifest: file.manifest, agent: agent.description, at: environment.now())
            event("DELEGATED", subject: file.manifest, "repair of \(file.name) delegated to \(agent)")
        case .refused(let refusal): throw StorageError(.invalidInput, "\(agent) refused the delegation: \(refusal.message)")
        default: throw StorageError(.invalidInput, "\(agent) answered the delegation with something else")
        }
    }

    /// Accepts a delegation: records the file, its locations and contracts, loads its manifest and tables.
    public func acceptDelegation(_ delegation: RepairDelegation, from peer: PeerID) async -> StorageResponse {
        guard delegation.hasValidSignature, delegation.owner.peerID == peer else {
            return .refused(StorageRefusal(code: .badSignature, message: "the delegation is not signed by the peer sending it"))
        }
        guard let capability = try? Capability(delegation.verifyCap), capability.manifest == delegation.manifest else {
            return .refused(StorageRefusal(code: .invalid, message: "the verify-cap does not name the delegated manifest"))
        }
        let manifestText = delegation.manifest.description
        do {
            let (manifest, _) = try await loadFile(delegation.manifest)
            let layout = manifest.layout
            var policy = RepairPolicy.standard(for: layout.parameters)
            policy.checkIntervalSeconds = configuration.checkInterval.seconds
            try database.removeFile(manifest: manifestText)
            try database.saveFile(StoredFileRecord(manifest: manifestText, name: manifestText, verifyCap: capability.verifyCap.text, role: .delegate,
                                                   owner: peer.description, dataShares: layout.dataShareCount, totalShares: layout.totalShareCount,
                                                   segments: layout.segmentCount, storedByteCount: Int64(layout.storedByteCount),
                                                   repairThreshold: policy.repairThreshold, checkIntervalSeconds: policy.checkIntervalSeconds,
                                                   addedAt: environment.now(), lastCheck: nil, minimumHealthy: nil, state: .healthy))
            for contract in delegation.contracts where contract.owner == delegation.owner && contract.isFullySigned && contract.manifest == delegation.manifest {
                try database.saveContract(ContractRecord(id: contract.idText, role: .owner, counterparty: contract.provider.peerID.description,
                                                         manifest: manifestText, byteCount: Int64(contract.byteCount), start: Int64(contract.start),
                                                         end: Int64(contract.end), state: .live, encoded: Data(contract.encoded()),
                                                         updatedAt: environment.now()))
            }
            try database.addLocations(delegation.locations.map {
                ShareLocationRecord(id: nil, manifest: manifestText, segment: Int($0.segment), shareIndex: Int($0.index), cid: $0.share.description,
                                    provider: $0.provider.description, contractID: $0.contractID.lowercaseHex,
                                    state: .placed, lastAudit: nil, lastAuditPassed: nil)
            })
            event("DELEGATION_ACCEPTED", subject: manifestText, "looking after \(manifestText) for \(peer)")
            return .delegated
        } catch {
            return .refused(StorageRefusal(code: .invalid, message: "cannot take the delegation: \(error)"))
        }
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
            index = next
        }
        return bytes
    }
}
