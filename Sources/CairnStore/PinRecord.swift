import CairnCore
import Foundation
import GRDB

/// How much of a DAG a pin protects from garbage collection.
public enum PinKind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// The root and every block reachable from it.
    case recursive
    /// The root block only.
    case direct
}

/// One row of the `pins` table: a CID protected from garbage collection.
public struct PinRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table name.
    public static let databaseTableName = "pins"

    /// The pinned CID in its canonical string form (base58btc CIDv0, base32 CIDv1); the primary key.
    public var cid: String
    /// Recursive or direct.
    public var kind: PinKind
    /// An optional label chosen by the user.
    public var name: String?
    /// When the pin was first made (stored with millisecond precision).
    public var createdAt: Date

    /// Creates a record for `cid`.
    public init(cid: CID, kind: PinKind, name: String?, createdAt: Date) {
        self.cid = cid.description
        self.kind = kind
        self.name = name
        self.createdAt = createdAt
    }

    /// The pinned CID, parsed.
    /// - Throws: `StoreError.invalidRecord` when the stored string is not a CID.
    public func parsedCID() throws(StoreError) -> CID {
        do {
            return try CID(cid)
        } catch {
            throw .invalidRecord(table: Self.databaseTableName, reason: "\"\(cid)\" is not a CID: \(error)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case cid, kind, name
        case createdAt = "created_at"
    }
}
