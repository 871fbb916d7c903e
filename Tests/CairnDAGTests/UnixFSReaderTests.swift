import CairnTestSupport
import CairnCore
import Testing
@testable import CairnDAG

@Suite struct UnixFSReaderTests {
    static func read(_ reader: UnixFSReader, _ cid: CID, offset: UInt64, length: UInt64?) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await reader.read(cid, offset: offset, length: length) { out.append(contentsOf: $0) }
        return out
    }

    @Test(arguments: [CID.Version.v0, .v1])
    func randomAccessMultiLevel(_ version: CID.Version) async throws {
        let bytes = TestData.pattern(count: 40_000)
        let store = TestBlockStore()
        let options = FileImporter.Options(chunker: try Chunker(byteCount: 100), cidVersion: version, linksPerNode: 5)
        let r = try await FileImporter(options: options).importBytes(bytes, into: store)  // 400 leaves, depth 4
        let reader = UnixFSReader(source: store)
        #expect(try await reader.readAll(r.cid) == bytes)
        var rng = SeededRandom(seed: 42)
        for _ in 0..<200 {
            let offset = Int.random(in: 0...bytes.count, using: &rng)
            let length = Int.random(in: 0...3000, using: &rng)
            let expected = Array(bytes[offset..<min(bytes.count, offset + length)])
            #expect(try await Self.read(reader, r.cid, offset: UInt64(offset), length: UInt64(length)) == expected)
        }
        #expect(try await Self.read(reader, r.cid, offset: 39_990, length: nil) == Array(bytes[39_990...]))
        await #expect(throws: DAGError.rangeOutOfBounds(offset: 40_001, fileSize: 40_000)) {
            _ = try await Self.read(reader, r.cid, offset: 40_001, length: 1)
        }
    }

    @Test func largeDefaultFileRanges() async throws {
        let bytes = TestData.pattern(count: 3 * 262_144 + 17)
        let store = TestBlockStore()
        let r = try await FileImporter().importBytes(bytes, into: store)
        let reader = UnixFSReader(source: store)
        for (offset, length) in [(0, 10), (262_140, 10), (524_287, 262_146), (786_432, 100)] {
            let expected = Array(bytes[offset..<min(bytes.count, offset + length)])
            #expect(try await Self.read(reader, r.cid, offset: UInt64(offset), length: UInt64(length)) == expected)
        }
        #expect(try await reader.info(r.cid) == .init(kind: .file, fileSize: UInt64(bytes.count)))
    }

    @Test func trickleStyleNodeWithInlineDataAndIdentityLeaf() async throws {
        let store = TestBlockStore()
        let leafA = Array("0123456789".utf8)
        let a = try BlockHasher.store(leafA, codec: .raw, version: .v1, sink: store)
        let identity = CID(v1: .raw, try Multihash(function: .identity, digest: Array("XYZ".utf8)))
        let data = UnixFSData(type: .file, data: Array("abc".utf8), fileSize: 16, blockSizes: [10, 3]).encoded()
        let root = try BlockHasher.store(PBNode(links: [PBLink(cid: a, tsize: 10), PBLink(cid: identity, tsize: 3)], data: data).encoded(),
                                         codec: .dagPB, version: .v0, sink: store)
        let reader = UnixFSReader(source: store)
        #expect(try await reader.readAll(root) == Array("abc0123456789XYZ".utf8))
        #expect(try await Self.read(reader, root, offset: 2, length: 3) == Array("c01".utf8))
        #expect(try await Self.read(reader, root, offset: 12, length: 10) == Array("9XYZ".utf8))
    }

    @Test func hamtResolutionAndListing() async throws {
        let store = TestBlockStore()
        let dir = try await DirectoryBuilderTests.shardingFixture(version: .v0, threshold: 1, store: store)
        let reader = UnixFSReader(source: store)
        for i in [1, 7, 100, 1999, 2000] {
            let cid = try await reader.resolve("/ipfs/\(dir.cid)/file\(i)")
            #expect(try await reader.readAll(cid) == Array("\(i)\n".utf8))
        }
        #expect(try await reader.resolve("\(dir.cid)/file100").description == "QmZ3RfWk1u5LEGYLHA633B5TNJy3Du27K6Fny9wcxpowGS")
        await #expect(throws: DAGError.self) { _ = try await reader.resolve("\(dir.cid)/file2001") }
        let entries = try await reader.list(dir.cid, resolveKinds: false)
        #expect(entries.count == 2000)
        #expect(Set(entries.map(\.name)) == Set((1...2000).map { "file\($0)" }))
    }

    @Test func basicDirectoryResolutionAndListing() async throws {
        let store = TestBlockStore()
        let file = try await FileImporter().importBytes(Array("hello world\n".utf8), into: store)
        var inner = DirectoryBuilder()
        try inner.add(name: "hello.txt", cid: file.cid, tsize: file.tsize)
        let innerDir = try inner.build(into: store)
        var outer = DirectoryBuilder()
        try outer.add(name: "sub", cid: innerDir.cid, tsize: innerDir.tsize)
        let (link, _) = try TreeImporter.storeSymlink(target: Array("sub/hello.txt".utf8), version: .v0, sink: store)
        try outer.add(name: "ln", cid: link, tsize: 0)
        let root = try outer.build(into: store)
        let reader = UnixFSReader(source: store)
        #expect(try await reader.resolve("\(root.cid)/sub/hello.txt") == file.cid)
        let entries = try await reader.list(root.cid)
        #expect(entries.map(\.name) == ["ln", "sub"])
        #expect(entries.map(\.kind) == [.symlink, .directory])
        await #expect(throws: DAGError.self) { _ = try await reader.resolve("\(root.cid)/sub/hello.txt/x") }
        await #expect(throws: DAGError.self) { _ = try await reader.readAll(root.cid) }
        let sub = try await reader.list(innerDir.cid)
        #expect(sub == [.init(name: "hello.txt", cid: file.cid, tsize: 20, kind: .file, fileSize: 12)])
    }

    @Test func linksAndWalker() async throws {
        let store = TestBlockStore()
        let r = try await FileImporter(options: .init(cidVersion: .v1)).importBytes(TestData.pattern(count: 3 * 262_144), into: store)
        let root = try await store.block(r.cid)
        let children = try links(of: root)
        #expect(children.count == 3)
        #expect(try links(of: try await store.block(children[0])).isEmpty)
        var visited: [CID] = []
        try await DAGWalker(source: store).walk(from: r.cid) { visited.append($0.cid) }
        #expect(visited == [r.cid] + children)
        let cbor = try Block(data: [0xa0], codec: .dagCBOR, version: .v1)
        #expect(throws: DAGError.self) { try links(of: cbor) }
    }

    @Test func propertyImportThenReadBack() async throws {
        let seed: UInt64 = 0xCA1A_2026
        var rng = SeededRandom(seed: seed)
        for round in 0..<40 {
            let size = Int.random(in: 0...5000, using: &rng)
            let chunk = Int.random(in: 1...700, using: &rng)
            let width = Int.random(in: 2...8, using: &rng)
            let version: CID.Version = Bool.random(using: &rng) ? .v1 : .v0
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let store = TestBlockStore()
            let options = FileImporter.Options(chunker: try Chunker(byteCount: chunk), cidVersion: version, linksPerNode: width)
            let r = try await FileImporter(options: options).importBytes(bytes, into: store)
            let reader = UnixFSReader(source: store)
            let back = try await reader.readAll(r.cid)
            #expect(back == bytes, "seed \(seed) round \(round) size \(size) chunk \(chunk) width \(width)")
            #expect(r.fileSize == UInt64(size))
            var total: UInt64 = 0
            try await DAGWalker(source: store).walk(from: r.cid) { total += UInt64($0.data.count) }
            if size > 0 { #expect(r.tsize == total, "seed \(seed) round \(round)") }
        }
    }
}
