#if canImport(Glibc)
import Glibc
#endif
import CairnCore
import CairnCrypto
import CairnDAG
import CairnStore
import Foundation

/// A Cairn repository on disk: the sharded blockstore, the SQLite database and the lock that keeps
/// garbage collection away from adds in progress, under one directory.
///
/// Layout: `config.json` (format version, creation time), `identity.key` (the node's Ed25519 key,
/// mode 0600), `blocks/` (flatfs `next-to-last/2`), `cairn.sqlite` (pins, file index, download
/// history), `repo.lock`.
/// All methods may be called from any task; concurrency between processes is handled by `RepoLock`.
public final class Repository: Sendable {
    /// The on-disk format version this build reads and writes.
    public static let formatVersion = 1

    /// The repository directory.
    public let path: String
    /// The block store under `blocks/`.
    public let blocks: FileBlockStore
    /// The node database.
    public let database: RepoDatabase
    /// The clock used to timestamp pins, files and downloads.
    let now: @Sendable () -> Date

    /// The repository directory from `$CAIRN_PATH`, or `~/.cairn`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let explicit = environment["CAIRN_PATH"], !explicit.isEmpty { return explicit }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".cairn")
    }

    private init(path: String, blocks: FileBlockStore, database: RepoDatabase, now: @escaping @Sendable () -> Date) {
        self.path = path
        self.blocks = blocks
        self.database = database
        self.now = now
    }

    /// Creates a new repository at `path`.
    /// - Throws: `NodeError(.repository)` when one already exists there or the directory cannot be created.
    public static func initialize(at path: String, now: Date) throws -> InitReport {
        let fm = FileManager.default
        let configPath = (path as NSString).appendingPathComponent("config.json")
        if fm.fileExists(atPath: configPath) {
            throw NodeError(.repository, "a Cairn repository already exists at \(path); use it, or choose another --repo")
        }
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            let config = RepositoryConfig(version: formatVersion, created: now, blockstore: "flatfs next-to-last/2",
                                          network: .defaults)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            _ = try Repository(openingComponentsAt: path, now: { now })
            let keyPath = (path as NSString).appendingPathComponent(identityFileName)
            if !fm.fileExists(atPath: keyPath) {
                try KeyFile.save(PrivateKey.generateEd25519(), to: keyPath)
            }
            // The config is written last: a repository without it is an unfinished `init` and can be re-run.
            try writeDurably(try encoder.encode(config), to: configPath)
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError(.repository, "cannot create a repository at \(path): \(error)", cause: error)
        }
        return InitReport(path: path, version: formatVersion)
    }

    /// Opens an existing repository.
    /// - Throws: `NodeError(.repository)` when there is none at `path` or it has an unknown format.
    public static func open(at path: String, now: @escaping @Sendable () -> Date = { Date() }) throws -> Repository {
        let configPath = (path as NSString).appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw NodeError(.repository, "no Cairn repository at \(path); run `cairn init` (or pass --repo DIR / set CAIRN_PATH)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let config = try? decoder.decode(RepositoryConfig.self, from: data) else {
            throw NodeError(.repository, "\(configPath) is not a valid Cairn config; restore it from a backup or re-run `cairn init` elsewhere")
        }
        guard config.version == formatVersion else {
            throw NodeError(.repository, "repository \(path) has format version \(config.version); this cairn reads version \(formatVersion)")
        }
        return try Repository(openingComponentsAt: path, now: now)
    }

    private convenience init(openingComponentsAt path: String, now: @escaping @Sendable () -> Date) throws {
        do {
            let blocks = try FileBlockStore(directory: (path as NSString).appendingPathComponent("blocks"))
            let database = try RepoDatabase(repositoryDirectory: path)
            self.init(path: path, blocks: blocks, database: database, now: now)
        } catch {
            throw NodeError(.repository, "cannot open the repository at \(path): \(error)", cause: error)
        }
    }

    /// The file holding the node's private key.
    static let identityFileName = "identity.key"

    /// The node's identity key (Ed25519), created by `init`.
    /// - Throws: `NodeError(.repository)` when the key file is missing, unreadable or too widely readable.
    public func identity() throws -> PrivateKey {
        let keyPath = (path as NSString).appendingPathComponent(Self.identityFileName)
        do {
            return try KeyFile.load(from: keyPath)
        } catch {
            throw NodeError(.repository, "cannot load the node identity from \(keyPath): \(error)", cause: error)
        }
    }

    /// The lock file shared by every process using this repository.
    var lockPath: String { (path as NSString).appendingPathComponent("repo.lock") }

    /// Runs `body` holding the repository lock shared (adds, imports, pins, network fetches): garbage
    /// collection waits until it returns.
    public func withSharedLock<T>(_ body: () async throws -> T) async throws -> T {
        let lock = try RepoLock(path: lockPath)
        try lock.lockShared()
        defer { lock.unlock() }
        return try await body()
    }

    /// Runs `body` holding the repository lock exclusively (garbage collection).
    func withExclusiveLock<T>(_ body: () async throws -> T) async throws -> T {
        let lock = try RepoLock(path: lockPath)
        try lock.lockExclusive()
        defer { lock.unlock() }
        return try await body()
    }
}

/// Writes `data` to a temporary file beside `path`, syncs it and renames it into place, so `path` is
/// either absent or complete after a crash. (Foundation's `.atomic` option leaves a stray directory in
/// /tmp on every call on Linux, so it is not used.)
func writeDurably(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
    let temporary = path + ".partial"
    let file = try OutputFile(path: temporary, mode: mode)
    do {
        try data.withUnsafeBytes { try file.write($0) }
        try file.close()
    } catch {
        unlink(temporary)
        throw error
    }
    try moveIntoPlace(temporary, path, failure: .repository)
}

/// Renames the finished, synced file `temporary` to `path` and syncs the directory, so `path` is either
/// absent or complete after a crash; on failure `temporary` is removed.
func moveIntoPlace(_ temporary: String, _ path: String, failure code: NodeError.Code) throws {
    guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw NodeError(code, "cannot create \(path): \(reason)")
    }
    let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
    if directory >= 0 {
        fsync(directory)
        close(directory)
    }
}

/// The repository's `config.json`.
struct RepositoryConfig: Codable {
    var version: Int
    var created: Date
    var blockstore: String
    /// Absent in repositories made before networking; `NetworkConfig.defaults` then applies.
    var network: NetworkConfig?
    var storage: StorageConfig?
}

extension Repository {
    static func readConfig(at path: String) throws -> RepositoryConfig {
        let configPath = (path as NSString).appendingPathComponent("config.json")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = FileManager.default.contents(atPath: configPath),
              let config = try? decoder.decode(RepositoryConfig.self, from: data) else {
            throw NodeError(.repository, "\(configPath) is missing or not a valid Cairn config")
        }
        return config
    }

    static func writeConfig(_ config: RepositoryConfig, at path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            try writeDurably(try encoder.encode(config), to: (path as NSString).appendingPathComponent("config.json"))
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError(.repository, "cannot write the config of \(path): \(error)", cause: error)
        }
    }
}
