import CairnCore
import CairnDAG
import CairnTestSupport
import Testing
@testable import CairnPrivate

/// The private file format end to end in memory: encode, lose and damage shares, read, check, repair.
@Suite("Private files")
struct PrivateFileTests {
    static func encode(_ bytes: [UInt8], _ parameters: ErasureParameters, key: FileKey = .random(),
                       into blocks: MemoryPrivateBlocks) throws -> EncodedPrivateFile {
        let layout = try PrivateLayout(parameters: parameters, plaintextByteCount: bytes.count)
        return try PrivateFileEncoder(layout: layout, key: key, workerCount: 2).encode(MemoryPlaintextInput(bytes), into: blocks)
    }

    static let small = ErasureParameters(dataShareCount: 3, totalShareCount: 7, segmentByteCount: 4096)

    @Test("round trip for sizes around every boundary", arguments: [0, 1, 4095, 4096, 4097, 12_000, 70_001, 300_000])
    func roundTrip(size: Int) async throws {
        var random = SeededRandom(seed: UInt64(size) + 1)
        let bytes = random.bytes(size)
        let blocks = MemoryPrivateBlocks()
        let file = try Self.encode(bytes, Self.small, into: blocks)
        #expect(file.manifest.layout.paddedByteCount > size)
        let manifestBytes = try #require(blocks[file.manifestCID])
        let manifest = try PrivateManifest(decoding: manifestBytes)
        #expect(manifest == file.manifest)
        #expect(try await blocks.read(manifest, key: file.key) == bytes)
    }

    @Test("a file spanning several share tables; trailing zeros in the content survive the padding")
    func severalTables() async throws {
        let parameters = ErasureParameters(dataShareCount: 2, totalShareCount: 255, segmentByteCount: 4096)
        var bytes = TestBytes.random(seed: 9, count: 100_000)
        bytes += [0x80] + [UInt8](repeating: 0, count: 20_000)
        let blocks = MemoryPrivateBlocks()
        let file = try Self.encode(bytes, parameters, into: blocks)
        #expect(file.manifest.tables.count > 1)
        #expect(try await blocks.read(file.manifest, key: file.key) == bytes)
    }

    @Test("any n − k lost shares of every segment: the file still reads back exactly")
    func loseParityCount() async throws {
        var random = SeededRandom(seed: 42)
        for (k, n) in [(1, 2), (3, 7), (10, 20), (4, 5)] {
            let bytes = random.bytes(50_000)
            let blocks = MemoryPrivateBlocks()
            let parameters = ErasureParameters(dataShareCount: k, totalShareCount: n, segmentByteCount: 8192)
            let file = try Self.encode(bytes, parameters, into: blocks)
            for tableIndex in file.manifest.tables.indices {
                let table = try blocks.table(tableIndex, of: file.manifest)
                for row in table.shareDigests.indices {
                    var indices = Array(0..<n)
                    indices.shuffle(using: &random)
                    for index in indices.prefix(n - k) { blocks[table.shareCIDs(row: row)[index]] = nil }
                }
            }
            #expect(try await blocks.read(file.manifest, key: file.key) == bytes, "k=\(k) n=\(n)")
        }
    }

