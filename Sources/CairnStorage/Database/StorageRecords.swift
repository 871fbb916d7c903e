import Foundation
import GRDB

/// Which side of a contract this node is on.
public enum ContractRole: String, Codable, Sendable {
    /// We pay and our shares are held (the owner, or a repair agent acting for one).
    case owner
    /// We hold the shares.
    case provider
}

/// A contract's life.
public enum ContractState: String, Codable, Sendable {
    /// In force: the provider keeps the shares.
    case live
    /// Ended early by the owner.
    case cancelled
    /// Its end passed.
    case expired
    /// Ended by the owner (the provider vanished, stalled or was excluded; its shares were placed
    /// elsewhere) but the provider has not confirmed the cancellation yet; the owner sends it again while
    /// the provider is reachable. A provider keeps such a contract live until it hears or the end passes.
    case abandoned
}

/// A signed storage contract as either side keeps it.
public struct ContractRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "contracts"
    /// The contract ID (hex).
    public var id: String
    public var role: ContractRole
    /// The other party's peer ID.
    public var counterparty: String
    /// The file's manifest CID.
    public var manifest: String
    public var byteCount: Int64
    public var start: Int64
    public var end: Int64
    public var state: ContractState
    /// The fully signed contract (`StorageContract.encoded()`).
    public var encoded: Data
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, role, counterparty, manifest, state, encoded
        case byteCount = "byte_count", start, end, updatedAt = "updated_at"
    }
}

/// A share a provider holds under a contract.
public struct HeldShareRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "held_shares"
    public var cid: String
    public var contractID: String
    public var byteCount: Int64
    /// Whether the bytes arrived (the contract reserves the space before they do).
    public var stored: Bool

    enum CodingKeys: String, CodingKey {
        case cid, contractID = "contract_id", byteCount = "byte_count", stored
    }
}

/// Where one share of a file we look after was placed.
public struct ShareLocationRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "share_locations"

    /// A location's state.
    public enum State: String, Codable, Sendable {
        /// Stored and acknowledged by the provider.
        case placed
        /// An audit or a read proved it missing or wrong there.
        case failed
        /// Rebuilt and placed elsewhere; this copy no longer counts.
        case replaced
    }

    public var id: Int64?
    public var manifest: String
    public var segment: Int
    public var shareIndex: Int
    public var cid: String
    public var provider: String
    public var contractID: String
    public var state: State
    public var lastAudit: Date?
    public var lastAuditPassed: Bool?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, manifest, segment, shareIndex = "share_index", cid, provider, contractID = "contract_id", state
        case lastAudit = "last_audit", lastAuditPassed = "last_audit_passed"
    }
}

/// A private file this node keeps healthy: its own (role owner) or one delegated to it.
public struct StoredFileRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "stored_files"
    /// Why this node looks after the file.
    public enum Role: String, Codable, Sendable {
        case owner
        case delegate
    }
    /// The file's state as last checked.
    public enum State: String, Codable, Sendable {
        case placing, healthy, degraded, repairing, unrecoverable
    }

    public var manifest: String
    public var name: String
    /// The verify-cap (check and repair, cannot decrypt).
    public var verifyCap: String
    public var role: Role
    /// Who owns it (peer ID text).
    public var owner: String
    public var dataShares: Int
    public var totalShares: Int
    public var segments: Int
    public var storedByteCount: Int64
    public var repairThreshold: Int
    public var checkIntervalSeconds: Double
    public var addedAt: Date
    public var lastCheck: Date?
    public var minimumHealthy: Int?
    public var state: State

    enum CodingKeys: String, CodingKey {
        case manifest, name, role, owner, segments, state
        case verifyCap = "verify_cap", dataShares = "data_shares", totalShares = "total_shares"
        case storedByteCount = "stored_byte_count", repairThreshold = "repair_threshold"
        case checkIntervalSeconds = "check_interval_seconds", addedAt = "added_at", lastCheck = "last_check"
        case minimumHealthy = "minimum_healthy"
    }
}

/// A provider's scorecard as JSON, and where to reach it.
public struct ScorecardRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "scorecards"
    public var peer: String
    public var card: Data
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case peer, card, updatedAt = "updated_at"
    }
}

/// A provider's latest signed offer, and the addresses it was found at.
public struct OfferRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "offers"
    public var peer: String
    public var encoded: Data
    public var addresses: String
    public var receivedAt: Date

    enum CodingKeys: String, CodingKey {
        case peer, encoded, addresses, receivedAt = "received_at"
    }
}

/// One audit's outcome.
public struct AuditRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "audits"
    /// What an audit found.
    public enum Outcome: String, Codable, Sendable {
        /// The bytes and proof matched the share's root in time.
        case passed
        /// The provider said it does not have the share, or answered with bytes that do not verify.
        case failed
        /// No answer within the deadline, or the provider could not be reached.
        case unreachable
    }
    public var id: Int64?
    public var peer: String
    public var contractID: String
    public var cid: String
    public var firstChunk: Int
    public var chunkCount: Int
    public var outcome: Outcome
    public var latencyMilliseconds: Double?
    public var at: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, peer, cid, outcome, at
        case contractID = "contract_id", firstChunk = "first_chunk", chunkCount = "chunk_count"
        case latencyMilliseconds = "latency_ms"
    }
}

/// A health event (alert) for `cairn health` and the logs.
public struct StorageEventRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "events"
    public var id: Int64?
    public var at: Date
    /// `RETRIEVAL_FAILED`, `OBJECT_DEGRADED`, `OBJECT_UNRECOVERABLE`, `INTEGRITY_MISMATCH`, `PROVIDER_WARNING`,
    /// `PROVIDER_EXCLUDED`, `AUDIT_FAILED`, `REPAIR_STARTED`, `REPAIR_DONE`, `REPAIR_FAILED`.
    public var kind: String
    /// What it is about (a manifest CID, a peer ID).
    public var subject: String
    public var message: String

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
