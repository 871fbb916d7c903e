import CairnCore
import CairnCrypto
import Foundation
import Metrics

extension StorageOwner {
    /// Audits every live contract once: a random share of it, a random range of that share's chunks
    /// (sometimes the whole share, like a read), checked against the share's Merkle root in the contract.
    /// Audits travel as ordinary `read` requests, so a provider cannot tell them from retrievals.
    public func auditOnce() async {
        let contracts = (try? database.contracts(role: .owner, state: .live)) ?? []
        for manifest in Set(contracts.map(\.manifest)) where layouts[manifest] == nil {
            if let cid = try? CID(manifest) { _ = try? await loadFile(cid) }
        }
        var generator = EnvironmentRandom(source: environment.random)
        var jobs: [(PeerID, String, ShareLocationRecord, UInt32, UInt32)] = []
        for contract in contracts {
            guard let peer = try? PeerID(contract.counterparty) else { continue }
            let locations = ((try? database.locations(contractID: contract.id)) ?? []).filter { $0.state != .replaced }
            guard let location = locations.randomElement(using: &generator), let file = try? database.file(manifest: location.manifest),
                  file.segments > 0, layouts[file.manifest] != nil else { continue }
            let byteCount = shareByteCount(segment: location.segment, file: file)
            let chunks = ShareTree.leafCount(forByteCount: byteCount)
            let (first, count) = Self.auditRange(chunks: chunks, using: &generator)
            jobs.append((peer, contract.id, location, UInt32(first), UInt32(count)))
        }
        await withTaskGroup(of: Void.self) { group in
            for (peer, contractID, location, first, count) in jobs {
                group.addTask { await self.audit(peer: peer, contractID: contractID, location: location, firstChunk: first, chunkCount: count) }
            }
        }
        saveScorecards()
    }

    /// A random chunk range: a quarter of audits read the whole share (as a retrieval does), the rest a
    /// random run of chunks.
    static func auditRange(chunks: Int, using generator: inout some RandomNumberGenerator) -> (Int, Int) {
        guard chunks > 1, Int.random(in: 0..<4, using: &generator) != 0 else { return (0, max(1, chunks)) }
        let first = Int.random(in: 0..<chunks, using: &generator)
        let count = Int.random(in: 1...(chunks - first), using: &generator)
        return (first, count)
    }

    /// The byte count of a share of `segment` (only the last segment's may be shorter).
    func shareByteCount(segment: Int, file: StoredFileRecord) -> Int {
        layouts[file.manifest]?.shareByteCount(ofSegment: segment) ?? 0
    }

    /// One audit: asks, checks, records the outcome on the location, the scorecard and the metrics.
    func audit(peer: PeerID, contractID: String, location: ShareLocationRecord, firstChunk: UInt32, chunkCount: UInt32) async {
        guard let cid = try? CID(location.cid) else { return }
        let started = ContinuousClock.now
        let outcome: AuditRecord.Outcome
        var detail = ""
        do {
            let response = try await environment.transport.request(.read(share: cid, firstChunk: firstChunk, chunkCount: chunkCount),
                                                                    to: peer, timeout: configuration.requestTimeout)
            switch response {
            case .data(let result) where result.firstChunk == firstChunk && result.verify(share: cid, chunkCount: chunkCount):
                outcome = .passed
            case .data:
                outcome = .failed
                detail = "bytes or proof do not match the share's root"
            case .refused(let refusal):
                outcome = refusal.code == .busy ? .unreachable : .failed
                detail = refusal.message
            default:
                outcome = .failed
                detail = "answered an audit with something else"
            }
        } catch {
            outcome = .unreachable
            detail = "\(error)"
        }
        let latency = ContinuousClock.now - started
        let now = environment.now()
        try? database.addAudit(AuditRecord(id: nil, peer: peer.description, contractID: contractID, cid: location.cid,
                                           firstChunk: Int(firstChunk), chunkCount: Int(chunkCount), outcome: outcome,
                                           latencyMilliseconds: outcome == .unreachable ? nil : latency.seconds * 1000, at: now))
        Counter(label: "cairn_audits_total", dimensions: [("outcome", outcome.rawValue)]).increment()
        var card = scorecard(peer)
        switch outcome {
        case .passed:
            card.recordAudit(passed: true, latency: latency, at: now, policy: configuration.reputation)
            card.recordContact(reachable: true, latency: latency, at: now, policy: configuration.reputation)
            try? database.recordLocationAudit(cid: location.cid, provider: peer.description, passed: true, at: now)
        case .failed:
            card.recordAudit(passed: false, latency: latency, at: now, policy: configuration.reputation)
            card.recordContact(reachable: true, latency: latency, at: now, policy: configuration.reputation)
            try? database.recordLocationAudit(cid: location.cid, provider: peer.description, passed: false, at: now)
            event("AUDIT_FAILED", subject: peer.description, "audit of share \(location.cid) (segment \(location.segment), index \(location.shareIndex)) failed: \(detail)")
        case .unreachable:
            // Not a proof of loss (the provider may be restarting): it counts against uptime only.
            card.recordContact(reachable: false, latency: nil, at: now, policy: configuration.reputation)
        }
        update(card, for: peer)
    }
}
