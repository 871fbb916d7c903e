import CairnCore
import CairnDAG
import CairnTestSupport
import Synchronization
import Testing

@testable import CairnExchange

/// A block source over a store that records the order of requests and the most outstanding at once.
actor RecordingSource: BlockSource {
    let store: DictionaryBlockStore
    private(set) var requested: [CID] = []
    private(set) var maximumOutstanding = 0
    private var outstanding = 0

    init(store: DictionaryBlockStore) { self.store = store }

    func block(_ cid: CID) async throws -> Block {
        requested.append(cid)
        outstanding += 1
        maximumOutstanding = max(maximumOutstanding, outstanding)
        defer { outstanding -= 1 }
        // Let other requests start before this one finishes, as a network would.
        for _ in 0..<3 { await Task.yield() }
        return try await store.block(cid)
    }
}

/// The DAG fetcher's order, window, deduplication and errors, over an in-memory source.
@Suite struct DAGFetcherTests {
    /// A 64 KiB raw-leaf file in 1 KiB chunks, four links per node: a tree three levels deep.
    static func deepFile() async throws -> ImportedFile {
        var rng = SeededRandom(seed: 9)
        var data = [UInt8](repeating: 0, count: 64 << 10)
        rng.fill(&data)
        let store = DictionaryBlockStore()
        let options = FileImporter.Options(chunker: try Chunker(byteCount: 1024), cidVersion: .v1, rawLeaves: true, linksPerNode: 4)
        let result = try await FileImporter(options: options).importFile(from: MemoryChunkInput(data), into: store)
        return ImportedFile(root: result.cid, data: data, store: store)
    }

    @Test func withAWindowOfOneBlocksAreRequestedDepthFirst() async throws {
        let file = try await Self.deepFile()
        let source = RecordingSource(store: file.store)
        let written = DictionaryBlockStore()
        let progress = try await DAGFetcher(source: source, windowSize: 1).fetch(root: file.root) { written.put($0) }
        #expect(progress.blockCount == file.store.count)
        #expect(written.all == file.store.all)
        let requested = await source.requested
        #expect(requested.first == file.root)
        // Depth-first order puts the raw leaves in file order.
        let leaves = requested.filter { $0.codec == .raw }.compactMap { file.store.all[$0]?.data }
        #expect(leaves.flatMap { $0 } == file.data)
    }

    @Test func theWindowBoundsOutstandingRequestsAndProgressIsReported() async throws {
        let file = try await Self.deepFile()
        let source = RecordingSource(store: file.store)
        let reports = ProgressLog()
        let progress = try await DAGFetcher(source: source, windowSize: 8).fetch(
            root: file.root, write: { _ in }, progress: { reports.add($0) })
        #expect(await source.maximumOutstanding <= 8)
        #expect(await source.maximumOutstanding > 1)
        #expect(progress.byteCount == file.store.all.values.reduce(0) { $0 + $1.data.count })
        #expect(reports.all.map(\.blockCount) == Array(1...file.store.count))
    }

    @Test func aBlockLinkedTwiceIsFetchedOnce() async throws {
        let store = DictionaryBlockStore()
        let options = FileImporter.Options(chunker: try Chunker(byteCount: 1024), cidVersion: .v1, rawLeaves: true)
        let result = try await FileImporter(options: options).importFile(from: MemoryChunkInput([UInt8](repeating: 0, count: 16 << 10)), into: store)
        #expect(store.count == 2)   // the root and one zero leaf, linked sixteen times
        let source = RecordingSource(store: store)
        let progress = try await DAGFetcher(source: source).fetch(root: result.cid) { _ in }
        #expect(progress.blockCount == 2)
        #expect(await source.requested.count == 2)
    }

    @Test func anUnreadableNodeFailsNamingIt() async throws {
        let broken = try Block(data: [0xff, 0xff, 0xff], codec: .dagPB, version: .v1)
        let source = RecordingSource(store: DictionaryBlockStore([broken]))
        await #expect {
            try await DAGFetcher(source: source).fetch(root: broken.cid) { _ in }
        } throws: { error in
            guard case BitswapError.undecodableBlock(let cid, _)? = error as? BitswapError else { return false }
            return cid == broken.cid
        }
    }

    @Test func aTooLargeDAGIsRefused() async throws {
        let file = try await Self.deepFile()
        await #expect(throws: BitswapError.dagTooLarge(limit: 10)) {
            try await DAGFetcher(source: RecordingSource(store: file.store), maximumBlockCount: 10).fetch(root: file.root) { _ in }
        }
    }
}

/// Progress reports, kept in order.
final class ProgressLog: Sendable {
    private let reports = Mutex<[DAGFetcher.Progress]>([])
    func add(_ progress: DAGFetcher.Progress) { reports.withLock { $0.append(progress) } }
    var all: [DAGFetcher.Progress] { reports.withLock { $0 } }
}
