import CairnCore
import CairnNet
import CairnTestSupport
import Testing

@testable import CairnExchange

/// Truncated, corrupted, oversized and drip-fed input never traps the Bitswap decoders.
@Suite struct BitswapArbitraryInputTests {
    typealias V = BitswapTestVectors

    static let valid: [[UInt8]] = [
        BitswapMessageTests.kuboBroadcastWantHave,
        BitswapMessageTests.kuboDontHaveV0,
        BitswapMessageTests.kuboSmallBlockPayload,
        BitswapMessage(
            wantlist: .init(entries: [.init(cid: V.helloV0CID, priority: -1, wantType: .have, sendDontHave: true)], full: true),
            blocks: [V.helloData], payload: [.init(prefix: BlockPrefix(V.helloV0CID), data: V.helloData)],
            blockPresences: [.init(cid: V.emptyRawCID, type: .have)], pendingBytes: 99
        ).encoded(),
    ]

    @Test(arguments: 0..<4)
    func everyTruncationIsHandled(index: Int) {
        let bytes = Self.valid[index]
        for cut in 0..<bytes.count {
            // Either a typed error or (for cuts at a field boundary) a smaller valid message.
            if let message = try? BitswapMessage(decoding: Array(bytes.prefix(cut))) {
                #expect(message.encoded().count <= cut)
            }
        }
        #expect((try? BitswapMessage(decoding: bytes)) != nil)
    }

    @Test(arguments: UInt64(0)..<300)
    func corruptedMessagesNeverTrap(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var bytes = Self.valid[Int(seed % UInt64(Self.valid.count))]
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
        if let message = try? BitswapMessage(decoding: bytes) {
            // Whatever decodes re-encodes to something that decodes to the same value.
            #expect((try? BitswapMessage(decoding: message.encoded())) == message)
            for payload in message.payload { _ = try? payload.verifiedBlock() }
        }
    }

    @Test(arguments: UInt64(0)..<100)
    func randomBytesNeverTrap(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let bytes = rng.bytes(Int.random(in: 0...200, using: &rng))
        _ = try? BitswapMessage(decoding: bytes)
        _ = try? BlockPrefix(bytes: Array(bytes.prefix(8)))
        var decoder = BitswapFrameDecoder()
        _ = try? decoder.receive(bytes)
    }

    @Test func dripFedFramesDecodeOneByteAtATime() throws {
        let stream = Self.valid.flatMap { LengthPrefixedFrameDecoder.frame($0) }
        var decoder = BitswapFrameDecoder()
        var messages: [BitswapMessage] = []
        for byte in stream {
            messages += try decoder.receive([byte])
        }
        try decoder.finish()
        #expect(messages == Self.valid.map { try? BitswapMessage(decoding: $0) }.compactMap { $0 })
        #expect(messages.count == Self.valid.count)
    }

    @Test(arguments: UInt64(0)..<20)
    func randomChunkingGivesTheSameMessages(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let stream = Self.valid.flatMap { (try? BitswapMessage(decoding: $0))?.framed() ?? [] }
        var decoder = BitswapFrameDecoder()
        var messages: [BitswapMessage] = []
        var offset = 0
        while offset < stream.count {
            let size = Int.random(in: 1...40, using: &rng)
            messages += try decoder.receive(stream[offset..<min(stream.count, offset + size)])
            offset += size
        }
        #expect(messages.count == Self.valid.count)
    }

    @Test func oversizedFrameIsRefusedFromItsPrefix() {
        var decoder = BitswapFrameDecoder()
        // uvarint(4 MiB + 1) = 81 80 80 02; refused before any body byte arrives.
        #expect(throws: BitswapError.framing(.frameTooLarge(byteCount: 4 * 1024 * 1024 + 1, limit: 4 * 1024 * 1024))) {
            try decoder.receive([0x81, 0x80, 0x80, 0x02])
        }
        var early = BitswapFrameDecoder()
        // The first three bytes of a 9-byte prefix already exceed the limit.
        #expect(throws: BitswapError.self) { try early.receive([0xff, 0xff, 0xff, 0xff]) }
        var invalid = BitswapFrameDecoder(configuration: .init(maximumMessageByteCount: .max))
        #expect(throws: BitswapError.framing(.invalidLengthPrefix)) { try invalid.receive(Array(repeating: 0xff, count: 11)) }
    }

    @Test func truncatedStreamIsReportedAtFinish() throws {
        var decoder = BitswapFrameDecoder()
        let framed = LengthPrefixedFrameDecoder.frame(BitswapMessageTests.kuboDontHaveV0)
        #expect(try decoder.receive(framed.dropLast()).isEmpty)
        #expect(throws: BitswapError.framing(.truncated(bufferedByteCount: framed.count - 1))) { try decoder.finish() }
    }
}
