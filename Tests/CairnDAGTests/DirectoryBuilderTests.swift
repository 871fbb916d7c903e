import CairnTestSupport
import CairnCore
import Foundation
import Testing
@testable import CairnDAG

@Suite struct DirectoryBuilderTests {
    /// kubo t0260-sharding.sh: 2000 files file1…file2000 holding "$i\n".
    static func shardingFixture(version: CID.Version, threshold: Int, store: TestBlockStore) async throws -> DirectoryBuilder.Result {
        let importer = FileImporter(options: .init(cidVersion: version))
        var dir = DirectoryBuilder(cidVersion: version, shardingThreshold: threshold)
        for i in 1...2000 {
            let r = try await importer.importBytes(Array("\(i)\n".utf8), into: store)
            try dir.add(name: "file\(i)", cid: r.cid, tsize: r.tsize)
        }
        return try dir.build(into: store)
    }

    @Test func basic2000Files() async throws {
        let r = try await Self.shardingFixture(version: .v0, threshold: DAGLimits.hamtShardingSize, store: TestBlockStore())
        #expect(!r.isSharded)
        #expect(r.cid.description == "QmavrTrQG4VhoJmantURAYuw3bowq3E2WcvP36NRQDAC1N")
    }

    @Test func forcedHAMTv0() async throws {
        let r = try await Self.shardingFixture(version: .v0, threshold: 1, store: TestBlockStore())
        #expect(r.isSharded)
        #expect(r.cid.description == "QmSCJD1KYLhVVHqBK3YyXuoEqHt7vggyJhzoFYbT8v1XYL")
    }

    @Test func forcedHAMTv1() async throws {
        let r = try await Self.shardingFixture(version: .v1, threshold: 1, store: TestBlockStore())
        #expect(r.cid.description == "bafybeibiemewfzzdyhq2l74wrd6qj2oz42usjlktgnlqv4yfawgouaqn4u")
    }

    @Test func file100() async throws {
        let r = try await FileImporter().importBytes(Array("100\n".utf8), into: TestBlockStore())
        #expect(r.cid.description == "QmZ3RfWk1u5LEGYLHA633B5TNJy3Du27K6Fny9wcxpowGS")
    }

    @Test func emptyDirectory() throws {
        let store = TestBlockStore()
        #expect(try DirectoryBuilder().build(into: store).cid.description == "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn")
        #expect(try DirectoryBuilder(cidVersion: .v1, shardingThreshold: 1).build(into: store).cid.description
                == "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354")
    }

    @Test func symlinkBlock() throws {
        let store = TestBlockStore()
        let (cid, tsize) = try TreeImporter.storeSymlink(target: Array("target".utf8), version: .v0, sink: store)
        #expect(store.bytes(cid) == TestData.hex("0a0a08041206746172676574"))
        #expect(tsize == 12)
    }

    @Test func unicodeNamesSortByBytes() throws {
        let store = TestBlockStore()
        let leaf = try Block(data: [], codec: .raw, version: .v1)
        var dir = DirectoryBuilder()
        // "é" precomposed (C3 A9) vs decomposed "e\u{301}" (65 CC 81), "Z", "a", "ä" (C3 A4), emoji (F0 9F…).
        let names = ["\u{e9}", "e\u{301}", "Z", "a", "\u{e4}", "\u{1F600}", "ab"]
        for n in names { try dir.add(name: n, cid: leaf.cid, tsize: 0) }
        let r = try dir.build(into: store)
        let node = try PBNode(decoding: try #require(store.bytes(r.cid)))
        #expect(node.links.map { Array($0.name.utf8) } == [
            Array("Z".utf8), Array("a".utf8), Array("ab".utf8), [0x65, 0xCC, 0x81], [0xC3, 0xA4], [0xC3, 0xA9], [0xF0, 0x9F, 0x98, 0x80],
        ])
        #expect(node.data == [0x08, 0x01])
    }

    @Test func rejectsBadNames() throws {
        let leaf = try Block(data: [], codec: .raw, version: .v1)
        var dir = DirectoryBuilder()
        #expect(throws: DAGError.self) { try dir.add(name: "", cid: leaf.cid, tsize: 0) }
        #expect(throws: DAGError.self) { try dir.add(name: "a/b", cid: leaf.cid, tsize: 0) }
        try dir.add(name: "x", cid: leaf.cid, tsize: 0)
        #expect(throws: DAGError.duplicateEntry(name: "x")) { try dir.add(name: "x", cid: leaf.cid, tsize: 0) }
    }

    @Test func treeImporterOnDisk() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-tree-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try Data("hello world\n".utf8).write(to: URL(fileURLWithPath: root + "/hello.txt"))
        try Data("secret".utf8).write(to: URL(fileURLWithPath: root + "/.hidden"))
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "target")
        let store = TestBlockStore()
        let r = try await TreeImporter().importPath(root, into: store)
        #expect(r.kind == .directory)
        let node = try PBNode(decoding: try #require(store.bytes(r.cid)))
        #expect(node.links.map(\.name) == ["hello.txt", "link", "sub"])
        #expect(node.links[0].cid.description == "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")
        #expect(node.links[2].cid.description == "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn")
        #expect(node.links[1].tsize == 12)
        let withHidden = try await TreeImporter(options: .init(includeHidden: true)).importPath(root, into: store)
        let node2 = try PBNode(decoding: try #require(store.bytes(withHidden.cid)))
        #expect(node2.links.map(\.name) == [".hidden", "hello.txt", "link", "sub"])

        // Export and re-import round trip (ipfs get).
        let out = root + "-out"
        defer { try? FileManager.default.removeItem(atPath: out) }
        try await UnixFSExporter(reader: UnixFSReader(source: store)).export(withHidden.cid, to: out)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/link") == "target")
        let again = try await TreeImporter(options: .init(includeHidden: true)).importPath(out, into: store)
        #expect(again.cid == withHidden.cid)
    }
}

