import Foundation
import GRDB

/// A failure of the storage database: what was being done and SQLite's message.
public struct StorageDatabaseError: Error, Sendable, CustomStringConvertible {
    /// What was being done.
    public var operation: String
    /// The underlying error.
    public var message: String
    public var description: String { "storage database: cannot \(operation): \(message)" }
}

/// The storage market's own SQLite database (`<repo>/storage.sqlite`): contracts (both sides), the shares a
/// provider holds, where each share of a looked-after file lives, provider scorecards and offers, audit
/// outcomes and health events. WAL with `synchronous = FULL`: a call that returned is on disk, so a
/// contract acknowledged to the other side survives a crash. Times are passed in (the injected clock).
public final class StorageDatabase: Sendable {
    /// The file name inside the repository.
    public static let fileName = "storage.sqlite"
    /// The database's path.
    public let path: String
    let queue: DatabaseQueue

    /// Opens (creating and migrating) the database at `path`.
    public init(path: String) throws(StorageDatabaseError) {
        self.path = path
        do {
            var configuration = Configuration()
            configuration.journalMode = .wal
            configuration.label = "cairn.storage"
            configuration.busyMode = .timeout(30)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(queue)
            self.queue = queue
        } catch {
            throw StorageDatabaseError(operation: "open \(path)", message: "\(error)")
        }
    }

    /// An in-memory database (tests, simulation).
    public init() throws(StorageDatabaseError) {
        path = ":memory:"
        do {
            let queue = try DatabaseQueue()
            try Self.migrator.migrate(queue)
            self.queue = queue
        } catch {
            throw StorageDatabaseError(operation: "open an in-memory database", message: "\(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-storage") { db in
            try db.create(table: "contracts") { t in
                t.primaryKey("id", .text)
                t.column("role", .text).notNull()
                t.column("counterparty", .text).notNull().indexed()
                t.column("manifest", .text).notNull().indexed()
                t.column("byte_count", .integer).notNull()
                t.column("start", .integer).notNull()
                t.column("end", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("encoded", .blob).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "held_shares") { t in
                t.column("cid", .text).notNull().indexed()
                t.column("contract_id", .text).notNull().indexed()
                t.column("byte_count", .integer).notNull()
                t.column("stored", .boolean).notNull()
                t.primaryKey(["cid", "contract_id"])
            }
            try db.create(table: "share_locations") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("manifest", .text).notNull()
                t.column("segment", .integer).notNull()
                t.column("share_index", .integer).notNull()
                t.column("cid", .text).notNull().indexed()
                t.column("provider", .text).notNull().indexed()
                t.column("contract_id", .text).notNull()
                t.column("state", .text).notNull()
                t.column("last_audit", .datetime)
                t.column("last_audit_passed", .boolean)
            }
            try db.create(index: "share_locations_by_file", on: "share_locations", columns: ["manifest", "segment"])
            try db.create(table: "stored_files") { t in
                t.primaryKey("manifest", .text)
                t.column("name", .text).notNull()
                t.column("verify_cap", .text).notNull()
                t.column("role", .text).notNull()
                t.column("owner", .text).notNull()
                t.column("data_shares", .integer).notNull()
                t.column("total_shares", .integer).notNull()
                t.column("segments", .integer).notNull()
                t.column("stored_byte_count", .integer).notNull()
                t.column("repair_threshold", .integer).notNull()
                t.column("check_interval_seconds", .double).notNull()
                t.column("added_at", .datetime).notNull()
                t.column("last_check", .datetime)
                t.column("minimum_healthy", .integer)
                t.column("state", .text).notNull()
            }
            try db.create(table: "scorecards") { t in
                t.primaryKey("peer", .text)
                t.column("card", .blob).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "offers") { t in
                t.primaryKey("peer", .text)
                t.column("encoded", .blob).notNull()
                t.column("addresses", .text).notNull()
                t.column("received_at", .datetime).notNull()
            }
            try db.create(table: "audits") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("peer", .text).notNull().indexed()
                t.column("contract_id", .text).notNull()
                t.column("cid", .text).notNull()
                t.column("first_chunk", .integer).notNull()
                t.column("chunk_count", .integer).notNull()
                t.column("outcome", .text).notNull()
                t.column("latency_ms", .double)
                t.column("at", .datetime).notNull()
            }
            try db.create(table: "events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull().indexed()
                t.column("kind", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("message", .text).notNull()
            }
        }
        migrator.registerMigration("v2-delegations") { db in
            // The agents an owner delegated each file to: told when the file is removed; a row stays until
            // the agent confirms, so an agent that was down is told when it is back.
            try db.create(table: "delegations") { t in
                t.column("manifest", .text).notNull()
                t.column("agent", .text).notNull()
                t.column("at", .datetime).notNull()
                t.primaryKey(["manifest", "agent"])
            }
        }
        return migrator
    }

    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(StorageDatabaseError) -> T {
        do {
            return try queue.write(body)
        } catch {
            throw StorageDatabaseError(operation: operation, message: "\(error)")
        }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StorageDatabaseError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw StorageDatabaseError(operation: operation, message: "\(error)")
        }
    }

