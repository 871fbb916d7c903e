import CairnCore
import CairnDAG
import CairnNode
import CairnStore
import CairnTestSupport
import Foundation
import Testing

/// In-process tests of the repository layer: the same operations the CLI runs, with an injected clock.
@Suite struct RepositoryTests {
    static let fixedDate = Date(timeIntervalSince1970: 1_800_000_000)

    private func makeRepository(_ dir: TemporaryDirectory) throws -> Repository {
        _ = try Repository.initialize(at: dir.path("repo"), now: Self.fixedDate)
        return try Repository.open(at: dir.path("repo"), now: { Self.fixedDate })
    }

    @Test func openingAMissingRepositorySaysToInit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let error = #expect(throws: NodeError.self) { try Repository.open(at: dir.path("nothing-here")) }
        #expect(error?.code == .repository)
        #expect(error?.message.contains("cairn init") == true)
        _ = try Repository.initialize(at: dir.path("repo"), now: Self.fixedDate)
        #expect(throws: NodeError.self) { try Repository.initialize(at: dir.path("repo"), now: Self.fixedDate) }
    }

    @Test func addReadListAndGetWithCIDv1() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try makeRepository(dir)
        let bytes = TestData.pattern(count: 1_000_000)
        try dir.write("in/pat.bin", bytes)
        var options = AddOptions()
        options.cidVersion = .v1
        options.recursive = true
        let added = try await repo.add(paths: [dir.path("in")], options: options, progress: { _ in })
        #expect(added.map(\.name) == ["in/pat.bin", "in"])
        // The "pat" 1,000,000-byte file's CIDv1 from the notes' table, now inside a directory.
        #expect(added[0].cid.description == "bafybeibx62obrkybp46hx3ivh53q4rnptgkunpgtwiib5lfelfgt2ekihm")
        let root = try #require(added.last?.cid)

        var read: [UInt8] = []
        try await repo.cat("\(root)/pat.bin", offset: 262_000, length: 1_000) { read.append(contentsOf: $0) }
        #expect(read == Array(bytes[262_000..<263_000]))

        let listing = try await repo.list(root.description)
        #expect(listing.count == 1 && listing[0].name == "pat.bin" && listing[0].size == 1_000_000 && listing[0].type == "file")

        let report = try await repo.get(root.description, to: dir.path("out"), progress: { _ in })
        #expect(report.bytes == 1_000_000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("out/pat.bin"))) == Data(bytes))
        let downloads = try repo.database.downloads()
        #expect(downloads.count == 1 && downloads[0].outcome == "ok" && downloads[0].finishedAt == Self.fixedDate)

        await #expect(throws: NodeError.self) {
            _ = try await repo.get(root.description, to: dir.path("out"), progress: { _ in })
        }
        let pins = try repo.pins()
        #expect(pins.map(\.cid) == [root])
        #expect(try repo.database.pins().first?.createdAt == Self.fixedDate)
    }

    @Test func catPastTheEndPrintsNothingAndDirectoriesAreRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try makeRepository(dir)
        try dir.write("d/f", Array("0123456789".utf8))
        var options = AddOptions()
        options.recursive = true
        let root = try #require(try await repo.add(paths: [dir.path("d")], options: options, progress: { _ in }).last?.cid)
        var read: [UInt8] = []
        try await repo.cat("\(root)/f", offset: 10, length: nil) { read.append(contentsOf: $0) }
        #expect(read.isEmpty)
        let error = await #expect(throws: NodeError.self) {
            try await repo.cat(root.description, offset: 0, length: nil) { _ in }
        }
        #expect(error?.code == .invalidInput)
        let missing = await #expect(throws: NodeError.self) {
            try await repo.cat("\(root)/nope", offset: 0, length: nil) { _ in }
        }
        #expect(missing?.code == .notFound)
    }

    @Test func carWithMissingBlocksImportsButDoesNotPinTheRoot() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try makeRepository(dir)
        // Build a three-block file DAG in memory and export only its root block.
        let sink = CollectingSink()
        let result = try await FileImporter().importFile(from: MemoryChunkInput(TestData.pattern(count: 300_000)), into: sink)
        let rootBlock = try #require(sink.blocks.first { $0.cid == result.cid })
        var car: [UInt8] = []
        var writer = try CARWriter(roots: [result.cid]) { car.append(contentsOf: $0) }
        try writer.write(rootBlock)
        let carPath = try dir.write("partial.car", car)

        let report = try await repo.importCAR(fromFile: carPath, pinRoots: true)
        #expect(report.blocks == 1)
        #expect(report.pinnedRoots.isEmpty)
        #expect(report.incompleteRoots == [result.cid])
        #expect(try repo.pins().isEmpty)

        // A direct pin needs only the root block; a recursive one needs the whole DAG.
        try await repo.pinAdd(result.cid, recursive: false)
        let recursive = await #expect(throws: NodeError.self) { try await repo.pinAdd(result.cid, recursive: true) }
        #expect(recursive?.code == .notFound)
        #expect(try repo.pins().map(\.type) == ["direct"])
    }

    @Test func garbageCollectionKeepsOnlyWhatPinsReach() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = try makeRepository(dir)
        try dir.write("keep", TestData.pattern(count: 700_000))
        try dir.write("drop", Array(repeating: 1, count: 700_000))
        var unpinned = AddOptions()
        unpinned.pin = false
        let kept = try await repo.add(paths: [dir.path("keep")], options: AddOptions(), progress: { _ in })
        _ = try await repo.add(paths: [dir.path("drop")], options: unpinned, progress: { _ in })
        let before = try repo.stat()
        let report = try await repo.collectGarbage()
        #expect(report.removedBlocks > 0)
        #expect(report.keptBlocks == 4)
        #expect(try repo.stat().blocks == before.blocks - report.removedBlocks)
        var all: [UInt8] = []
        try await repo.cat(kept[0].cid.description, offset: 0, length: nil) { all.append(contentsOf: $0) }
        #expect(all == TestData.pattern(count: 700_000))
        #expect(try repo.verify { _ in }.corrupt.isEmpty)
    }
}

/// Keeps every block written to it, for tests that need the blocks of an import.
final class CollectingSink: BlockSink, @unchecked Sendable {
    // @unchecked Sendable: `storage` is only touched under `lock`.
    private let lock = NSLock()
    private var storage: [Block] = []

    var blocks: [Block] { lock.withLock { storage } }

    func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws {
        let block = Block(hashed: Array(bytes), cid: cid)
        lock.withLock { storage.append(block) }
    }

    func commit() throws {}
    func abort() {}
}
