import CairnCore
import CairnNet
import CairnTestSupport
import Testing

@testable import CairnExchange

/// Hand-written Bitswap 1.2.0 byte vectors (fields commented) and round trips.
@Suite struct BitswapMessageTests {
    typealias V = BitswapTestVectors

    /// Kubo 0.22's broadcast want-have to a newly connected peer: priority Int32.max, no sendDontHave.
    static let kuboBroadcastWantHave = V.hex("""
        0a 30                 # Message.wantlist (field 1, 48 bytes)
          0a 2e               #   Wantlist.entries (field 1, 46 bytes)
            0a 24             #     Entry.block (field 1, 36 bytes): CIDv1 raw sha2-256
              01 55 12 20 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            10 ff ff ff ff 07 #     Entry.priority (field 2) = 2147483647
            20 01             #     Entry.wantType (field 4) = Have; cancel, sendDontHave absent (false)
        """)

    /// Kubo's DontHave answer for a CIDv0, with the empty wantlist field kubo puts in every response.
    static let kuboDontHaveV0 = V.hex("""
        0a 00                 # Message.wantlist (field 1), empty
        22 26                 # Message.blockPresences (field 4, 38 bytes)
          0a 22               #   BlockPresence.cid (field 1, 34 bytes): a CIDv0 is the bare multihash
            12 20 a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447
          10 01               #   BlockPresence.type (field 2) = DontHave
        """)

    /// Kubo's answer to a want-have for the 12-byte raw block `hello world\n`: the block itself (≤ 1024 bytes).
    static let kuboSmallBlockPayload = V.hex("""
        0a 00                 # Message.wantlist (field 1), empty
        1a 14                 # Message.payload (field 3, 20 bytes)
          0a 04 01 55 12 20   #   Block.prefix (field 1): CIDv1, raw, sha2-256, 32-byte digest
          12 0c 68656c6c6f20776f726c640a  # Block.data (field 2): "hello world\\n"
        """)