@Suite struct Murmur3Tests {
    @Test(arguments: [
        ("", UInt64(0)), ("hello", 0xcbd8_a7b3_41bd_9b02), ("hello, world", 0x342f_ac62_3a5e_bc8e),
        ("The quick brown fox jumps over the lazy dog.", 0xcd99_481f_9ee9_02c9), ("file1", 0x4997_28c4_d21b_6ed4),
    ])
    func vectors(_ input: String, _ expected: UInt64) {
        #expect(Murmur3.hash64(input.utf8) == expected)
    }
}

@Suite struct HAMTPropertyTests {
    @Test func thresholdBoundaryIsInclusive() throws {
        let leaf = try Block(data: [], codec: .raw, version: .v1)  // 36-byte binary CID
        var dir = DirectoryBuilder(cidVersion: .v1, shardingThreshold: 2 * (36 + 3))
        try dir.add(name: "abc", cid: leaf.cid, tsize: 0)
        #expect(!dir.willShard)
        try dir.add(name: "def", cid: leaf.cid, tsize: 0)
        #expect(dir.estimatedByteCount == 78)
        #expect(dir.willShard)
        dir.shardingThreshold = 79
        #expect(!dir.willShard)
    }

    @Test func randomNamesResolveAndList() async throws {
        var rng = SeededRandom(seed: 0x4A4D)
        for round in 0..<4 {
            let store = TestBlockStore()
            var dir = DirectoryBuilder(cidVersion: round % 2 == 0 ? .v0 : .v1, shardingThreshold: 1)
            var expected: [String: CID] = [:]
            let count = Int.random(in: 1...600, using: &rng)
            while expected.count < count {
                let length = Int.random(in: 1...12, using: &rng)
                let name = String((0..<length).map { _ in "abcdefghijklmnopqrstuvwxyzé😀-_.".randomElement(using: &rng) ?? "a" })
                guard expected[name] == nil, name != ".", name != ".." else { continue }
                let file = try await FileImporter().importBytes(Array(name.utf8), into: store)
                try dir.add(name: name, cid: file.cid, tsize: file.tsize)
                expected[name] = file.cid
            }
            let root = try dir.build(into: store)
            #expect(root.isSharded)
            let reader = UnixFSReader(source: store)
            for (name, cid) in expected.prefix(100) {
                #expect(try await reader.resolve(root: root.cid, components: [name]) == cid, "round \(round) \(name)")
            }
            let listed = try await reader.list(root.cid, resolveKinds: false)
            #expect(Dictionary(uniqueKeysWithValues: listed.map { ($0.name, $0.cid) }) == expected)
            // Tsize of the root = every block reachable once (files are distinct here).
            var total: UInt64 = 0
            try await DAGWalker(source: store).walk(from: root.cid) { total += UInt64($0.data.count) }
            #expect(root.tsize == total)
        }
    }
}

@Suite struct TreeImporterErrorTests {
    @Test func fifoIsRejected() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-fifo-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try #require(mkfifo(root + "/pipe", 0o644) == 0)
        await #expect(throws: DAGError.unsupportedFileType(path: root + "/pipe", type: "FIFO")) {
            _ = try await TreeImporter().importPath(root, into: TestBlockStore())
        }
        await #expect(throws: DAGError.self) {
            _ = try await TreeImporter().importPath(root + "/missing", into: TestBlockStore())
        }
    }
}
