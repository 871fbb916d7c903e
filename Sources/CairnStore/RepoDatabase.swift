import CairnCore
import Foundation
import GRDB

/// The node's SQLite database (`repo/cairn.sqlite`) through GRDB: pins, the file index and the
/// download history, with versioned migrations.
///
/// The database runs in WAL mode with `synchronous = FULL`, so a call that returned has reached the
/// disk: an acknowledged pin survives power loss. Times are always passed in by the caller (the
/// node's injected clock); nothing here reads the system clock.
///
/// Thread safety: all access goes through one GRDB `DatabaseQueue`, which serialises it.
public final class RepoDatabase: Sendable {
    /// The database file name inside the repository directory.
    public static let fileName = "cairn.sqlite"

    /// The database file's path.
    public let path: String
    let queue: DatabaseQueue

    /// Opens `cairn.sqlite` in `repositoryDirectory`, creating and migrating it as needed.
    /// - Throws: `StoreError.database` when the file cannot be opened or migrated.
    public convenience init(repositoryDirectory: String) throws(StoreError) {
        try self.init(path: repositoryDirectory + "/" + Self.fileName)
    }

    /// Opens the database at `path`, creating and migrating it as needed.
    /// - Throws: `StoreError.database` when the file cannot be opened or migrated.
    public init(path: String) throws(StoreError) {
        self.path = path
        do {
            var configuration = Configuration()
            configuration.journalMode = .wal
            configuration.label = "cairn.repo"
            // The daemon and CLI commands share the file: wait for another process's write instead of failing.
            configuration.busyMode = .timeout(30)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            // GRDB sets synchronous = NORMAL with WAL; FULL also syncs the WAL on every commit.
            try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(queue)
            self.queue = queue
        } catch {
            throw .database(operation: "open \(path)", message: "\(error)")
        }
    }

    /// The identifiers of the migrations applied so far, oldest first.
    /// - Throws: `StoreError.database` when the database cannot be read.
    public func appliedMigrations() throws(StoreError) -> [String] {
        try read("list migrations") { try Self.migrator.appliedMigrations($0) }
    }

    /// The schema migrations, in order; identifiers never change once released.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-pins-files-downloads") { db in
            try db.create(table: "pins") { t in
                t.primaryKey("cid", .text)
                t.column("kind", .text).notNull().check(sql: "kind IN ('recursive', 'direct')")
                t.column("name", .text)
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "files") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("root_cid", .text).notNull().indexed()
                t.column("added_at", .datetime).notNull()
            }
            try db.create(table: "downloads") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("cid", .text).notNull()
                t.column("destination", .text).notNull()
                t.column("bytes", .integer).notNull()
                t.column("started_at", .datetime).notNull()
                t.column("finished_at", .datetime).notNull()
                t.column("outcome", .text).notNull()
            }
        }
        migrator.registerMigration("v2-known-peers") { db in
            try db.create(table: "known_peers") { t in
                t.primaryKey("peer_id", .text)
                t.column("addresses", .text).notNull()
                t.column("last_seen", .datetime).notNull()
            }
        }
        return migrator
    }

    /// Runs `body` in a write transaction, mapping failures to `StoreError`.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database(operation: operation, message: "\(error)")
        }
    }

    /// Runs `body` in a read transaction, mapping failures to `StoreError`.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database(operation: operation, message: "\(error)")
        }
    }
}
