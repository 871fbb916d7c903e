import CairnCore
import Foundation
import GRDB

/// One row of the `downloads` table: a finished (or failed) `get` of a CID to a local path.
public struct DownloadRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "downloads"

    /// The row id, assigned on insert.
    public var id: Int64?
    /// The downloaded CID in canonical string form.
    public var cid: String
    /// The local path written to.
    public var destination: String
    /// Bytes written to `destination`.
    public var bytes: Int64
    /// When the download started (millisecond precision).
    public var startedAt: Date
    /// When it finished or failed (millisecond precision).
    public var finishedAt: Date
    /// How it ended, as free text: `completed`, `failed: <reason>`, `cancelled`.
    public var outcome: String

    /// Creates a record not yet inserted.
    public init(
        id: Int64? = nil, cid: CID, destination: String, bytes: Int64,
        startedAt: Date, finishedAt: Date, outcome: String
    ) {
        self.id = id
        self.cid = cid.description
        self.destination = destination
        self.bytes = bytes
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
    }

    /// Records the row id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, cid, destination, bytes, outcome
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}
