import CairnTestSupport
import Foundation
import Synchronization
import CairnCore
import Testing
@testable import CairnDAG

@Suite struct FileImporterTests {
    struct Vector: Sendable, CustomStringConvertible {
        let name: String
        let bytes: @Sendable () -> [UInt8]
        let v0: String
        let v1: String
        var description: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "empty", bytes: { [] }, v0: "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
               v1: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
        Vector(name: "hello world\\n", bytes: { Array("hello world\n".utf8) }, v0: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
               v1: "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"),
        Vector(name: "hello world", bytes: { Array("hello world".utf8) }, v0: "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD",
               v1: "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"),
        Vector(name: "pat 262144", bytes: { TestData.pattern(count: 262_144) }, v0: "QmeqfRyS3vkku7n6krqC3DgGMex3x2sCpSeKMDmrG13QQq",
               v1: "bafkreibruh455iawsviqslif5c7uurdcfdemh22mtnytyzvnzn75kpejxy"),
        Vector(name: "pat 262145", bytes: { TestData.pattern(count: 262_145) }, v0: "QmUSjGawaz4ptvREcMKSMJneWCa5j8dAz2wSAAvHtW2rnB",
               v1: "bafybeiexg2oqkfnj56l7fcmawswqbijt5shq4b5rg6a546uwpkqqzwjioi"),
        Vector(name: "pat 1000000", bytes: { TestData.pattern(count: 1_000_000) }, v0: "QmVUbzigHKQR2y8wSt2KwZp92AC9Utfms5nEUHwttK4Yq9",
               v1: "bafybeibx62obrkybp46hx3ivh53q4rnptgkunpgtwiib5lfelfgt2ekihm"),
        Vector(name: "zeros 1048576", bytes: { [UInt8](repeating: 0, count: 1_048_576) }, v0: "QmVkbauSDEaMP4Tkq6Epm9uW75mWm136n81YH8fGtfwdHU",
               v1: "bafybeiggzq4ryi7hscq5hzvzcnk4urnxt3asp37dhgvnjilf7exskximla"),
        Vector(name: "pat 174 chunks", bytes: { TestData.pattern(count: 174 * 262_144) }, v0: "QmXCym15aFeWjAWyPFaAgwVmkuKB7EBsV77Skt54KmxChF",
               v1: "bafybeihpe5snhzneq7xs53nivmsopto5lrogo3wjynauqylqeym5a3irbm"),
        Vector(name: "pat 174 chunks + 1", bytes: { TestData.pattern(count: 174 * 262_144 + 1) }, v0: "QmTedsTekQQkgACJXb1sPZSW8bLdS9LPMrT7L4YdjNRd4n",
               v1: "bafybeib4y7ghw2rq7bracc4xwtxrbzo7cfvagdpte2tmrkgwl6dyard3cm"),
    ]

    @Test(arguments: vectors)
    func kuboVectors(_ vector: Vector) async throws {
        let bytes = vector.bytes()
        let store0 = TestBlockStore()
        let r0 = try await FileImporter().importBytes(bytes, into: store0)
        #expect(r0.cid.description == vector.v0)
        #expect(r0.fileSize == UInt64(bytes.count))
        let store1 = TestBlockStore()
        let r1 = try await FileImporter(options: .init(cidVersion: .v1)).importBytes(bytes, into: store1)
        #expect(r1.cid.description == vector.v1)
        #expect(r1.fileSize == UInt64(bytes.count))
    }

    @Test func helloWorldLeafBlock() async throws {
        let store = TestBlockStore()
        let r = try await FileImporter().importBytes(Array("hello world\n".utf8), into: store)
        #expect(store.bytes(r.cid) == TestData.hex("0a12080212 0c 68656c6c6f20776f726c640a 180c"))
        #expect(r.tsize == 20)
    }

    @Test func emptyFileBlock() async throws {
        let store = TestBlockStore()
        let r = try await FileImporter().importBytes([], into: store)
        #expect(store.bytes(r.cid) == [0x0a, 0x04, 0x08, 0x02, 0x18, 0x00])
        #expect(r.tsize == 6)
    }

    @Test func workedExampleRootBlock() async throws {
        let store = TestBlockStore()
        let r = try await FileImporter().importBytes(TestData.pattern(count: 262_145), into: store)
        let root = try #require(store.bytes(r.cid))
        let node = try PBNode(decoding: root)
        #expect(node.encoded() == root)
        #expect(node.links.count == 2)
        #expect(node.links.map(\.tsize) == [262_158, 9])
        #expect(node.links.map(\.name) == ["", ""])
        #expect(Base16.encode(Array(root.suffix(14))) == "0a0c0802188180102080801020" + "01")
        #expect(Base16.encode(Array(root.prefix(4))) == "122a0a22")
        #expect(r.tsize == UInt64(root.count) + 262_158 + 9)
        #expect(store.count == 3)
    }

    @Test func fileOnDiskMatchesMemory() async throws {
        let bytes = TestData.pattern(count: 700_001)
        let path = "/tmp/cairn-dag-test-\(UInt64.random(in: 0...UInt64.max))"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = try await FileImporter().importFile(atPath: path, into: TestBlockStore())
        let b = try await FileImporter().importBytes(bytes, into: TestBlockStore())
        #expect(a == b)
    }

    @Test func streamInputMatchesPositional() async throws {
        let bytes = TestData.pattern(count: 5 * 262_144 + 3)
        let path = "/tmp/cairn-dag-stream-\(UInt64.random(in: 0...UInt64.max))"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let a = try await FileImporter().importFile(from: StreamChunkInput(fileDescriptor: fd), into: TestBlockStore())
        let b = try await FileImporter().importBytes(bytes, into: TestBlockStore())
        #expect(a == b)
    }

    @Test func smallChunksAndNarrowNodes() async throws {
        let options = FileImporter.Options(chunker: try Chunker(byteCount: 256), linksPerNode: 3)
        let bytes = TestData.pattern(count: 256 * 10 + 7)
        let store = TestBlockStore()
        let r = try await FileImporter(options: options).importBytes(bytes, into: store)
        #expect(r.fileSize == UInt64(bytes.count))
        // 11 leaves with 3 links per node: depth 3 (27 ≥ 11 > 9).
        let root = try PBNode(decoding: try #require(store.bytes(r.cid)))
        #expect(root.links.count == 2)
    }

    @Test func progressReportsAllBytes() async throws {
        let done = Mutex<UInt64>(0)
        let bytes = TestData.pattern(count: 3 * 262_144 + 5)
        _ = try await FileImporter().importFile(from: MemoryChunkInput(bytes), into: TestBlockStore()) { n in
            done.withLock { $0 = n }
        }
        #expect(done.withLock { $0 } == UInt64(bytes.count))
    }

    @Test func chunkerParsing() throws {
        #expect(try Chunker(parsing: "size-262144") == .default)
        #expect(try Chunker(parsing: "") == .default)
        #expect(try Chunker(parsing: "size-1048576").byteCount == 1_048_576)
        #expect(throws: DAGError.self) { try Chunker(parsing: "size-0") }
        #expect(throws: DAGError.self) { try Chunker(parsing: "size--5") }
        #expect(throws: DAGError.self) { try Chunker(parsing: "size-1048577") }
        #expect(throws: DAGError.self) { try Chunker(parsing: "rabin") }
        #expect(throws: DAGError.self) { try Chunker(parsing: "size-abc") }
    }
}