    @Test func decodesKuboBroadcastWantHave() throws {
        let message = try BitswapMessage(decoding: Self.kuboBroadcastWantHave)
        let wantlist = try #require(message.wantlist)
        #expect(!wantlist.full)
        #expect(wantlist.entries == [
            .init(cid: V.emptyRawCID, priority: .max, cancel: false, wantType: .have, sendDontHave: false)
        ])
        #expect(message.emptyOtherwise)
        #expect(message.encoded() == Self.kuboBroadcastWantHave)
    }

    @Test func decodesDontHaveForCIDv0WithEmptyWantlist() throws {
        let message = try BitswapMessage(decoding: Self.kuboDontHaveV0)
        #expect(message.wantlist == BitswapMessage.Wantlist(entries: [], full: false))
        #expect(message.blockPresences == [.init(cid: V.helloV0CID, type: .dontHave)])
        #expect(message.blockPresences.first?.cid.version == .v0)
        #expect(message.encoded() == Self.kuboDontHaveV0)
    }

    @Test func decodesSmallBlockPayloadIntoVerifiedBlock() throws {
        let message = try BitswapMessage(decoding: Self.kuboSmallBlockPayload)
        let payload = try #require(message.payload.first)
        let block = try payload.verifiedBlock(wanted: V.helloRawCID)
        #expect(block.cid == V.helloRawCID)
        #expect(block.data == V.helloData)
        #expect(message.encoded() == Self.kuboSmallBlockPayload)
        #expect(BitswapMessage(wantlist: .init(), payload: [.init(block)]).encoded() == Self.kuboSmallBlockPayload)
    }

    @Test func cidV0PrefixIsKubos() throws {
        let prefix = BlockPrefix(V.helloV0CID)
        #expect(prefix.bytes == [0x00, 0x70, 0x12, 0x20])
        #expect(try BlockPrefix(bytes: [0x00, 0x70, 0x12, 0x20]) == prefix)
        // A version 0 payload hashes to a CIDv0 (bare multihash), not a CIDv1 dag-pb.
        let block = try BitswapMessage.PayloadBlock(prefix: prefix, data: V.helloData).verifiedBlock()
        #expect(block.cid == V.helloV0CID)
        #expect(block.cid.bytes.prefix(2) == [0x12, 0x20])
    }

    @Test(arguments: [
        ("01 70 12 20 00", "trailing byte"),
        ("00 55 12 20", "CIDv0 must be dag-pb"),
        ("00 70 12 14", "CIDv0 must be 32 bytes"),
        ("02 55 12 20", "unknown version"),
        ("01 55 12 00", "zero-length digest"),
        ("01 55 12", "truncated"),
        ("", "empty"),
        ("01 55 12 81 01", "digest longer than 128 bytes"),
    ])
    func rejectsBadPrefixes(hexBytes: String, reason: String) {
        #expect(throws: BitswapError.self, "\(reason)") { try BlockPrefix(bytes: V.hex(hexBytes)) }
    }

    @Test func blockOfAnotherCIDIsUnwanted() throws {
        let payload = BitswapMessage.PayloadBlock(prefix: BlockPrefix(V.helloRawCID), data: V.helloData)
        #expect(throws: BitswapError.unwantedBlock(received: V.helloRawCID, wanted: V.emptyRawCID)) {
            try payload.verifiedBlock(wanted: V.emptyRawCID)
        }
        // Same data under a v0 prefix is a different CID from the raw one the peer asked for.
        let v0 = BitswapMessage.PayloadBlock(prefix: BlockPrefix(V.helloV0CID), data: V.helloData)
        #expect(throws: BitswapError.self) { try v0.verifiedBlock(wanted: V.helloRawCID) }
    }

    @Test func truncatedDigestPrefixGivesTruncatedCID() throws {
        let prefix = try BlockPrefix(bytes: V.hex("01 55 12 14"))  // sha2-256 truncated to 20 bytes
        let block = try BitswapMessage.PayloadBlock(prefix: prefix, data: V.helloData).verifiedBlock()
        #expect(block.cid.multihash.digest == Array(V.hex(V.helloDigest).prefix(20)))
    }

    @Test func unsupportedHashFunctionIsUnverifiable() throws {
        let prefix = try BlockPrefix(bytes: V.hex("01 55 a0 e4 02 20"))  // blake2b-256 (0xb220), not supported here
        #expect(throws: BitswapError.self) {
            try BitswapMessage.PayloadBlock(prefix: prefix, data: V.helloData).verifiedBlock()
        }
    }

    @Test func fullMessageRoundTrips() throws {
        let message = BitswapMessage(
            wantlist: .init(entries: [
                .init(cid: V.helloV0CID, priority: -5, cancel: false, wantType: .block, sendDontHave: true),
                .init(cid: V.emptyRawCID, priority: 0, cancel: true, wantType: .have, sendDontHave: false),
            ], full: true),
            blocks: [V.helloData, []],
            payload: [.init(prefix: BlockPrefix(V.helloV0CID), data: V.helloData)],
            blockPresences: [.init(cid: V.emptyRawCID, type: .have), .init(cid: V.helloV0CID, type: .dontHave)],
            pendingBytes: 123_456)
        let encoded = message.encoded()
        #expect(try BitswapMessage(decoding: encoded) == message)
        // A negative int32 is sign-extended to a 10-byte varint on the wire.
        #expect(encoded.contains(0xfb) && encoded.contains(0x01))
    }

    @Test func emptyMessageIsEmptyBytes() throws {
        #expect(BitswapMessage().encoded().isEmpty)
        #expect(try BitswapMessage(decoding: []) == BitswapMessage())
    }

    @Test func unknownFieldsAreSkipped() throws {
        // Message field 9 (varint) and field 10 (bytes) before the broadcast want; proto3 ignores them.
        let bytes = V.hex("48 07  52 02 aa bb") + Self.kuboBroadcastWantHave
        #expect(try BitswapMessage(decoding: bytes) == BitswapMessage(decoding: Self.kuboBroadcastWantHave))
    }

    @Test(arguments: [
        ("08 00", "wantlist as varint"),
        ("2a 00", "pendingBytes as bytes"),
        ("0a 02 08 00", "entries as varint"),
        ("0a 04 0a 02 08 01", "Entry.block as varint"),
        ("22 02 12 00", "presence cid as bytes of wrong type"),
        ("0b", "group wire type"),
        ("00", "field number 0"),
        ("28 80 80 80 80 10", "pendingBytes over int32"),
        ("0a 02 10 02", "full = 2 is not a bool"),
    ])
    func rejectsWrongWireTypesAndValues(hexBytes: String, reason: String) {
        #expect(throws: BitswapError.self, "\(reason)") { try BitswapMessage(decoding: V.hex(hexBytes)) }
    }

    @Test func rejectsUnknownEnumValuesAndMissingCIDs() {
        let wantType2 = V.hex("0a 08 0a 06 0a 02 12 00 20 02")  // Entry with wantType = 2
        #expect(throws: BitswapError.self) { try BitswapMessage(decoding: wantType2) }
        #expect(throws: BitswapError.invalidCID(field: "Entry.block", .empty(context: "CID"))) {
            try BitswapMessage(decoding: V.hex("0a 04 0a 02 10 01"))  // Entry with priority only
        }
        let presenceType7 = V.hex("22 26 0a 22 12 20" + V.helloDigest + "10 07")
        #expect(throws: BitswapError.unknownEnumValue(field: "BlockPresence.type", value: 7)) {
            try BitswapMessage(decoding: presenceType7)
        }
    }

    @Test func enforcesLimits() {
        let small = BitswapConfiguration(
            maximumMessageByteCount: 300, maximumBlockByteCount: 16, maximumWantlistEntryCountPerMessage: 2,
            maximumBlockCountPerMessage: 2, maximumBlockPresenceCountPerMessage: 2, targetOutgoingMessageByteCount: 200)
        let entries = (0..<3).map { BitswapMessage.WantlistEntry(cid: V.syntheticCID($0)) }
        #expect(throws: BitswapError.tooManyItems(what: "wantlist entries", count: 3, limit: 2)) {
            try BitswapMessage(decoding: BitswapMessage(wantlist: .init(entries: entries)).encoded(), configuration: small)
        }
        #expect(throws: BitswapError.tooManyItems(what: "blocks", count: 3, limit: 2)) {
            try BitswapMessage(decoding: BitswapMessage(blocks: [[1], [2], [3]]).encoded(), configuration: small)
        }
        let presences = (0..<3).map { BitswapMessage.BlockPresence(cid: V.syntheticCID($0), type: .have) }
        #expect(throws: BitswapError.tooManyItems(what: "block presences", count: 3, limit: 2)) {
            try BitswapMessage(decoding: BitswapMessage(blockPresences: presences).encoded(), configuration: small)
        }
        #expect(throws: BitswapError.blockTooLarge(byteCount: 17, limit: 16)) {
            try BitswapMessage(decoding: BitswapMessage(blocks: [Array(repeating: 0, count: 17)]).encoded(), configuration: small)
        }
        let bigPayload = BitswapMessage(payload: [.init(prefix: BlockPrefix(V.helloRawCID), data: Array(repeating: 1, count: 17))])
        #expect(throws: BitswapError.blockTooLarge(byteCount: 17, limit: 16)) {
            try BitswapMessage(decoding: bigPayload.encoded(), configuration: small)
        }
        #expect(throws: BitswapError.messageTooLarge(byteCount: 301, limit: 300)) {
            try BitswapMessage(decoding: Array(repeating: 0, count: 301), configuration: small)
        }
    }

    @Test func receivedBlocksCoverBitswap100AndPayload() throws {
        // Bitswap 1.0.0 `blocks` carry bare bytes whose CID is the CIDv0 of their sha2-256.
        let message = BitswapMessage(blocks: [V.helloData], payload: [.init(prefix: BlockPrefix(V.helloRawCID), data: V.helloData)])
        let blocks = try BitswapMessage(decoding: message.encoded()).receivedBlocks()
        #expect(blocks.map(\.cid) == [V.helloV0CID, V.helloRawCID])
        #expect(blocks.allSatisfy { $0.data == V.helloData })
    }

    @Test(arguments: UInt64(0)..<100)
    func randomMessagesRoundTrip(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        func cid() -> CID { V.syntheticCID(Int.random(in: 0..<1_000_000, using: &rng)) }
        let entries = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
            BitswapMessage.WantlistEntry(
                cid: Bool.random(using: &rng) ? cid() : V.helloV0CID, priority: Int32.random(in: .min ... .max, using: &rng),
                cancel: Bool.random(using: &rng), wantType: Bool.random(using: &rng) ? .have : .block,
                sendDontHave: Bool.random(using: &rng))
        }
        let message = BitswapMessage(
            wantlist: Bool.random(using: &rng) ? .init(entries: entries, full: Bool.random(using: &rng)) : nil,
            blocks: (0..<Int.random(in: 0...2, using: &rng)).map { _ in rng.bytes(Int.random(in: 0...64, using: &rng)) },
            payload: (0..<Int.random(in: 0...2, using: &rng)).map { _ in
                .init(prefix: BlockPrefix(cid()), data: rng.bytes(Int.random(in: 0...64, using: &rng)))
            },
            blockPresences: (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                .init(cid: cid(), type: Bool.random(using: &rng) ? .have : .dontHave)
            },
            pendingBytes: Int32.random(in: .min ... .max, using: &rng))
        #expect(try BitswapMessage(decoding: message.encoded()) == message)
        var decoder = BitswapFrameDecoder()
        #expect(try decoder.receive(message.framed()) == [message])
    }

    @Test func defaultLimitsAreKubos() {
        let configuration = BitswapConfiguration.default
        #expect(configuration.maximumMessageByteCount == 4 * 1024 * 1024)
        #expect(configuration.maximumBlockByteCount == 2 * 1024 * 1024)
        #expect(configuration.wantHaveReplaceByteCount == 1024)
        #expect(configuration.targetOutgoingMessageByteCount == 2 * 1024 * 1024)
    }
}

extension BitswapMessage {
    /// Whether everything but the wantlist is empty.
    var emptyOtherwise: Bool { blocks.isEmpty && payload.isEmpty && blockPresences.isEmpty && pendingBytes == 0 }
}
