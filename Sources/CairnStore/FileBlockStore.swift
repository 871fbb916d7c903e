import CairnCore
import Foundation
import Logging
import Synchronization

/// A blockstore of one file per block in a sharded directory, laid out like kubo's flatfs
/// `next-to-last/2` (see `docs/specs/repository.md`).
///
/// ```
/// blocks/SHARDING                 "/repo/flatfs/shard/v1/next-to-last/2\n"
/// blocks/<XY>/<NAME>.data         NAME = RFC 4648 base32, upper case, unpadded, of the multihash bytes;
///                                 XY   = the two characters of NAME before its last character
/// blocks/.staging/<pid>-<batch>-<n>.tmp   blocks written by a batch that has not committed yet
/// ```
///
/// Crash safety without one fsync per block: a write batch puts each block in a temp file in
/// `.staging` (same file system), then `commit()` flushes them all with one `syncfs(2)`, renames each
/// into its shard directory, and makes the renames durable with a second `syncfs(2)`. After a crash a
/// block file is therefore either absent or complete; leftover staging files are deleted on open.
///
/// Thread safety: the store holds no mutable state except an atomic batch counter; every call works
/// on its own file descriptors, so the class is `Sendable` and may be used from any thread.
public final class FileBlockStore: BlockStore {
    /// How `commit()` makes written blocks durable.
    public enum Durability: Sendable, Equatable {
        /// One `syncfs(2)` before and one after the renames (Linux); falls back to `.fsyncEachFile`
        /// where `syncfs` is unavailable.
        case syncFileSystem
        /// `fsync(2)` each temp file, then each touched directory: portable but slow for many blocks.
        case fsyncEachFile
    }

    /// The sharding scheme written to `SHARDING`, identical to kubo's so the layout is recognisable.
    public static let shardingDescriptor = "/repo/flatfs/shard/v1/next-to-last/2\n"
    /// The name of the staging directory inside the blocks directory.
    public static let stagingDirectoryName = ".staging"
    /// The file name suffix of block files.
    public static let blockFileSuffix = ".data"

    /// The blocks directory (`repo/blocks`).
    public let directory: String
    /// The staging directory for uncommitted batch writes (`repo/blocks/.staging`).
    public let stagingDirectory: String
    /// How commits make blocks durable.
    public let durability: Durability
    let logger: Logger
    /// Writes large blocks with `O_DIRECT` from reused aligned buffers (see `DirectWriter`).
    let directWriter = DirectWriter()
    private let batchCounter = Atomic<UInt64>(0)
    /// Shard directories known to exist (created or seen by this process).
    let knownShards = Mutex<Set<String>>([])

