import CairnCore
import Foundation
import GRDB

/// One row of the `files` table: a file the user added, indexed by its root CID.
public struct FileRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table name.
    public static let databaseTableName = "files"

    /// The row id, assigned on insert.
    public var id: Int64?
    /// The file's name as the user added it.
    public var name: String
    /// The file's size in bytes.
    public var size: Int64
    /// The root CID of the file's DAG, in canonical string form.
    public var rootCID: String
    /// When the file was added (stored with millisecond precision).
    public var addedAt: Date

    /// Creates a record not yet inserted.
    public init(id: Int64? = nil, name: String, size: Int64, rootCID: CID, addedAt: Date) {
        self.id = id
        self.name = name
        self.size = size
        self.rootCID = rootCID.description
        self.addedAt = addedAt
    }

    /// Records the row id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, name, size
        case rootCID = "root_cid"
        case addedAt = "added_at"
    }
}
