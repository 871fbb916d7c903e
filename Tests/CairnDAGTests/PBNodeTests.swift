import CairnTestSupport
import CairnCore
import Testing
@testable import CairnDAG

@Suite struct PBNodeTests {
    static func sampleBlock() async throws -> [UInt8] {
        let store = TestBlockStore()
        let r = try await FileImporter().importBytes(TestData.pattern(count: 262_145), into: store)
        return try #require(store.bytes(r.cid))
    }

    @Test func roundTripAndLayout() throws {
        let cid = try CID("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")
        let node = PBNode(links: [PBLink(cid: cid, name: "", tsize: 20)], data: [0x08, 0x01])
        let bytes = node.encoded()
        #expect(Base16.encode(Array(bytes.prefix(4))) == "12280a22")
        #expect(Base16.encode(Array(bytes.suffix(8))) == "120018140a020801")
        #expect(try PBNode(decoding: bytes) == node)
        #expect(try PBNode(decoding: []) == PBNode(data: nil))
    }

    @Test func truncationNeverTraps() async throws {
        let block = try await Self.sampleBlock()
        for cut in 0..<block.count {
            let prefix = Array(block.prefix(cut))
            if let node = try? PBNode(decoding: prefix) {
                // Only cuts on a link boundary decode, and then to a different, canonical node.
                #expect(node.encoded() == prefix)
                #expect(node.encoded() != block)
            }
        }
    }

    @Test(arguments: [
        ("0801", "wrong wire type for Data"),
        ("1001", "wrong wire type for Links"),
        ("1a00", "unknown field 3"),
        ("0a000a00", "duplicate Data"),
        ("0a00120412020a00", "Data before Links"),
        ("12021200", "link without Hash"),
        ("1203", "truncated link"),
        ("0a05", "truncated data"),
        ("12040a02ffff", "bad CID"),
        ("120422001200", "unknown link field 4"),
        ("12020a", "truncated Hash"),
        ("0aff", "truncated length varint"),
        ("0affffffffffffffffffff01", "overlong varint"),
    ])
    func rejects(_ hex: String, _ why: String) {
        #expect(throws: DAGError.self, "\(why)") { try PBNode(decoding: TestData.hex(hex)) }
    }

    @Test func rejectsLinkFieldsOutOfOrder() throws {
        let cid = try CID("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o").bytes
        var body: [UInt8] = [0x12, 0x00, 0x0a, UInt8(cid.count)] + cid
        #expect(throws: DAGError.self) { try PBNode(decoding: [0x12, UInt8(body.count)] + body) }
        body = [0x0a, UInt8(cid.count)] + cid + [0x18, 0x01, 0x18, 0x02]
        #expect(throws: DAGError.self) { try PBNode(decoding: [0x12, UInt8(body.count)] + body) }
        body = [0x0a, UInt8(cid.count)] + cid + [0x12, 0x01, 0xff]
        #expect(throws: DAGError.invalidName(context: "PBLink[0]")) { try PBNode(decoding: [0x12, UInt8(body.count)] + body) }
    }

    @Test func rejectsOversizedBlock() {
        let big = [UInt8](repeating: 0, count: DAGLimits.maximumBlockByteCount + 1)
        #expect(throws: DAGError.tooLarge(context: "dag-pb block", byteCount: big.count, limit: DAGLimits.maximumBlockByteCount)) {
            try PBNode(decoding: big)
        }
    }

    @Test func arbitraryBytesNeverTrap() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? PBNode(decoding: bytes)
            _ = try? UnixFSData(decoding: bytes)
        }
    }
}

@Suite struct UnixFSDataTests {
    @Test func fileLayoutUnpackedBlocksizes() throws {
        let data = UnixFSData(type: .file, fileSize: 262_145, blockSizes: [262_144, 1])
        #expect(Base16.encode(data.encoded()) == "0802188180102080801020" + "01")
        #expect(try UnixFSData(decoding: data.encoded()) == data)
    }

    @Test func packedBlocksizesAccepted() throws {
        let decoded = try UnixFSData(decoding: TestData.hex("0802 1803 2202 0201"))
        #expect(decoded.blockSizes == [2, 1])
    }

    @Test func directoryAndShardLayout() throws {
        #expect(UnixFSData(type: .directory).encoded() == [0x08, 0x01])
        let shard = UnixFSData(type: .hamtShard, data: [0x01, 0x80], hashType: 0x22, fanout: 256)
        #expect(Base16.encode(shard.encoded()) == "0805120201802822308002")
        #expect(try UnixFSData(decoding: shard.encoded()) == shard)
    }

    @Test func modeAndMtimeRoundTrip() throws {
        let value = UnixFSData(type: .file, fileSize: 0, mode: 0o644,
                               modificationTime: .init(seconds: -5, nanoseconds: 7))
        #expect(try UnixFSData(decoding: value.encoded()) == value)
    }

    @Test func rejectsMissingOrUnknownType() {
        #expect(throws: DAGError.self) { try UnixFSData(decoding: [0x18, 0x00]) }
        #expect(throws: DAGError.self) { try UnixFSData(decoding: [0x08, 0x09]) }
        #expect(throws: DAGError.self) { try UnixFSData(decoding: [0x08]) }
        #expect(throws: DAGError.self) { try UnixFSData(decoding: [0x0a, 0x00]) }
    }
}