    /// Opens (creating if needed) the blockstore in `directory` and deletes staging files left by
    /// processes that are no longer running.
    /// - Throws: `StoreError.io` when the directory cannot be created or read,
    ///   `.invalidRecord` when `SHARDING` names a different layout.
    public init(
        directory: String,
        durability: Durability = .syncFileSystem,
        logger: Logger = Logger(label: "cairn.store.blocks")
    ) throws(StoreError) {
        self.directory = directory
        self.stagingDirectory = directory + "/" + Self.stagingDirectoryName
        self.durability = durability
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(operation: "mkdir", path: directory, errno: Self.errnoOf(error))
        }
        try SystemFile.makeDirectory(stagingDirectory)
        try checkShardingDescriptor()
        try removeStagingLeftovers()
    }

    // MARK: Layout

    /// The file name of the block with this multihash: base32 upper-case of its bytes plus `.data`.
    public static func fileName(for multihash: Multihash) -> String {
        Multibase.base32Upper.encodeWithoutPrefix(multihash.bytes) + blockFileSuffix
    }

    /// The shard directory name for a block file name: the two characters before the last one of
    /// the key (the name without `.data`), padded with `_` for keys shorter than three characters.
    public static func shardName(forFileName fileName: String) -> String {
        let key = Array(fileName.utf8.dropLast(blockFileSuffix.utf8.count))
        let padded = key.count >= 3 ? key : [UInt8](repeating: UInt8(ascii: "_"), count: 3 - key.count) + key
        return String(decoding: padded[(padded.count - 3)..<(padded.count - 1)], as: UTF8.self)
    }

    /// The path of the file holding the block with this multihash.
    public func path(for multihash: Multihash) -> String {
        let name = Self.fileName(for: multihash)
        return directory + "/" + Self.shardName(forFileName: name) + "/" + name
    }

    /// The multihash a block file name stands for, or nil when the name is not one.
    public static func multihash(fromFileName fileName: String) -> Multihash? {
        guard fileName.hasSuffix(blockFileSuffix) else { return nil }
        let key = fileName.dropLast(blockFileSuffix.count)
        guard let bytes = try? Multibase.base32Upper.decodeWithoutPrefix(key) else { return nil }
        return try? Multihash(bytes: bytes)
    }

    // MARK: BlockStore

    /// Whether the block file exists (its bytes are not checked).
    public func has(_ multihash: Multihash) throws(StoreError) -> Bool {
        try SystemFile.fileSize(path(for: multihash)) != nil
    }

    /// Reads and re-hashes the block; throws `.corruptBlock(cid:path:)` when it does not match.
    public func get(_ cid: CID) throws(StoreError) -> Block {
        let path = path(for: cid.multihash)
        guard let bytes = try SystemFile.readAll(path) else { throw .blockNotFound(cid: cid) }
        do {
            return try Block(cid: cid, data: bytes)
        } catch {
            switch error {
            case .hashMismatch: throw .corruptBlock(cid: cid, path: path)
            case .unverifiable(_, let reason): throw .unverifiableBlock(cid: cid, reason: reason)
            }
        }
    }

    /// The stored size in bytes, or nil when the block is not stored.
    public func size(of multihash: Multihash) throws(StoreError) -> Int? {
        try SystemFile.fileSize(path(for: multihash))
    }

    /// Removes the block's file. The removal is not fsynced: a block that reappears after a crash
    /// is harmless and the next garbage collection removes it again.
    @discardableResult
    public func delete(_ multihash: Multihash) throws(StoreError) -> Int? {
        let path = path(for: multihash)
        guard let size = try SystemFile.fileSize(path) else { return nil }
        return try SystemFile.remove(path) ? size : nil
    }

    /// Calls `body` for each stored multihash (unparsable file names are skipped; `verify` reports them).
    public func forEachMultihash(_ body: (Multihash) throws -> Void) throws {
        try forEachBlockFile { _, name, _ in
            if let multihash = Self.multihash(fromFileName: name) { try body(multihash) }
        }
    }

    /// Counts blocks and bytes by walking the shard directories.
    public func stat() throws(StoreError) -> BlockStoreStat {
        var result = BlockStoreStat(blockCount: 0, totalByteCount: 0)
        do {
            try forEachBlockFile { _, name, path in
                guard Self.multihash(fromFileName: name) != nil, let size = try SystemFile.fileSize(path) else { return }
                result.blockCount += 1
                result.totalByteCount += size
            }
        } catch let error as StoreError {
            throw error
        } catch {
            preconditionFailure("the stat walker throws only StoreError: \(error)")
        }
        return result
    }

    /// Starts a new, empty write batch.
    public func makeWriteBatch() throws(StoreError) -> FileWriteBatch {
        try FileWriteBatch(store: self, serial: batchCounter.add(1, ordering: .relaxed).newValue)
    }

    /// The name of the marker file that exists in the staging directory while a batch is open.
    static func markerName(pid: pid_t, batch: UInt64) -> String { "\(pid)-\(batch).active" }

    /// The name prefix of a batch's temp files inside shard directories.
    static func temporaryPrefix(pid: pid_t, batch: UInt64) -> String { ".tmp-\(pid)-\(batch)-" }

    /// Paths of uncommitted temp files in the shard directories (diagnostics and tests).
    public func temporaryFilePaths() throws(StoreError) -> [String] {
        var paths: [String] = []
        for shard in try SystemFile.list(directory) ?? [] where shard.isDirectory && !shard.name.hasPrefix(".") {
            let shardPath = directory + "/" + shard.name
            for file in try SystemFile.list(shardPath) ?? [] where file.name.hasPrefix(".tmp-") {
                paths.append(shardPath + "/" + file.name)
            }
        }
        return paths
    }

    // MARK: Walking

    /// Calls `body(shard, fileName, path)` for every file in every shard directory (dot-files and the
    /// staging directory excluded).
    func forEachBlockFile(_ body: (String, String, String) throws -> Void) throws {
        for shard in try SystemFile.list(directory) ?? [] where shard.isDirectory && !shard.name.hasPrefix(".") {
            let shardPath = directory + "/" + shard.name
            for file in try SystemFile.list(shardPath) ?? [] where !file.isDirectory && !file.name.hasPrefix(".") {
                try body(shard.name, file.name, shardPath + "/" + file.name)
            }
        }
    }

    // MARK: Opening

    private func checkShardingDescriptor() throws(StoreError) {
        let path = directory + "/SHARDING"
        if let existing = try SystemFile.readAll(path) {
            let text = String(decoding: existing, as: UTF8.self)
            guard text == Self.shardingDescriptor else {
                throw .invalidRecord(table: path, reason: "unsupported blockstore sharding \"\(text)\"")
            }
            return
        }
        try SystemFile.createAndWrite(path, contents: Array(Self.shardingDescriptor.utf8))
    }

    /// Deletes staging files whose writing process is gone (or whose name names no process); another
    /// live process's uncommitted batch is left alone. Files carrying this process's own id are from an
    /// earlier process that had the same id (common for pid 1 in containers) and are removed, so open
    /// one `FileBlockStore` per directory per process.
    private func removeStagingLeftovers() throws(StoreError) {
        var deadEntries: [String] = []
        var crashedPrefixes: [String] = []
        for entry in try SystemFile.list(stagingDirectory) ?? [] where !entry.isDirectory {
            if let pid = Self.writerProcess(ofStagingName: entry.name), Self.isRunning(pid) { continue }
            deadEntries.append(entry.name)
            if entry.name.hasSuffix(".active") {
                // "<pid>-<batch>.active": that batch's temp files are ".tmp-<pid>-<batch>-*" in the shards.
                crashedPrefixes.append(".tmp-" + entry.name.dropLast(".active".count) + "-")
            }
        }
        var removed = 0
        // Temp files first, markers last: a crash during cleanup leaves the marker to finish the job.
        if !crashedPrefixes.isEmpty {
            for path in try temporaryFilePaths() {
                let name = path.split(separator: "/").last.map(String.init) ?? ""
                if crashedPrefixes.contains(where: { name.hasPrefix($0) }), try SystemFile.remove(path) { removed += 1 }
            }
        }
        for name in deadEntries where try SystemFile.remove(stagingDirectory + "/" + name) { removed += 1 }
        if removed > 0 {
            logger.notice("removed staging files left by an interrupted write", metadata: ["count": "\(removed)"])
        }
    }

    /// The process id encoded in a staging file name (`<pid>-<batch>.active`).
    static func writerProcess(ofStagingName name: String) -> pid_t? {
        guard let dash = name.firstIndex(of: "-") else { return nil }
        return pid_t(name[..<dash])
    }

    private static func isRunning(_ pid: pid_t) -> Bool {
        if pid == getpid() { return false }
        return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    private static func errnoOf(_ error: any Error) -> Int32 {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nsError.domain == NSPOSIXErrorDomain ? Int32(nsError.code) : EIO
    }
}
