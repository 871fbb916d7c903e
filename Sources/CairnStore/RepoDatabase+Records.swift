import CairnCore
import Foundation
import GRDB

extension RepoDatabase {
    // MARK: Pins

    /// Pins `cid`: inserts a pin, or updates the kind and name of an existing one (keeping its
    /// creation time). Returns the stored record. Durable when it returns.
    /// - Throws: `StoreError.database` when the write fails.
    @discardableResult
    public func addPin(_ cid: CID, kind: PinKind, name: String? = nil, at time: Date) throws(StoreError) -> PinRecord {
        try write("add pin \(cid)") { db in
            if var existing = try PinRecord.fetchOne(db, key: cid.description) {
                existing.kind = kind
                existing.name = name
                try existing.update(db)
                return existing
            }
            let record = PinRecord(cid: cid, kind: kind, name: name, createdAt: time)
            try record.insert(db)
            return record
        }
    }

    /// Removes the pin on `cid` and returns what it was.
    /// - Throws: `StoreError.notPinned` when `cid` is not pinned, `.database` when the write fails.
    @discardableResult
    public func removePin(_ cid: CID) throws(StoreError) -> PinRecord {
        try write("remove pin \(cid)") { db in
            guard let existing = try PinRecord.fetchOne(db, key: cid.description) else {
                throw StoreError.notPinned(cid: cid)
            }
            try existing.delete(db)
            return existing
        }
    }

    /// The pin on `cid`, or nil when it is not pinned.
    /// - Throws: `StoreError.database` when the read fails.
    public func pin(for cid: CID) throws(StoreError) -> PinRecord? {
        try read("read pin \(cid)") { try PinRecord.fetchOne($0, key: cid.description) }
    }

    /// Every pin, or only those of `kind`, oldest first.
    /// - Throws: `StoreError.database` when the read fails.
    public func pins(kind: PinKind? = nil) throws(StoreError) -> [PinRecord] {
        try read("list pins") { db in
            var request = PinRecord.order(Column("created_at"), Column("cid"))
            if let kind { request = request.filter(Column("kind") == kind.rawValue) }
            return try request.fetchAll(db)
        }
    }

    // MARK: File index

    /// Adds a file to the index and returns the stored record with its id.
    /// - Throws: `StoreError.database` when the write fails.
    @discardableResult
    public func recordFile(name: String, size: Int64, rootCID: CID, addedAt: Date) throws(StoreError) -> FileRecord {
        try write("record file \(name)") { db in
            var record = FileRecord(name: name, size: size, rootCID: rootCID, addedAt: addedAt)
            try record.insert(db)
            return record
        }
    }

    /// Every indexed file, in the order added.
    /// - Throws: `StoreError.database` when the read fails.
    public func files() throws(StoreError) -> [FileRecord] {
        try read("list files") { try FileRecord.order(Column("id")).fetchAll($0) }
    }

    /// The indexed files whose DAG root is `rootCID`, in the order added.
    /// - Throws: `StoreError.database` when the read fails.
    public func files(rootCID: CID) throws(StoreError) -> [FileRecord] {
        try read("list files of \(rootCID)") { db in
            try FileRecord.filter(Column("root_cid") == rootCID.description).order(Column("id")).fetchAll(db)
        }
    }

    // MARK: Download history

    /// Appends a download to the history and returns the stored record with its id.
    /// - Throws: `StoreError.database` when the write fails.
    @discardableResult
    public func recordDownload(
        cid: CID, destination: String, bytes: Int64,
        startedAt: Date, finishedAt: Date, outcome: String
    ) throws(StoreError) -> DownloadRecord {
        try write("record download \(cid)") { db in
            var record = DownloadRecord(
                cid: cid, destination: destination, bytes: bytes,
                startedAt: startedAt, finishedAt: finishedAt, outcome: outcome)
            try record.insert(db)
            return record
        }
    }

    /// The most recent downloads, newest first, at most `limit` (which must be positive).
    /// - Throws: `StoreError.database` when the read fails.
    public func downloads(limit: Int = 100) throws(StoreError) -> [DownloadRecord] {
        try read("list downloads") { db in
            try DownloadRecord.order(Column("id").desc).limit(max(limit, 0)).fetchAll(db)
        }
    }
}
