import CairnCore
import CairnDAG
import CairnStore
import Foundation

extension Repository {
    /// Pins `cid`: recursively (the whole DAG, which must be complete locally) or directly (the root block only).
    /// - Throws: `NodeError(.notFound)` naming the first missing block, `.corrupt` for a damaged one.
    public func pinAdd(_ cid: CID, recursive: Bool) async throws {
        try await withSharedLock {
            try mapErrors("pin \(cid)") {
                if recursive {
                    try walkDAG(from: cid) { _ in }
                } else {
                    _ = try blocks.get(cid)
                }
                try database.addPin(cid, kind: recursive ? .recursive : .direct, name: nil, at: now())
            }
        }
    }

    /// Removes the pin on `cid`; its blocks stay until the next garbage collection.
    /// - Throws: `NodeError(.notFound)` when `cid` is not pinned.
    public func pinRemove(_ cid: CID) throws {
        try mapErrors("unpin") { try database.removePin(cid) }
    }

    /// Every pin, oldest first.
    public func pins() throws -> [PinInfo] {
        try mapErrors("pin ls") {
            try database.pins().map { record in
                PinInfo(cid: try record.parsedCID(), type: record.kind.rawValue, name: record.name)
            }
        }
    }

    /// Deletes every block no pin reaches. Waits for adds and imports in progress (they hold the
    /// repository lock shared) and aborts without deleting anything if a pinned DAG is damaged.
    public func collectGarbage() async throws -> GCReport {
        try await withExclusiveLock {
            try mapErrors("gc") {
                let collector = GarbageCollector(store: blocks, linkExtractor: { try CairnDAG.links(of: $0) })
                let summary = try collector.collect(pinnedIn: database)
                return GCReport(removedBlocks: summary.removedBlockCount, removedBytes: summary.removedByteCount,
                                keptBlocks: summary.markedBlockCount)
            }
        }
    }

    /// Re-hashes every stored block and lists the ones that fail.
    /// - Parameter progress: called with the number of bytes just checked.
    public func verify(progress: (Int64) -> Void) throws -> VerifyReport {
        var lastBytes = 0
        var checkedBlocks = 0
        var checkedBytes = 0
        let bad = try mapErrors("verify") {
            try blocks.verify { update in
                progress(Int64(update.checkedByteCount - lastBytes))
                lastBytes = update.checkedByteCount
                checkedBlocks = update.checkedBlockCount
                checkedBytes = update.checkedByteCount
            }
        }
        return VerifyReport(
            checkedBlocks: checkedBlocks, checkedBytes: checkedBytes,
            corrupt: bad.map { CorruptBlock(cid: $0.cid?.description ?? "-", path: $0.path, reason: $0.reason) }
        )
    }

    /// Counts blocks, bytes, pins and indexed files.
    public func stat() throws -> RepoStat {
        try mapErrors("stat") {
            let store = try blocks.stat()
            let pins = try database.pins()
            return RepoStat(
                path: path, blocks: store.blockCount, bytes: store.totalByteCount,
                recursivePins: pins.filter { $0.kind == .recursive }.count,
                directPins: pins.filter { $0.kind == .direct }.count,
                files: try database.files().count
            )
        }
    }
}
