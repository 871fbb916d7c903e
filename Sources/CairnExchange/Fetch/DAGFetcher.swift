import CairnCore
import CairnDAG

/// Fetches a whole DAG (dag-pb nodes and raw leaves) below a root from a `BlockSource` — normally a
/// `BitswapService` — with a bounded window of outstanding blocks, in depth-first order.
///
/// Blocks are requested in depth-first (file) order, so the beginning of a file arrives first and `cat` can
/// stream while the rest is fetched; up to `windowSize` blocks are requested ahead. Each block is handed to
/// `write` as it arrives (in arrival order), after the source verified it, then its links are queued. A CID
/// linked twice is fetched once.
public struct DAGFetcher: Sendable {
    /// Blocks and bytes fetched so far.
    public struct Progress: Sendable, Equatable {
        /// Blocks written.
        public var blockCount: Int
        /// Bytes of blocks written.
        public var byteCount: Int

        /// Creates a progress value.
        public init(blockCount: Int = 0, byteCount: Int = 0) {
            self.blockCount = blockCount
            self.byteCount = byteCount
        }
    }

    /// Where blocks come from (verified by the source).
    public let source: any BlockSource
    /// The most blocks requested at once.
    ///
    /// 256 keeps eight peers at 32 blocks in flight each; more only grows the wantlist we send.
    public let windowSize: Int
    /// The most blocks one DAG may have; a larger one fails with `.dagTooLarge`.
    public let maximumBlockCount: Int

    /// Creates a fetcher.
    public init(source: any BlockSource, windowSize: Int = 256, maximumBlockCount: Int = DAGWalker.maximumBlockCount) {
        precondition(windowSize >= 1, "the window must admit one block")
        self.source = source
        self.windowSize = windowSize
        self.maximumBlockCount = maximumBlockCount
    }

    /// A block to fetch, placed in depth-first order by its path of link indexes from the root.
    private struct Pending: Sendable {
        var path: [Int]
        var cid: CID
    }

    /// Fetches every block of the DAG below `root` (the root included), writing each to `write` and reporting
    /// the running totals to `progress` after each block.
    /// - Returns: the totals.
    /// - Throws: the source's error (e.g. `BitswapError.fetchStalled`), `BitswapError.undecodableBlock` for a
    ///   node whose links cannot be read, `.dagTooLarge`, or whatever `write` throws. Outstanding requests are
    ///   cancelled.
    @discardableResult
    public func fetch(
        root: CID, write: @Sendable (Block) async throws -> Void,
        progress: @Sendable (Progress) -> Void = { _ in }
    ) async throws -> Progress {
        var pending: [Pending] = [Pending(path: [], cid: root)]
        var seen: Set<CID> = [root]
        var totals = Progress()
        let source = self.source
        try await withThrowingTaskGroup(of: (path: [Int], block: Block).self) { group in
            var inFlight = 0
            func fill() {
                while inFlight < windowSize, !pending.isEmpty {
                    let next = pending.removeFirst()
                    group.addTask { (next.path, try await source.block(next.cid)) }
                    inFlight += 1
                }
            }
            fill()
            while let (path, block) = try await group.next() {
                inFlight -= 1
                try await write(block)
                totals.blockCount += 1
                totals.byteCount += block.data.count
                progress(totals)
                let children = try Self.children(of: block, at: path, seen: &seen)
                guard seen.count <= maximumBlockCount else { throw BitswapError.dagTooLarge(limit: maximumBlockCount) }
                Self.insert(children, into: &pending)
                fill()
            }
        }
        return totals
    }

    /// The not-yet-seen links of `block`, with their depth-first paths.
    private static func children(of block: Block, at path: [Int], seen: inout Set<CID>) throws -> [Pending] {
        let linked: [CID]
        do {
            linked = try links(of: block)
        } catch {
            throw BitswapError.undecodableBlock(cid: block.cid, reason: "\(error)")
        }
        return linked.enumerated().compactMap { index, cid in
            seen.insert(cid).inserted ? Pending(path: path + [index], cid: cid) : nil
        }
    }

    /// Inserts siblings (consecutive in depth-first order) where they belong in the sorted pending list.
    private static func insert(_ children: [Pending], into pending: inout [Pending]) {
        guard let first = children.first else { return }
        var low = 0
        var high = pending.count
        while low < high {
            let middle = (low + high) / 2
            if pending[middle].path.lexicographicallyPrecedes(first.path) { low = middle + 1 } else { high = middle }
        }
        pending.insert(contentsOf: children, at: low)
    }
}
