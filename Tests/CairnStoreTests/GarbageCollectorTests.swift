import CairnCore
import Foundation
import Testing
@testable import CairnStore

/// A tiny stand-in for dag-pb: a node block (codec dag-cbor here, so it is never mistaken for real
/// dag-pb) holds a label line followed by the CIDs it links to, one per line.
private enum FakeDAG {
    static func node(_ label: String, links: [CID]) throws -> Block {
        let text = ([label] + links.map(\.description)).joined(separator: "\n")
        return try Block(data: Array(text.utf8), codec: .dagCBOR, version: .v1)
    }

    /// The link extractor handed to the collector.
    @Sendable static func links(of block: Block) throws -> [CID] {
        let lines = String(decoding: block.data, as: UTF8.self).split(separator: "\n").dropFirst()
        return try lines.map { try CID(String($0)) }
    }
}

/// A pinned DAG, its unpinned neighbours and garbage, stored in one store.
private struct Fixture {
    let leafB: Block, leafC: Block, nodeA: Block, root: Block
    let directRoot: Block, belowDirect: Block
    let garbage: [Block]

    init(into store: some BlockStore) throws {
        leafB = try rawBlock(seed: 1, size: 300)
        leafC = try rawBlock(seed: 2, size: 400)
        nodeA = try FakeDAG.node("A", links: [leafC.cid])
        root = try FakeDAG.node("root", links: [nodeA.cid, leafB.cid, leafC.cid])
        belowDirect = try rawBlock(seed: 3, size: 500)
        directRoot = try FakeDAG.node("direct", links: [belowDirect.cid])
        garbage = try [rawBlock(seed: 4, size: 600), FakeDAG.node("orphan", links: [leafB.cid])]
        for block in [leafB, leafC, nodeA, root, directRoot, belowDirect] + garbage { try store.put(block) }
    }

    var roots: [GarbageCollector<FileBlockStore>.Root] {
        [.init(cid: root.cid, kind: .recursive), .init(cid: directRoot.cid, kind: .direct)]
    }
    var kept: [Block] { [leafB, leafC, nodeA, root, directRoot] }
    var removed: [Block] { [belowDirect] + garbage }
}

@Suite("GarbageCollector")
struct GarbageCollectorTests {
    @Test func keepsPinnedDAGsAndRemovesTheRest() throws {
        let directory = try TemporaryDirectory("gc")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        let fixture = try Fixture(into: store)
        let collector = GarbageCollector(store: store, linkExtractor: FakeDAG.links)
        let result = try collector.collect(keeping: fixture.roots)
        #expect(result.markedBlockCount == 5)
        #expect(result.removedBlockCount == 3)
        #expect(result.removedByteCount == fixture.removed.reduce(0) { $0 + $1.data.count })
        for block in fixture.kept { #expect(try store.get(block.cid) == block) }
        for block in fixture.removed { #expect(try !store.has(block.cid)) }
        let again = try collector.collect(keeping: fixture.roots)
        #expect(again.removedBlockCount == 0)
    }

    @Test func worksOnMemoryStoreToo() throws {
        let store = MemoryBlockStore()
        let fixture = try Fixture(into: store)
        let roots = fixture.roots.map { GarbageCollector<MemoryBlockStore>.Root(cid: $0.cid, kind: $0.kind) }
        let result = try GarbageCollector(store: store, linkExtractor: FakeDAG.links).collect(keeping: roots)
        #expect(result.removedBlockCount == 3)
        #expect(try store.stat().blockCount == 5)
    }

    @Test func abortsWithoutDeletingWhenAPinnedBlockIsMissing() throws {
        let directory = try TemporaryDirectory("gc")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        let fixture = try Fixture(into: store)
        try store.delete(fixture.leafC.cid)
        let before = try store.stat()
        let collector = GarbageCollector(store: store, linkExtractor: FakeDAG.links)
        #expect(throws: StoreError.garbageCollectionAborted(cid: fixture.leafC.cid, reason: "missing from the blockstore")) {
            try collector.collect(keeping: fixture.roots)
        }
        #expect(try store.stat() == before)
        for block in fixture.garbage { #expect(try store.has(block.cid)) }
    }

    @Test func abortsWithoutDeletingWhenAPinnedBlockIsCorrupt() throws {
        let directory = try TemporaryDirectory("gc")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        let fixture = try Fixture(into: store)
        let path = store.path(for: fixture.nodeA.cid.multihash)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: path))
        let before = try store.stat()
        do {
            _ = try GarbageCollector(store: store, linkExtractor: FakeDAG.links).collect(keeping: fixture.roots)
            Issue.record("gc ran over a corrupt pinned block")
        } catch {
            guard case .garbageCollectionAborted(let cid, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(cid == fixture.nodeA.cid)
            #expect(reason.contains(path))
            #expect(error.description.contains("aborted without deleting anything"))
        }
        #expect(try store.stat() == before)
    }

    @Test func directPinOfMissingBlockAborts() throws {
        let store = MemoryBlockStore()
        let missing = try rawBlock(seed: 99)
        let collector = GarbageCollector(store: store, linkExtractor: FakeDAG.links)
        #expect(throws: StoreError.garbageCollectionAborted(cid: missing.cid, reason: "missing from the blockstore")) {
            try collector.collect(keeping: [.init(cid: missing.cid, kind: .direct)])
        }
    }

    /// An add in progress: its blocks are written to a batch under the shared lock but not yet
    /// committed or pinned. GC cannot take the lock meanwhile; a collector that runs anyway does not
    /// see staged blocks; after commit and pin, GC under the exclusive lock keeps them.
    @Test func gcDuringAnAddKeepsTheAddsBlocks() throws {
        let directory = try TemporaryDirectory("gc")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        let database = try RepoDatabase(repositoryDirectory: directory.path)
        let fixture = try Fixture(into: store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        try database.addPin(fixture.root.cid, kind: .recursive, at: t0)

        let adderLock = try RepoLock(repositoryDirectory: directory.path)
        let gcLock = try RepoLock(repositoryDirectory: directory.path)
        try adderLock.lockShared()
        let leaf = try rawBlock(seed: 50, size: 256 * 1024)
        let node = try FakeDAG.node("new file", links: [leaf.cid, fixture.leafB.cid])
        let batch = try store.makeWriteBatch()
        for block in [leaf, node] { try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) } }

        guard case .busy = try gcLock.tryExclusive() else {
            Issue.record("gc acquired the lock during an add")
            return
        }
        let collector = GarbageCollector(store: store, linkExtractor: FakeDAG.links)
        let early = try collector.collect(pinnedIn: database)
        #expect(early.removedBlockCount == 4)  // directRoot, belowDirect and the garbage: nothing pins them.
        #expect(batch.pendingCount == 2)

        try batch.commit()
        try database.addPin(node.cid, kind: .recursive, name: "new file", at: t0.addingTimeInterval(1))
        adderLock.unlock()

        #expect(try gcLock.tryExclusive() == .acquired)
        let result = try collector.collect(pinnedIn: database)
        gcLock.unlock()
        #expect(result.removedBlockCount == 0)
        #expect(try store.get(leaf.cid) == leaf)
        #expect(try store.get(node.cid) == node)
        #expect(try store.get(fixture.leafB.cid) == fixture.leafB)
    }
}