    // MARK: - Contracts

    /// Saves a contract (replacing one with the same ID) and, for a provider, the shares it reserves.
    public func saveContract(_ contract: ContractRecord, heldShares: [HeldShareRecord] = []) throws(StorageDatabaseError) {
        try write("save contract \(contract.id)") { db in
            try contract.save(db)
            for share in heldShares { try share.save(db) }
        }
    }

    /// The contract with `id`.
    public func contract(_ id: String) throws(StorageDatabaseError) -> ContractRecord? {
        try read("read contract \(id)") { try ContractRecord.fetchOne($0, key: id) }
    }

    /// Contracts by role and (optionally) state.
    public func contracts(role: ContractRole, state: ContractState? = nil) throws(StorageDatabaseError) -> [ContractRecord] {
        try read("list contracts") { db in
            var request = ContractRecord.filter(Column("role") == role.rawValue)
            if let state { request = request.filter(Column("state") == state.rawValue) }
            return try request.order(Column("start")).fetchAll(db)
        }
    }

    /// Sets a contract's state (and end, for a renewal); returns whether it existed.
    @discardableResult
    public func updateContract(_ id: String, state: ContractState, end: Int64? = nil, encoded: Data? = nil,
                               at time: Date) throws(StorageDatabaseError) -> Bool {
        try write("update contract \(id)") { db in
            guard var record = try ContractRecord.fetchOne(db, key: id) else { return false }
            record.state = state
            if let end { record.end = end }
            if let encoded { record.encoded = encoded }
            record.updatedAt = time
            try record.update(db)
            return true
        }
    }

