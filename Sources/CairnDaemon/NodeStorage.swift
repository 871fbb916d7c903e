#if canImport(Glibc)
import Glibc
#endif
import CairnCore
import CairnCrypto
import CairnNode
import CairnStorage
import CairnStore
import Foundation
import Logging

/// A provider's share store: a sharded blockstore of its own (`<repo>/shares`), outside the
/// repository's pins and garbage collection — contracts alone decide what it keeps.
struct FileShareStore: ProviderShareStore {
    let blocks: FileBlockStore

    func read(_ cid: CID) throws -> [UInt8]? {
        // Served as stored: readers and auditors check every byte against the share's root.
        guard let data = FileManager.default.contents(atPath: blocks.path(for: cid.multihash)) else { return nil }
        return Array(data)
    }

    func write(_ cid: CID, bytes: [UInt8]) throws {
        let batch = try blocks.makeWriteBatch()
        do {
            try bytes.withUnsafeBytes { try batch.write(cid, bytes: $0) }
            try batch.commit()
        } catch {
            batch.abort()
            throw error
        }
    }

    func delete(_ cid: CID) throws {
        _ = try blocks.delete(cid)
    }

    func availableDiskByteCount() -> Int64? {
        var info = statvfs()
        guard statvfs(blocks.directory, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}

/// The storage market parts of a node: its storage database, the owner engine every node runs, and the
/// provider engine when the node offers space.
public final class NodeStorage: Sendable {
    /// `storage.sqlite`.
    public let database: StorageDatabase
    /// Places, audits, repairs and reads files.
    public let owner: StorageOwner
    /// Serves contracts and shares when this node is a provider.
    public let provider: ProviderEngine?
    /// The owner configuration in use.
    public let configuration: OwnerConfiguration

    /// The DHT key providers announce themselves under.
    public static let rendezvous = CID(v1: .raw, Multihash.sha256(Array("cairn/storage/providers/v1".utf8)))

    init(repository: Repository, key: PrivateKey, environment: OwnerEnvironment, logger: Logger) throws {
        let config = try repository.storageConfig()
        do {
            database = try StorageDatabase(path: (repository.path as NSString).appendingPathComponent(StorageDatabase.fileName))
        } catch {
            throw NodeError(.repository, "\(error)")
        }
        var configuration: OwnerConfiguration = config.profile == "devnet" ? .devnet : .standard
        if let seconds = config.auditIntervalSeconds, seconds > 0 { configuration.auditInterval = .milliseconds(Int64(seconds * 1000)) }
        if let seconds = config.checkIntervalSeconds, seconds > 0 { configuration.checkInterval = .milliseconds(Int64(seconds * 1000)) }
        if let days = config.contractDays, days > 0 { configuration.contractDuration = days * 86_400 }
        self.configuration = configuration
        owner = StorageOwner(key: key, configuration: configuration, database: database, environment: environment, logger: logger)
        if let bytes = config.provideBytes, bytes > 0 {
            // Shares arrive one per request, each durable before it is acknowledged: one fsync of the file
            // and of its directory, not two `syncfs(2)` of the whole file system per share.
            let blocks = try FileBlockStore(directory: (repository.path as NSString).appendingPathComponent("shares"),
                                            durability: .fsyncEachFile)
            provider = ProviderEngine(key: key, configuration: ProviderConfiguration(capacityByteCount: UInt64(bytes),
                                                                                     pricePerGiBMonth: UInt64(max(0, config.pricePerGiBMonth))),
                                      database: database, store: FileShareStore(blocks: blocks), now: { Date() }, logger: logger)
        } else {
            provider = nil
        }
    }
}
