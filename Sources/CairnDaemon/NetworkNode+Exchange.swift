import CairnCore
import CairnExchange
import CairnNode
import CairnStore
import Foundation

extension NetworkNode {
    /// The DHT, Bitswap and fetch methods of the control API.
    nonisolated func handleExchangeControl(method: String, request: Data, progress: ControlProgressSink) async throws -> Data {
        switch method {
        case "fetch":
            let params = try decode(FetchParams.self, request)
            return try encode(try await fetch(params.path, timeout: .seconds(max(1, params.timeoutSeconds)), progress: progress))
        case "announce":
            let params = try decode(CIDsParams.self, request)
            return try encode(try await announce(params.cids))
        case "bitswap.stat":
            return try encode(await bitswapStat())
        default:
            return try await handleDHTControl(method: method, request: request, progress: progress)
        }
    }

    /// Makes the whole DAG under `path` (`CID` or `CID/sub/path`) local: blocks already stored are read, the
    /// rest come from peers over Bitswap (providers found through the DHT), verified and stored in batches.
    /// - Throws: `NodeError(.network)` when the content cannot be found in time, `.invalidInput` for a bad path.
    public nonisolated func fetch(_ path: String, timeout: Duration, progress: ControlProgressSink?) async throws -> FetchProgress {
        let root = try Repository.parseContentPath(path).root
        return try await repository.withSharedLock {
            try await withThrowingTaskGroup(of: FetchProgress?.self) { group in
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw NodeError(.network, "fetching \(path) did not finish within \(timeout); are peers that have it reachable?")
                }
                group.addTask { await self.searchProviders(for: root); return nil }
                group.addTask { try await self.fetchDAG(path: path, root: root, progress: progress) }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw NodeError(.failed, "fetch of \(path) ended without a result")
            }
        }
    }

    private nonisolated func fetchDAG(path: String, root: CID, progress: ControlProgressSink?) async throws -> FetchProgress {
        let bitswap = self.bitswap
        let writer = FetchedBlockWriter(blocks: repository.blocks) { cids in await bitswap.notifyNewBlocks(cids) }
        let counter = FetchCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Progress lines at most every 100 ms, until the fetch below ends.
                var last = FetchProgress(blocks: -1, bytes: 0, peers: 0)
                while !Task.isCancelled {
                    let now = counter.snapshot
                    if now != last, let progress { await progress.send(now) }
                    last = now
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { group.cancelAll() }
            do {
                // Resolve a sub-path through the network-backed source, then fetch the DAG it names.
                let target = try await resolve(path, root: root)
                _ = try await DAGFetcher(source: bitswap).fetch(root: target, write: { block in
                    if try await writer.write(block) { counter.add(bytes: block.data.count) }
                })
                try await writer.flush()
            } catch {
                await writer.abort()
                throw NodeError.wrapping(error, context: "fetch \(path)")
            }
        }
        let result = counter.snapshot
        if let progress { await progress.send(result) }
        await afterFetch(root)
        return FetchProgress(blocks: result.blocks, bytes: result.bytes, peers: await bitswapPeerCount())
    }

    /// The CID a path names, fetching the directory blocks along it.
    private nonisolated func resolve(_ path: String, root: CID) async throws -> CID {
        guard !(try Repository.parseContentPath(path).components.isEmpty) else { return root }
        return try await repository.resolve(path, using: StoringBlockSource(bitswap: bitswap, blocks: repository.blocks))
    }

    /// Serves freshly added roots to peers that want them and announces them on the DHT.
    public func announce(_ cidTexts: [String]) async throws -> ProvideReport {
        let cids = try cidTexts.map(Self.parseCID)
        await bitswap.notifyNewBlocks(cids)
        return await provide(cids)
    }

    /// `bitswap stat`.
    public func bitswapStat() async -> BitswapStatReport {
        let stats = await bitswap.stats()
        return BitswapStatReport(BlocksReceived: stats.blocksReceived, DataReceived: stats.dataReceived,
                                 BlocksSent: stats.blocksSent, DataSent: stats.dataSent,
                                 DupBlksReceived: stats.duplicateBlocksReceived, DupDataReceived: stats.duplicateDataReceived,
                                 UnwantedBlocksReceived: stats.unwantedBlocksReceived,
                                 Wantlist: stats.wantlist.map(\.description), Peers: stats.peers.map(\.description))
    }

    private func bitswapPeerCount() async -> Int {
        await bitswap.stats().sessionPeers.count
    }
}

/// Counts fetched blocks and bytes from the write callback for progress lines.
final class FetchCounter: @unchecked Sendable {
    // @unchecked Sendable: the counts are guarded by `lock`.
    private let lock = NSLock()
    private var blocks = 0
    private var bytes: UInt64 = 0

    func add(bytes count: Int) {
        lock.withLock {
            blocks += 1
            bytes += UInt64(count)
        }
    }

    var snapshot: FetchProgress {
        lock.withLock { FetchProgress(blocks: blocks, bytes: bytes, peers: 0) }
    }
}

/// A block source that fetches through Bitswap and stores what it fetched (used to resolve paths).
struct StoringBlockSource: BlockSource {
    let bitswap: BitswapService
    let blocks: FileBlockStore

    func block(_ cid: CID) async throws -> Block {
        let block = try await bitswap.block(cid)
        try blocks.put(block)
        return block
    }
}
