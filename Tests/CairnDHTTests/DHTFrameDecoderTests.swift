import CairnTestSupport
import Testing

@testable import CairnDHT

/// uvarint length-prefixed framing, fed in chunks of every size down to one byte.
@Suite struct DHTFrameDecoderTests {
    static func messages(seed: UInt64) -> [DHTMessage] {
        var rng = SeededRandom(seed: seed)
        return (0..<6).map { _ in DHTMessageWireTests.randomMessage(using: &rng) }
    }

    @Test(arguments: [1, 2, 3, 7, 64, 100_000])
    func dripFedStreamYieldsEveryMessage(chunkSize: Int) throws {
        let sent = Self.messages(seed: UInt64(chunkSize))
        let stream = sent.flatMap { $0.framed() }
        var decoder = DHTFrameDecoder()
        var received: [DHTMessage] = []
        var offset = 0
        while offset < stream.count {
            let end = min(offset + chunkSize, stream.count)
            decoder.append(stream[offset..<end])
            offset = end
            while let message = try decoder.nextMessage() { received.append(message) }
        }
        #expect(received == sent)
        #expect(decoder.bufferedByteCount == 0)
        try decoder.finish()
    }

    /// A zero-length frame is a valid (empty, PUT_VALUE) message.
    @Test func emptyFrame() throws {
        var decoder = DHTFrameDecoder()
        decoder.append([0x00])
        try expectEqual(decoder.nextMessage(), DHTMessage(type: .putValue))
        try expectEqual(decoder.nextMessage(), nil)
    }

    /// An oversized length is rejected as soon as its varint is complete, before any body arrives.
    @Test func oversizedLengthRejectedEarly() throws {
        var decoder = DHTFrameDecoder()
        decoder.append([0x80, 0x80, 0x80])  // an incomplete varint: wait for more
        try expectEqual(decoder.nextMessage(), nil)
        var over = DHTFrameDecoder()
        over.append([0x81, 0x80, 0x80, 0x02])  // 4 MiB + 1
        #expect(throws: DHTError.tooLarge(context: "frame", byteCount: 4 * 1024 * 1024 + 1, limit: 4 * 1024 * 1024)) {
            try over.nextMessage()
        }
        var runaway = DHTFrameDecoder()
        runaway.append([UInt8](repeating: 0xff, count: 11))
        #expect(throws: DHTError.self) { try runaway.nextMessage() }
    }

    @Test func streamEndingInsideFrameIsTruncated() throws {
        var decoder = DHTFrameDecoder()
        let framed = DHTMessage(type: .findNode, key: [1, 2, 3]).framed()
        decoder.append(framed.dropLast())
        try expectEqual(decoder.nextMessage(), nil)
        #expect(throws: DHTError.truncatedFrame(bufferedByteCount: framed.count - 2)) { try decoder.finish() }
    }

    /// A malformed body inside a well-formed frame surfaces as the message's error.
    @Test func malformedBodyThrows() {
        var decoder = DHTFrameDecoder()
        decoder.append([0x02, 0x08, 0x09])
        #expect(throws: DHTError.unknownEnumValue(field: "Message.type", value: 9)) { try decoder.nextMessage() }
    }
}
