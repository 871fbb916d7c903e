import CairnCore
import Foundation
import Synchronization

/// A batch of block writes into a `FileBlockStore`: each `write` puts the block in its own temp file
/// (`.tmp-<pid>-<batch>-<n>`) inside the block's shard directory; `commit` makes them durable and
/// visible; `abort` deletes them. Temp files start with a dot, so readers, GC and verify never see them.
///
/// Why temp files live in the shard directory rather than one staging directory: creating thousands
/// of files in one directory serialises every writer on that directory's lock, and a rename across
/// directories takes the file system's rename lock (measured here: 4,096 cross-directory renames
/// 0.42 s, same-directory 0.07 s). A marker file `.staging/<pid>-<batch>.active` exists while the
/// batch is open, so the store can find and delete the temp files of a process that crashed.
///
/// Large blocks are staged into aligned buffers and written with `O_DIRECT` by a few dedicated
/// threads (`BlockFileWriterQueue`); `commit` first waits for those writes and fails if any failed.
///
/// Concurrency: `write` may be called from several threads at once. Each call writes its own temp
/// file, named from an atomic counter, without holding any lock; only the list of pending temp files
/// (and the finished flag) is shared, and it lives in a `Mutex` held just long enough to append or to
/// take the whole list. So no two threads ever touch the same file or the same unprotected state.
/// `commit` and `abort` take the list and mark the batch finished atomically; a `write` that races
/// with them removes its own temp file and throws `StoreError.batchFinished`.
///
/// A batch that is dropped without `commit` or `abort` aborts itself.
public final class FileWriteBatch: BlockSink {
    /// One block written to staging, waiting for commit.
    struct Pending: Sendable {
        var temporaryPath: String
        var multihash: Multihash
    }

    private struct State: Sendable {
        var pending: [Pending] = []
        var isFinished = false
    }

    private let store: FileBlockStore
    private let serial: UInt64
    private let fileCounter = Atomic<UInt64>(0)
    private let state = Mutex(State())
    private let queue: BlockFileWriterQueue
    private let markerPath: String

    init(store: FileBlockStore, serial: UInt64) throws(StoreError) {
        self.store = store
        self.serial = serial
        self.markerPath = store.stagingDirectory + "/" + FileBlockStore.markerName(pid: getpid(), batch: serial)
        try SystemFile.createAndWrite(markerPath, contents: [])
        self.queue = BlockFileWriterQueue(writer: store.directWriter)
    }

    deinit {
        queue.stop()
        defer { _ = try? SystemFile.remove(markerPath) }
        let leftovers = state.withLock { state in
            defer { state.pending = []; state.isFinished = true }
            return state.pending
        }
        removeTemporaryFiles(leftovers)
    }

    /// The number of blocks written and not yet committed or aborted.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Writes the block to a new temp file with a `write(2)` loop (no fsync: `commit` syncs once).
    /// - Throws: `StoreError.io` naming the temp file and errno (for example `ENOSPC`); the partial
    ///   temp file is removed first. `StoreError.batchFinished` after `commit` or `abort`.
    public func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws {
        guard !state.withLock({ $0.isFinished }) else { throw StoreError.batchFinished }
        let number = fileCounter.add(1, ordering: .relaxed).newValue
        let shard = FileBlockStore.shardName(forFileName: FileBlockStore.fileName(for: cid.multihash))
        try ensureShardDirectory(shard)
        let path = store.directory + "/" + shard + "/" + FileBlockStore.temporaryPrefix(pid: getpid(), batch: serial) + "\(number)"
        if store.directWriter.prefersDirect(byteCount: bytes.count) {
            try queue.submit(path: path, bytes: bytes)  // Staged copy; the caller's memory is free again.
        } else {
            try SystemFile.createAndWrite(path, bytes: bytes)
        }
        let accepted = state.withLock { state in
            guard !state.isFinished else { return false }
            state.pending.append(Pending(temporaryPath: path, multihash: cid.multihash))
            return true
        }
        if !accepted {
            _ = try? SystemFile.remove(path)
            throw StoreError.batchFinished
        }
    }