    @Test("n − k + 1 lost shares of one segment: a clear error naming the segment, never wrong bytes")
    func tooManyLost() async throws {
        let bytes = TestBytes.random(seed: 3, count: 20_000)
        let blocks = MemoryPrivateBlocks()
        let file = try Self.encode(bytes, Self.small, into: blocks)
        let table = try blocks.table(0, of: file.manifest)
        for cid in table.shareCIDs(row: 2).prefix(5) { blocks[cid] = nil }
        await #expect(throws: PrivateFileError.notEnoughShares(segment: 2, valid: 2, needed: 3)) {
            _ = try await blocks.read(file.manifest, key: file.key)
        }
    }

    @Test("a flipped bit in any share or a truncated share is detected and read around")
    func damagedShares() async throws {
        let bytes = TestBytes.random(seed: 4, count: 30_000)
        let blocks = MemoryPrivateBlocks()
        let file = try Self.encode(bytes, Self.small, into: blocks)
        let table = try blocks.table(0, of: file.manifest)
        var random = SeededRandom(seed: 5)
        for row in table.shareDigests.indices {
            let cids = table.shareCIDs(row: row)
            for (position, index) in [0, 1, 5, 6].enumerated() {
                var share = try #require(blocks[cids[index]])
                if position % 2 == 0 {
                    share[Int.random(in: 0..<share.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                } else {
                    share.removeLast()
                }
                blocks[cids[index]] = share
            }
        }
        #expect(try await blocks.read(file.manifest, key: file.key) == bytes)
        let health = try await PrivateFileChecker(manifest: file.manifest).check(from: blocks)
        #expect(health.degradedSegments == file.manifest.layout.segmentCount)
        #expect(health.minimumValidShares == 3)
        #expect(health.isReadable && !health.isHealthy)
    }

    @Test("a source that does not verify: substituted or altered shares never give wrong bytes")
    func lyingSource() async throws {
        let bytes = TestBytes.random(seed: 6, count: 10_000)
        let other = TestBytes.random(seed: 7, count: 10_000)
        let blocks = MemoryPrivateBlocks()
        let file = try Self.encode(bytes, Self.small, into: blocks)
        let otherFile = try Self.encode(other, Self.small, into: blocks)
        // Share 0 of segment 0 replaced by the other file's share 0 of segment 0 (same size): its header
        // names the other file, so it is set aside and a parity share is used instead.
        let lying = blocks.copy(verifies: false)
        let mine = try lying.table(0, of: file.manifest).shareCIDs(row: 0)[0]
        let theirs = try lying.table(0, of: otherFile.manifest).shareCIDs(row: 0)[0]
        lying[mine] = lying[theirs]
        #expect(try await lying.read(file.manifest, key: file.key) == bytes)
        // Segments swapped inside one file: every header names the other segment.
        let swapped = blocks.copy(verifies: false)
        let table = try swapped.table(0, of: file.manifest)
        for share in 0..<7 {
            let (a, b) = (table.shareCIDs(row: 0)[share], table.shareCIDs(row: 1)[share])
            (swapped[a], swapped[b]) = (swapped[b], swapped[a])
        }
        // Segments are read concurrently: either swapped segment may be the one reported.
        let swapError = await #expect(throws: PrivateFileError.self) {
            _ = try await swapped.read(file.manifest, key: file.key)
        }
        #expect([PrivateFileError.notEnoughShares(segment: 0, valid: 0, needed: 3), .notEnoughShares(segment: 1, valid: 0, needed: 3)]
            .contains { $0 == swapError })
        // A payload altered behind an intact header: authentication catches it.
        let altered = blocks.copy(verifies: false)
        altered[mine]?[ShareHeader.byteCount + 5] ^= 0x01
        await #expect(throws: PrivateFileError.segmentAuthenticationFailed(index: 0)) {
            _ = try await altered.read(file.manifest, key: file.key)
        }
    }

    @Test("the wrong key is refused before any share is fetched")
    func wrongKey() async throws {
        let blocks = MemoryPrivateBlocks()
        let file = try Self.encode(Array("secret".utf8), Self.small, into: blocks)
        #expect(throws: PrivateFileError.wrongKey) { _ = try PrivateFileReader(manifest: file.manifest, key: .random()) }
    }

    @Test("a verify-cap's checker finds and rebuilds lost and damaged shares without the key")
    func checkAndRepair() async throws {
        let bytes = TestBytes.random(seed: 8, count: 40_000)
        let blocks = MemoryPrivateBlocks()
        let file = try Self.encode(bytes, Self.small, into: blocks)
        let table = try blocks.table(0, of: file.manifest)
        let lost = table.shareCIDs(row: 1)[2]
        let damaged = table.shareCIDs(row: 3)[6]
        blocks[lost] = nil
        blocks[damaged]?[10] ^= 0xff
        // The checker is built from the manifest alone: nothing in it can decrypt.
        let checker = try PrivateFileChecker(manifest: PrivateManifest(decoding: try #require(blocks[file.manifestCID])))
        var reports: [SegmentHealth] = []
        let before = try await checker.check(from: blocks) { reports.append($0) }
        #expect(before.degradedSegments == 2 && before.minimumValidShares == 6 && before.manifestConsistent)
        #expect(reports[1].missing == [2] && reports[3].damaged == [6])
        let repaired = try await checker.check(from: blocks, repairInto: blocks)
        #expect(repaired.repairedShares == 2)
        let after = try await checker.check(from: blocks)
        #expect(after.isHealthy && after.healthySegments == file.manifest.layout.segmentCount)
        #expect(try await blocks.read(file.manifest, key: file.key) == bytes)
    }

    @Test("convergent keys: same owner and bytes dedupe, another owner's secret gives another file")
    func convergent() throws {
        let bytes = TestBytes.random(seed: 10, count: 9000)
        let secret = ConvergenceSecret.random()
        let input = MemoryPlaintextInput(bytes)
        let keyA = try PrivateFileEncoder.convergentKey(for: input, parameters: Self.small, secret: secret)
        let keyB = try PrivateFileEncoder.convergentKey(for: input, parameters: Self.small, secret: secret)
        let keyOther = try PrivateFileEncoder.convergentKey(for: input, parameters: Self.small, secret: .random())
        let key3of8 = try PrivateFileEncoder.convergentKey(
            for: input, parameters: ErasureParameters(dataShareCount: 3, totalShareCount: 8, segmentByteCount: 4096), secret: secret)
        #expect(keyA == keyB && keyA != keyOther && keyA != key3of8)
        let blocks = MemoryPrivateBlocks()
        let first = try Self.encode(bytes, Self.small, key: keyA, into: blocks)
        let count = blocks.count
        let second = try Self.encode(bytes, Self.small, key: keyB, into: blocks)
        #expect(first.manifestCID == second.manifestCID && blocks.count == count)
    }

    @Test("stored sizes hide the exact plaintext size")
    func paddingHidesSize() throws {
        let a = try PrivateLayout(parameters: .standard, plaintextByteCount: 1_000_000)
        let b = try PrivateLayout(parameters: .standard, plaintextByteCount: 1_010_000)
        #expect(a.storedByteCount == b.storedByteCount)
    }

    @Test("parameters: K/N parsing and limits")
    func parameters() throws {
        #expect(try ErasureParameters(shares: "3/10").totalShareCount == 10)
        for bad in ["10/10", "0/5", "5/3", "3/256", "3", "a/b", "3/10/2"] {
            #expect(throws: PrivateFileError.self) { _ = try ErasureParameters(shares: bad) }
        }
        #expect(throws: PrivateFileError.self) {
            try ErasureParameters(dataShareCount: 1, totalShareCount: 2, segmentByteCount: 8 << 20).validate()
        }
    }
}

enum TestBytes {
    static func random(seed: UInt64, count: Int) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        return random.bytes(count)
    }
}
