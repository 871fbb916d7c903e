import CairnCore
import Foundation
import Testing
@testable import CairnStore

/// Behaviour specific to the on-disk store: layout, corruption, crash leftovers.
@Suite("FileBlockStore")
struct FileBlockStoreTests {
    @Test func layoutMatchesKuboFlatfs() throws {
        // The empty UnixFS directory: every kubo repo holds it at blocks/X3/CIQFTFEE….data.
        let block = try Block(data: [0x0a, 0x02, 0x08, 0x01], codec: .dagPB, version: .v0)
        #expect(block.cid.description == "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn")
        let name = FileBlockStore.fileName(for: block.cid.multihash)
        #expect(name == "CIQFTFEEHEDF6KLBT32BFAGLXEZL4UWFNWM4LFTLMXQBCERZ6CMLX3Y.data")
        #expect(FileBlockStore.shardName(forFileName: name) == "X3")
        #expect(FileBlockStore.multihash(fromFileName: name) == block.cid.multihash)
        #expect(FileBlockStore.multihash(fromFileName: "NOT-BASE32.data") == nil)

        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        try store.put(block)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/blocks/X3/" + name))
        let sharding = try String(contentsOfFile: directory.path + "/blocks/SHARDING", encoding: .utf8)
        #expect(sharding == FileBlockStore.shardingDescriptor)
    }

    @Test func flippedByteIsCorruptBlock() throws {
        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        let good = try rawBlock(seed: 1)
        let bad = try rawBlock(seed: 2)
        try store.put(good)
        try store.put(bad)
        let path = store.path(for: bad.cid.multihash)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[17] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        #expect(throws: StoreError.corruptBlock(cid: bad.cid, path: path)) { try store.get(bad.cid) }
        #expect(try store.get(good.cid) == good)
        let report = try store.verify()
        #expect(report.count == 1)
        #expect(report.first?.cid == bad.cid)
        #expect(report.first?.path == path)
        #expect(report.first?.reason.contains("does not match") == true)
    }

    @Test func truncatedFileIsCorruptBlock() throws {
        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        let block = try rawBlock(seed: 3, size: 10_000)
        try store.put(block)
        let path = store.path(for: block.cid.multihash)
        #expect(truncate(path, 4096) == 0)
        #expect(throws: StoreError.corruptBlock(cid: block.cid, path: path)) { try store.get(block.cid) }
        #expect(try store.verify().map(\.path) == [path])
    }

    @Test func misplacedAndMisnamedFilesAreReported() throws {
        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        let block = try rawBlock(seed: 4)
        let name = FileBlockStore.fileName(for: block.cid.multihash)
        try FileManager.default.createDirectory(atPath: store.directory + "/AA", withIntermediateDirectories: true)
        try Data(block.data).write(to: URL(fileURLWithPath: store.directory + "/AA/" + name))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: store.directory + "/AA/garbage.data"))
        let reasons = try store.verify().map(\.reason).sorted()
        #expect(reasons.count == (FileBlockStore.shardName(forFileName: name) == "AA" ? 1 : 2))
        #expect(reasons.contains { $0.contains("not a base32 multihash") })
    }

    @Test func crashedBatchLeftoversRemovedOnOpen() throws {
        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let blocks = directory.path + "/blocks"
        let block = try rawBlock(seed: 5)
        let shard = FileBlockStore.shardName(forFileName: FileBlockStore.fileName(for: block.cid.multihash))
        do {
            let store = try FileBlockStore(directory: blocks)
            let batch = try store.makeWriteBatch()
            try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
            #expect(filesIn(store.stagingDirectory).count == 1, "an open batch has one marker")
            #expect(try store.temporaryFilePaths().count == 1)
            // Simulate two crashed writers: one whose pid is gone (above Linux's pid_max) and one with
            // this process's pid (a reused pid, as for pid 1 in containers). Each left a marker and a temp file.
            for pid in ["4194305", "\(getpid())"] {
                try Data().write(to: URL(fileURLWithPath: store.stagingDirectory + "/\(pid)-77.active"))
                try Data([9, 9]).write(to: URL(fileURLWithPath: blocks + "/\(shard)/.tmp-\(pid)-77-1"))
            }
            batch.abort()
        }
        #expect(filesIn(blocks + "/.staging").count == 2)
        let reopened = try FileBlockStore(directory: blocks)
        #expect(filesIn(reopened.stagingDirectory).isEmpty)
        #expect(try reopened.temporaryFilePaths().isEmpty)
        #expect(try reopened.stat().blockCount == 0)
        #expect(try reopened.verify().isEmpty)
    }

    @Test func droppedBatchAbortsItself() throws {
        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        do {
            let batch = try store.makeWriteBatch()
            let block = try rawBlock(seed: 6)
            try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
            #expect(batch.pendingCount == 1)
        }
        #expect(filesIn(store.stagingDirectory).isEmpty)
        #expect(try store.temporaryFilePaths().isEmpty)
    }

    #if os(Linux)
    /// Commit relies on syncfs(2) being found at run time; if the lookup broke, every commit would
    /// silently fall back to one fsync per block.
    @Test func syncfsIsAvailableOnLinux() throws {
        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        #expect(try SystemFile.syncFileSystem(containing: directory.path))
    }
    #endif

    @Test func fsyncEachFileDurability() throws {
        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks", durability: .fsyncEachFile)
        let blocks = try (0..<20).map { try rawBlock(seed: UInt64(50 + $0)) }
        let batch = try store.makeWriteBatch()
        for block in blocks { try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) } }
        try batch.commit()
        for block in blocks { #expect(try store.get(block.cid) == block) }
        #expect(filesIn(store.stagingDirectory).isEmpty)
    }

    @Test func writeErrorNamesPathAndErrno() throws {
        let directory = try TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let store = try FileBlockStore(directory: directory.path + "/blocks")
        let block = try rawBlock(seed: 7)
        let shard = FileBlockStore.shardName(forFileName: FileBlockStore.fileName(for: block.cid.multihash))
        // A regular file where the shard directory should be makes the temp file impossible to create.
        try Data([1]).write(to: URL(fileURLWithPath: store.directory + "/" + shard))
        let batch = try store.makeWriteBatch()
        do {
            try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
            Issue.record("write into a shard that is not a directory succeeded")
        } catch let error as StoreError {
            guard case .io(let operation, let path, let code) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(operation == "open")
            #expect(path.hasPrefix(store.directory + "/" + shard + "/"))
            #expect(code == ENOTDIR)
            #expect(error.description.contains(path))
        }
        batch.abort()
        #expect(filesIn(store.stagingDirectory).isEmpty)
    }
}