    /// Syncs every written block with one `syncfs`, renames each into its shard directory (dropping
    /// temp files whose block is already stored), then syncs again so the renames survive power loss.
    /// - Throws: `StoreError.io` when syncing or renaming fails; blocks not yet renamed are deleted,
    ///   blocks already renamed stay (each is complete), so the store stays consistent.
    public func commit() throws {
        let pending = try takePending()
        defer { _ = try? SystemFile.remove(markerPath) }
        do {
            try queue.drain()
        } catch {
            queue.stop()
            removeTemporaryFiles(pending)
            throw error
        }
        queue.stop()
        guard !pending.isEmpty else { return }
        do {
            try syncBeforeRename(pending)
        } catch {
            removeTemporaryFiles(pending)
            throw error
        }
        var touchedShards: Set<String> = []
        for (index, block) in pending.enumerated() {
            do {
                try moveIntoPlace(block, touchedShards: &touchedShards)
            } catch {
                removeTemporaryFiles(pending[index...])
                throw error
            }
        }
        try syncAfterRename(touchedShards: touchedShards)
    }

    /// Deletes every temp file written by this batch; later writes throw `StoreError.batchFinished`.
    public func abort() {
        queue.stop()
        let pending = state.withLock { state in
            defer { state.pending = []; state.isFinished = true }
            return state.pending
        }
        removeTemporaryFiles(pending)
        _ = try? SystemFile.remove(markerPath)
    }

    /// Creates the shard directory the first time the store writes into it (shard directories are never
    /// removed, so one `mkdir` per shard per process suffices — not one per batch).
    private func ensureShardDirectory(_ shard: String) throws(StoreError) {
        guard !store.knownShards.withLock({ $0.contains(shard) }) else { return }
        try SystemFile.makeDirectory(store.directory + "/" + shard)
        store.knownShards.withLock { _ = $0.insert(shard) }
    }

    // MARK: Steps

    private func takePending() throws(StoreError) -> [Pending] {
        let taken: [Pending]? = state.withLock { state in
            guard !state.isFinished else { return nil }
            defer { state.pending = []; state.isFinished = true }
            return state.pending
        }
        guard let taken else { throw .batchFinished }
        return taken
    }

    private func moveIntoPlace(_ block: Pending, touchedShards: inout Set<String>) throws(StoreError) {
        let name = FileBlockStore.fileName(for: block.multihash)
        let shard = FileBlockStore.shardName(forFileName: name)
        touchedShards.insert(shard)
        let finalPath = store.directory + "/" + shard + "/" + name
        if try SystemFile.fileSize(finalPath) != nil {
            try SystemFile.remove(block.temporaryPath)  // Same multihash, same bytes: keep the stored copy.
        } else {
            try SystemFile.rename(block.temporaryPath, to: finalPath)
        }
    }

    private func syncBeforeRename(_ pending: [Pending]) throws(StoreError) {
        if store.durability == .syncFileSystem, try SystemFile.syncFileSystem(containing: store.stagingDirectory) {
            return
        }
        for block in pending { try SystemFile.fsyncPath(block.temporaryPath) }
    }

    private func syncAfterRename(touchedShards: Set<String>) throws(StoreError) {
        if store.durability == .syncFileSystem, try SystemFile.syncFileSystem(containing: store.directory) {
            return
        }
        for shard in touchedShards.sorted() { try SystemFile.fsyncPath(store.directory + "/" + shard) }
        try SystemFile.fsyncPath(store.directory)  // New shard directories are entries of the root.
        try SystemFile.fsyncPath(store.stagingDirectory)
    }

    private func removeTemporaryFiles(_ pending: some Sequence<Pending>) {
        for block in pending {
            do {
                try SystemFile.remove(block.temporaryPath)
            } catch {
                store.logger.warning(
                    "could not remove a staging file; it is removed when the store is next opened",
                    metadata: ["path": "\(block.temporaryPath)", "error": "\(error)"])
            }
        }
    }
}
