import CairnCore
import Foundation
import Testing
@testable import CairnStore

/// The BlockStore contract, run against every implementation.
@Suite("BlockStore conformance")
struct BlockStoreConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func putGetHasSize(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let store = subject.store
        let block = try rawBlock(seed: 1, size: 3000)
        #expect(try !store.has(block.cid))
        try store.put(block)
        #expect(try store.has(block.cid))
        #expect(try store.get(block.cid) == block)
        #expect(try store.size(of: block.cid) == 3000)
        #expect(try store.stat() == BlockStoreStat(blockCount: 1, totalByteCount: 3000))
    }

    @Test(arguments: StoreKind.allCases)
    func cidV0AndV1ShareOneStoredBlock(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let store = subject.store
        let v0 = try Block(data: [0x0a, 0x02, 0x08, 0x01], codec: .dagPB, version: .v0)
        try store.put(v0)
        let v1 = CID(v1: .dagPB, v0.cid.multihash)
        #expect(try store.get(v1).cid == v1)
        #expect(try store.get(v1).data == v0.data)
        #expect(try store.has(CID(v1: .raw, v0.cid.multihash)))
        try store.put(Block(cid: v1, data: v0.data))
        #expect(try store.stat().blockCount == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func emptyBlock(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let empty = try Block(data: [], codec: .raw, version: .v1)
        try subject.store.put(empty)
        #expect(try subject.store.get(empty.cid) == empty)
        #expect(try subject.store.size(of: empty.cid) == 0)
        #expect(try subject.store.verify().isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func missingBlock(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let block = try rawBlock(seed: 2)
        #expect(throws: StoreError.blockNotFound(cid: block.cid)) { try subject.store.get(block.cid) }
        #expect(try subject.store.size(of: block.cid) == nil)
        #expect(try subject.store.delete(block.cid) == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func deleteRemovesBlock(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let store = subject.store
        let keep = try rawBlock(seed: 3, size: 100)
        let drop = try rawBlock(seed: 4, size: 200)
        try store.put(keep)
        try store.put(drop)
        #expect(try store.delete(drop.cid) == 200)
        #expect(try !store.has(drop.cid))
        #expect(try store.has(keep.cid))
        #expect(try store.stat() == BlockStoreStat(blockCount: 1, totalByteCount: 100))
    }

    @Test(arguments: StoreKind.allCases)
    func enumerateAndStat(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let store = subject.store
        let blocks = try (0..<40).map { try rawBlock(seed: UInt64(100 + $0), size: 10 + $0) }
        for block in blocks { try store.put(block) }
        #expect(Set(try store.multihashes()) == Set(blocks.map(\.cid.multihash)))
        #expect(Set(try store.cids()) == Set(blocks.map(\.cid)))
        let total = blocks.reduce(0) { $0 + $1.data.count }
        #expect(try store.stat() == BlockStoreStat(blockCount: 40, totalByteCount: total))
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentWritesIntoOneBatch(kind: StoreKind) async throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let store = subject.store
        let batch = try store.makeWriteBatch()
        let tasks = 6
        let perTask = 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<perTask {
                        let block = try rawBlock(seed: UInt64(task * 1000 + index), size: 4096)
                        try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.stat().blockCount == 0)
        try batch.commit()
        #expect(try store.stat() == BlockStoreStat(blockCount: tasks * perTask, totalByteCount: tasks * perTask * 4096))
        for task in 0..<tasks {
            for index in 0..<perTask {
                let block = try rawBlock(seed: UInt64(task * 1000 + index), size: 4096)
                #expect(try store.get(block.cid) == block)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func abortDropsEverything(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let store = subject.store
        let batch = try store.makeWriteBatch()
        let blocks = try (0..<10).map { try rawBlock(seed: UInt64($0)) }
        for block in blocks { try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) } }
        batch.abort()
        #expect(try store.stat().blockCount == 0)
        for block in blocks { #expect(try !store.has(block.cid)) }
        #expect(throws: StoreError.batchFinished) { try batch.commit() }
        if let fileStore = store as? FileBlockStore {
            #expect(filesIn(fileStore.stagingDirectory).isEmpty)
            #expect(try fileStore.temporaryFilePaths().isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func commitMakesVisible(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let store = subject.store
        let batch = try store.makeWriteBatch()
        let block = try rawBlock(seed: 9, size: 256 * 1024)
        try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
        #expect(try !store.has(block.cid))
        try batch.commit()
        #expect(try store.get(block.cid) == block)
        #expect(throws: StoreError.batchFinished) {
            try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
        }
        if let fileStore = store as? FileBlockStore {
            #expect(filesIn(fileStore.stagingDirectory).isEmpty)
            #expect(try fileStore.temporaryFilePaths().isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func duplicatePuts(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let store = subject.store
        let block = try rawBlock(seed: 11, size: 500)
        let batch = try store.makeWriteBatch()
        for _ in 0..<3 { try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) } }
        try batch.commit()
        try store.put(block)
        try store.put(block)
        #expect(try store.stat() == BlockStoreStat(blockCount: 1, totalByteCount: 500))
        #expect(try store.get(block.cid) == block)
        if let fileStore = store as? FileBlockStore {
            #expect(filesIn(fileStore.stagingDirectory).isEmpty)
            #expect(try fileStore.temporaryFilePaths().isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func verifyCleanStoreStreamsProgress(kind: StoreKind) throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let store = subject.store
        for seed in 0..<5 { try store.put(rawBlock(seed: UInt64(seed), size: 100)) }
        var updates: [BlockStoreVerifyProgress] = []
        let bad = try store.verify { updates.append($0) }
        #expect(bad.isEmpty)
        #expect(updates.count == 5)
        #expect(updates.last == BlockStoreVerifyProgress(checkedBlockCount: 5, checkedByteCount: 500, badBlockCount: 0))
    }

    @Test(arguments: StoreKind.allCases)
    func blockSourceConformance(kind: StoreKind) async throws {
        let subject = try StoreUnderTest(kind)
        defer { withExtendedLifetime(subject) {} }  // Keep the temp dir until the end.
        let block = try rawBlock(seed: 12)
        try subject.store.put(block)
        let source: any BlockSource = subject.store
        #expect(try await source.block(block.cid) == block)
    }
}