    /// Bytes promised to us under live contracts, by provider (what each holds of ours).
    public func bytesHeldByProvider() throws(StorageDatabaseError) -> [String: Int64] {
        try read("bytes by provider") { db in
            var result: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT counterparty, SUM(byte_count) AS bytes FROM contracts WHERE role = 'owner' AND state = 'live' GROUP BY counterparty
                """) {
                result[row["counterparty"]] = row["bytes"]
            }
            return result
        }
    }

    // MARK: - Provider side

    /// The held-share rows of `cid` under live contracts.
    public func liveHeldShares(cid: String) throws(StorageDatabaseError) -> [HeldShareRecord] {
        try read("read held share") { db in
            try HeldShareRecord.fetchAll(db, sql: """
                SELECT h.* FROM held_shares h JOIN contracts c ON c.id = h.contract_id
                WHERE h.cid = ? AND c.state = 'live' AND c.role = 'provider'
                """, arguments: [cid])
        }
    }

    /// The shares of one contract.
    public func heldShares(contractID: String) throws(StorageDatabaseError) -> [HeldShareRecord] {
        try read("read held shares") { try HeldShareRecord.filter(Column("contract_id") == contractID).fetchAll($0) }
    }

    /// Marks a share as arrived under every live contract that reserves it.
    public func markStored(cid: String) throws(StorageDatabaseError) {
        try write("mark share stored") { db in
            try db.execute(sql: "UPDATE held_shares SET stored = 1 WHERE cid = ?", arguments: [cid])
        }
    }

    /// Marks a share as gone (deleted, or found damaged on disk).
    public func markNotStored(cid: String) throws(StorageDatabaseError) {
        try write("mark share not stored") { db in
            try db.execute(sql: "UPDATE held_shares SET stored = 0 WHERE cid = ?", arguments: [cid])
        }
    }

    /// Bytes promised under live provider contracts, and bytes of distinct shares actually held.
    public func providerAccounting() throws(StorageDatabaseError) -> (committed: Int64, stored: Int64) {
        try read("provider accounting") { db in
            let committed = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(byte_count), 0) FROM contracts WHERE role = 'provider' AND state = 'live'") ?? 0
            let stored = try Int64.fetchOne(db, sql: """
                SELECT COALESCE(SUM(byte_count), 0) FROM (SELECT DISTINCT h.cid, h.byte_count FROM held_shares h
                JOIN contracts c ON c.id = h.contract_id WHERE c.role = 'provider' AND c.state = 'live' AND h.stored = 1)
                """) ?? 0
            return (committed, stored)
        }
    }

    /// Shares of `contractID` that no other live provider contract holds (what to delete when it ends).
    public func sharesOnlyIn(contractID: String) throws(StorageDatabaseError) -> [String] {
        try read("shares only in a contract") { db in
            try String.fetchAll(db, sql: """
                SELECT h.cid FROM held_shares h WHERE h.contract_id = ? AND NOT EXISTS (
                  SELECT 1 FROM held_shares o JOIN contracts c ON c.id = o.contract_id
                  WHERE o.cid = h.cid AND o.contract_id != h.contract_id AND c.state = 'live' AND c.role = 'provider')
                """, arguments: [contractID])
        }
    }

    /// Stored shares of a file under live provider contracts.
    public func heldShares(manifest: String) throws(StorageDatabaseError) -> [String] {
        try read("held shares of a file") { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT h.cid FROM held_shares h JOIN contracts c ON c.id = h.contract_id
                WHERE c.manifest = ? AND c.state = 'live' AND c.role = 'provider' AND h.stored = 1
                """, arguments: [manifest])
        }
    }

    /// Every share held (stored) under a live provider contract.
    public func allHeldShares() throws(StorageDatabaseError) -> [HeldShareRecord] {
        try read("held shares") { db in
            try HeldShareRecord.fetchAll(db, sql: """
                SELECT h.* FROM held_shares h JOIN contracts c ON c.id = h.contract_id
                WHERE c.state = 'live' AND c.role = 'provider' AND h.stored = 1
                """)
        }
    }

    // MARK: - Files and locations

    /// Saves a looked-after file.
    public func saveFile(_ file: StoredFileRecord) throws(StorageDatabaseError) {
        try write("save file \(file.manifest)") { try file.save($0) }
    }

    /// The looked-after files.
    public func files() throws(StorageDatabaseError) -> [StoredFileRecord] {
        try read("list files") { try StoredFileRecord.order(Column("added_at")).fetchAll($0) }
    }

    /// One looked-after file.
    public func file(manifest: String) throws(StorageDatabaseError) -> StoredFileRecord? {
        try read("read file") { try StoredFileRecord.fetchOne($0, key: manifest) }
    }

    /// Forgets a file and its locations.
    public func removeFile(manifest: String) throws(StorageDatabaseError) {
        try write("remove file") { db in
            _ = try StoredFileRecord.deleteOne(db, key: manifest)
            try ShareLocationRecord.filter(Column("manifest") == manifest).deleteAll(db)
        }
    }

    /// Releases a file while no daemon runs (`cairn files rm` offline): forgets its record and locations
    /// and marks its live owner contracts `abandoned`, so the daemon sends their cancellations — and the
    /// revocations of its delegations — once it runs. Returns (contracts to cancel, agents to tell), or nil
    /// when this database knows nothing of the file.
    public func releaseFileOffline(manifest: String, at time: Date) throws(StorageDatabaseError) -> (contracts: Int, agents: Int)? {
        try write("release a file") { db in
            let known = try StoredFileRecord.fetchOne(db, key: manifest) != nil
            let contracts = try ContractRecord.filter(Column("role") == ContractRole.owner.rawValue && Column("manifest") == manifest
                                                      && [ContractState.live.rawValue, ContractState.abandoned.rawValue].contains(Column("state")))
                .fetchCount(db)
            let agents = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delegations WHERE manifest = ?", arguments: [manifest]) ?? 0
            guard known || contracts > 0 || agents > 0 else { return nil }
            _ = try StoredFileRecord.deleteOne(db, key: manifest)
            try ShareLocationRecord.filter(Column("manifest") == manifest).deleteAll(db)
            try db.execute(sql: "UPDATE contracts SET state = ?, updated_at = ? WHERE role = ? AND manifest = ? AND state = ?",
                           arguments: [ContractState.abandoned.rawValue, time, ContractRole.owner.rawValue, manifest, ContractState.live.rawValue])
            return (contracts, agents)
        }
    }

    // MARK: - Delegations

    /// Records that `agent` looks after `manifest` for this owner.
    public func addDelegation(manifest: String, agent: String, at time: Date) throws(StorageDatabaseError) {
        try write("record a delegation") { db in
            try db.execute(sql: "INSERT OR REPLACE INTO delegations (manifest, agent, at) VALUES (?, ?, ?)",
                           arguments: [manifest, agent, time])
        }
    }

    /// Every (manifest, agent) delegation this owner made, oldest first.
    public func delegations() throws(StorageDatabaseError) -> [(manifest: String, agent: String)] {
        try read("list delegations") { db in
            try Row.fetchAll(db, sql: "SELECT manifest, agent FROM delegations ORDER BY at, manifest, agent")
                .map { (manifest: $0["manifest"], agent: $0["agent"]) }
        }
    }

    /// Forgets a delegation (the agent confirmed its revocation).
    public func removeDelegation(manifest: String, agent: String) throws(StorageDatabaseError) {
        try write("remove a delegation") { db in
            try db.execute(sql: "DELETE FROM delegations WHERE manifest = ? AND agent = ?", arguments: [manifest, agent])
        }
    }

    /// Adds share locations.
    public func addLocations(_ locations: [ShareLocationRecord]) throws(StorageDatabaseError) {
        try write("add share locations") { db in
            for var location in locations { try location.insert(db) }
        }
    }

    /// Every location of a file, by segment then share index.
    public func locations(manifest: String) throws(StorageDatabaseError) -> [ShareLocationRecord] {
        try read("read share locations") { db in
            try ShareLocationRecord.filter(Column("manifest") == manifest)
                .order(Column("segment"), Column("share_index")).fetchAll(db)
        }
    }

    /// The places a share is held (not replaced).
    public func locations(cid: String) throws(StorageDatabaseError) -> [ShareLocationRecord] {
        try read("read share locations") { db in
            try ShareLocationRecord.filter(Column("cid") == cid && Column("state") != ShareLocationRecord.State.replaced.rawValue).fetchAll(db)
        }
    }

    /// Placed locations held under one contract.
    public func locations(contractID: String) throws(StorageDatabaseError) -> [ShareLocationRecord] {
        try read("read share locations") { try ShareLocationRecord.filter(Column("contract_id") == contractID).fetchAll($0) }
    }

    /// Sets the state of locations of `cid` at `provider`.
    public func setLocationState(cid: String, provider: String, _ state: ShareLocationRecord.State) throws(StorageDatabaseError) {
        try write("update share location") { db in
            try db.execute(sql: "UPDATE share_locations SET state = ? WHERE cid = ? AND provider = ? AND state != 'replaced'",
                           arguments: [state.rawValue, cid, provider])
        }
    }

    /// Records an audit's verdict on one location.
    public func recordLocationAudit(cid: String, provider: String, passed: Bool, at time: Date) throws(StorageDatabaseError) {
        try write("record location audit") { db in
            try db.execute(sql: """
                UPDATE share_locations SET last_audit = ?, last_audit_passed = ?,
                  state = CASE WHEN ? THEN state ELSE 'failed' END
                WHERE cid = ? AND provider = ? AND state != 'replaced'
                """, arguments: [time, passed, passed, cid, provider])
        }
    }

    /// Marks the location of (file, segment, index) at `provider` replaced and adds the new one.
    public func replaceLocation(manifest: String, segment: Int, shareIndex: Int, with location: ShareLocationRecord) throws(StorageDatabaseError) {
        try write("replace share location") { db in
            try db.execute(sql: """
                UPDATE share_locations SET state = 'replaced' WHERE manifest = ? AND segment = ? AND share_index = ? AND state != 'replaced'
                """, arguments: [manifest, segment, shareIndex])
            var location = location
            try location.insert(db)
        }
    }

    // MARK: - Providers

    /// A provider's scorecard JSON.
    public func scorecardData(peer: String) throws(StorageDatabaseError) -> Data? {
        try read("read scorecard") { try ScorecardRecord.fetchOne($0, key: peer)?.card }
    }

    /// Every scorecard.
    public func scorecardRecords() throws(StorageDatabaseError) -> [ScorecardRecord] {
        try read("read scorecards") { try ScorecardRecord.fetchAll($0) }
    }

    /// Saves a scorecard.
    public func saveScorecard(peer: String, card: Data, at time: Date) throws(StorageDatabaseError) {
        try write("save scorecard") { try ScorecardRecord(peer: peer, card: card, updatedAt: time).save($0) }
    }

    /// Saves a provider's offer.
    public func saveOffer(_ offer: OfferRecord) throws(StorageDatabaseError) {
        try write("save offer") { try offer.save($0) }
    }

    /// Every known offer.
    public func offers() throws(StorageDatabaseError) -> [OfferRecord] {
        try read("read offers") { try OfferRecord.fetchAll($0) }
    }

    // MARK: - Audits and events

    /// Records an audit.
    public func addAudit(_ audit: AuditRecord) throws(StorageDatabaseError) {
        try write("record audit") { db in
            var audit = audit
            try audit.insert(db)
        }
    }

    /// The latest audits, newest first.
    public func audits(limit: Int = 100, peer: String? = nil) throws(StorageDatabaseError) -> [AuditRecord] {
        try read("read audits") { db in
            var request = AuditRecord.order(Column("id").desc)
            if let peer { request = request.filter(Column("peer") == peer) }
            return try request.limit(limit).fetchAll(db)
        }
    }

    /// Audit counts by outcome.
    public func auditCounts() throws(StorageDatabaseError) -> [AuditRecord.Outcome: Int] {
        try read("count audits") { db in
            var counts: [AuditRecord.Outcome: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT outcome, COUNT(*) AS n FROM audits GROUP BY outcome") {
                if let outcome = AuditRecord.Outcome(rawValue: row["outcome"]) { counts[outcome] = row["n"] }
            }
            return counts
        }
    }

    /// Records a health event.
    public func addEvent(kind: String, subject: String, message: String, at time: Date) throws(StorageDatabaseError) {
        try write("record event") { db in
            var event = StorageEventRecord(id: nil, at: time, kind: kind, subject: subject, message: message)
            try event.insert(db)
        }
    }

    /// Events since `time`, newest first.
    public func events(since time: Date, limit: Int = 200) throws(StorageDatabaseError) -> [StorageEventRecord] {
        try read("read events") { db in
            try StorageEventRecord.filter(Column("at") >= time).order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// How many events of each kind since `time`.
    public func eventCounts(since time: Date) throws(StorageDatabaseError) -> [String: Int] {
        try read("count events") { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, COUNT(*) AS n FROM events WHERE at >= ? GROUP BY kind", arguments: [time]) {
                counts[row["kind"]] = row["n"]
            }
            return counts
        }
    }
}
