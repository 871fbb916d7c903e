import CairnCore
import CairnCrypto
import Foundation

/// What `cairn files rm` did on the storage network: the file's contracts this node signed, ended, and
/// its repair agents told.
public struct FileReleaseReport: Codable, Sendable, Equatable {
    /// The manifest CID.
    public var manifest: String
    /// Contracts of the file that were live or awaiting a cancellation.
    public var contracts: Int
    /// Cancellations the providers confirmed (they free the space now).
    public var cancelled: Int
    /// Cancellations not confirmed yet (provider down or frozen): sent again while it is up, until the
    /// contract's end.
    public var pending: Int
    /// Repair agents that confirmed they no longer look after the file.
    public var agentsRevoked: Int
    /// Repair agents not reached yet: told again every contact interval until they confirm.
    public var agentsPending: Int

    /// Creates a report.
    public init(manifest: String, contracts: Int, cancelled: Int, pending: Int, agentsRevoked: Int, agentsPending: Int) {
        self.manifest = manifest
        self.contracts = contracts
        self.cancelled = cancelled
        self.pending = pending
        self.agentsRevoked = agentsRevoked
        self.agentsPending = agentsPending
    }
}

extension StorageOwner {
    /// Stops looking after a file and ends the contracts this node signed for it: the file's record and
    /// share locations go first (so no check or repair starts on it), then every contract is cancelled
    /// with its provider, in parallel, and every agent the file was delegated to is told; an unconfirmed
    /// cancellation or revocation is sent again later.
    public func releaseFile(_ manifestCID: CID) async throws -> FileReleaseReport {
        let manifestText = manifestCID.description
        let contracts = try database.contracts(role: .owner).filter { record in
            record.manifest == manifestText && (record.state == .live || record.state == .abandoned)
        }
        let agents = try database.delegations().filter { $0.manifest == manifestText }.map(\.agent)
        guard try database.file(manifest: manifestText) != nil || !contracts.isEmpty || !agents.isEmpty else {
            throw StorageError(.notFound, "this node does not look after \(manifestText) and holds no contract for it")
        }
        try database.removeFile(manifest: manifestText)
        // Contracts another owner signed (an agent keeps the delegating owner's) are that owner's to end.
        let ours = contracts.filter { record in
            guard let contract = try? StorageContract(decoding: Array(record.encoded)) else { return false }
            return contract.owner == key.publicKey
        }
        let ourIDs = Set(ours.map(\.id))
        for record in contracts where !ourIDs.contains(record.id) {
            _ = try? database.updateContract(record.id, state: .cancelled, at: environment.now())
        }
        await withTaskGroup(of: Void.self) { group in
            for record in ours { group.addTask { await self.endContract(record.id) } }
        }
        let cancelled = ours.filter { (try? database.contract($0.id))??.state == .cancelled }.count
        var revoked = 0
        for agent in agents where await revokeDelegation(manifestCID, agent: agent) { revoked += 1 }
        event("FILE_RELEASED", subject: manifestText,
              "stopped looking after the file; \(cancelled) of \(ours.count) contracts cancelled, \(revoked) of \(agents.count) agents told; "
              + "the rest are told when they are back")
        return FileReleaseReport(manifest: manifestText, contracts: ours.count, cancelled: cancelled, pending: ours.count - cancelled,
                                 agentsRevoked: revoked, agentsPending: agents.count - revoked)
    }

    /// Tells `agent` the delegation of `manifestCID` is withdrawn; forgets the delegation once it confirms.
    /// Returns whether it did.
    func revokeDelegation(_ manifestCID: CID, agent: String) async -> Bool {
        guard let peer = try? PeerID(agent) else { return false }
        var revocation = DelegationRevocation(manifest: manifestCID, owner: key.publicKey,
                                              at: UInt64(max(0, environment.now().timeIntervalSince1970)))
        guard (try? revocation.sign(with: key)) != nil else { return false }
        guard case .revoked(let manifest)? = try? await environment.transport.request(.revoke(revocation), to: peer,
                                                                                      timeout: configuration.requestTimeout),
              manifest == manifestCID else { return false }
        _ = try? database.removeDelegation(manifest: manifestCID.description, agent: agent)
        event("DELEGATION_REVOKED", subject: manifestCID.description, "\(agent) no longer looks after the file")
        return true
    }

    /// Sends again the revocations of files this node no longer looks after that an agent has not
    /// confirmed yet. Returns how many were confirmed now.
    @discardableResult
    public func revokeDelegationsOfReleasedFiles() async -> Int {
        var confirmed = 0
        for delegation in (try? database.delegations()) ?? [] {
            guard ((try? database.file(manifest: delegation.manifest)) ?? nil) == nil, let cid = try? CID(delegation.manifest) else { continue }
            if await revokeDelegation(cid, agent: delegation.agent) { confirmed += 1 }
        }
        return confirmed
    }

    /// Withdraws a delegation at its owner's request: stops looking after the file and cancels the
    /// contracts this agent signed for it. Answers `revoked` also when the file is not (or no longer) here.
    public func acceptRevocation(_ revocation: DelegationRevocation, from peer: PeerID) async -> StorageResponse {
        guard revocation.hasValidSignature, revocation.owner.peerID == peer else {
            return .refused(StorageRefusal(code: .badSignature, message: "the revocation is not signed by the peer sending it"))
        }
        let manifestText = revocation.manifest.description
        do {
            if let file = try database.file(manifest: manifestText) {
                guard file.role == .delegate, file.owner == peer.description else {
                    return .refused(StorageRefusal(code: .invalid, message: "this node does not look after \(manifestText) for \(peer)"))
                }
                _ = try await releaseFile(revocation.manifest)
            }
            return .revoked(manifest: revocation.manifest)
        } catch {
            return .refused(StorageRefusal(code: .invalid, message: "cannot withdraw the delegation: \(error)"))
        }
    }
}
