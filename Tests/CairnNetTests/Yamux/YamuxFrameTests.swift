import CairnTestSupport
import Testing

@testable import CairnNet

/// Hand-written frame vectors (fields commented) and strict header validation.
@Suite struct YamuxFrameTests {
    static func hex(_ string: String) -> [UInt8] {
        TestData.hex(string)
    }

    //                         ver type flags streamID  length    payload
    static let vectors: [(YamuxFrame, String)] = [
        // WindowUpdate SYN on stream 1, delta 0: how kubo (and we) open a stream
        (.windowUpdate(streamID: 1, flags: .syn, delta: 0), "00 01 0001 00000001 00000000"),
        // WindowUpdate ACK on stream 2, delta 0: kubo's accept of an inbound stream
        (.windowUpdate(streamID: 2, flags: .ack, delta: 0), "00 01 0002 00000002 00000000"),
        // WindowUpdate on stream 3 granting 128 KiB
        (.windowUpdate(streamID: 3, delta: 131_072), "00 01 0000 00000003 00020000"),
        // WindowUpdate FIN (half close) and RST (reset) on stream 5
        (.windowUpdate(streamID: 5, flags: .fin, delta: 0), "00 01 0004 00000005 00000000"),
        (.windowUpdate(streamID: 5, flags: .rst, delta: 0), "00 01 0008 00000005 00000000"),
        // Data on stream 3, length 2, payload "hi"
        (.data(streamID: 3, payload: Array("hi".utf8)), "00 00 0000 00000003 00000002 6869"),
        // Data SYN|FIN on stream 7 with an empty payload
        (.data(streamID: 7, flags: [.syn, .fin], payload: []), "00 00 0005 00000007 00000000"),
        // Ping SYN opaque 0 (kubo's first frame) and the answering Ping ACK opaque 0
        (.ping(flags: .syn, opaque: 0), "00 02 0001 00000000 00000000"),
        (.ping(flags: .ack, opaque: 0), "00 02 0002 00000000 00000000"),
        // Ping ACK echoing opaque 0x01020304
        (.ping(flags: .ack, opaque: 0x0102_0304), "00 02 0002 00000000 01020304"),
        // GoAway normal (0) and protocol error (1)
        (.goAway(.normal), "00 03 0000 00000000 00000000"),
        (.goAway(.protocolError), "00 03 0000 00000000 00000001"),
    ]

    @Test func encodeAndDecodeVectors() throws {
        for (frame, hexBytes) in Self.vectors {
            let bytes = Self.hex(hexBytes)
            #expect(frame.encoded == bytes, "encoding \(hexBytes)")
            #expect(try YamuxFrame.decode(bytes) == frame, "decoding \(hexBytes)")
        }
    }

    @Test(arguments: [
        // version 1
        ("01 00 0000 00000001 00000000", YamuxError.unsupportedVersion(1)),
        // type 4
        ("00 04 0000 00000001 00000000", YamuxError.unknownFrameType(4)),
        // flag 0x10 is undefined
        ("00 01 0010 00000001 00000000", YamuxError.unknownFlags(0x10)),
        // Data on stream 0 (the session)
        ("00 00 0000 00000000 00000000", YamuxError.invalidStreamID(type: 0, streamID: 0)),
        // WindowUpdate on stream 0
        ("00 01 0001 00000000 00000000", YamuxError.invalidStreamID(type: 1, streamID: 0)),
        // Ping on stream 5
        ("00 02 0001 00000005 00000000", YamuxError.invalidStreamID(type: 2, streamID: 5)),
        // Data of 1 MiB + 1 bytes: over the limit, rejected from the header alone
        ("00 00 0000 00000001 00100001", YamuxError.frameTooLarge(byteCount: 1_048_577, limit: 1_048_576)),
        // header cut short
        ("00 01 0001 000000", YamuxError.truncated(bufferedByteCount: 7)),
        // Data announcing 4 bytes, 2 present
        ("00 00 0000 00000001 00000004 aabb", YamuxError.truncated(bufferedByteCount: 14)),
        // WindowUpdate followed by a stray byte (types 1-3 have no payload)
        ("00 01 0000 00000001 00000010 ff", YamuxError.trailingBytes(count: 1)),
    ])
    func rejectsMalformed(hexBytes: String, expected: YamuxError) {
        #expect(throws: expected) { try YamuxFrame.decode(Self.hex(hexBytes)) }
    }

    @Test func windowUpdateLengthIsNotAPayload() throws {
        // A WindowUpdate with a large delta is complete after 12 bytes.
        var decoder = YamuxFrameDecoder()
        decoder.append(Self.hex("00 01 0000 00000001 01000000"))
        #expect(try decoder.nextFrame() == .windowUpdate(streamID: 1, delta: 16_777_216))
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func decoderDripFed() throws {
        let frames: [YamuxFrame] = Self.vectors.map(\.0) + [.data(streamID: 9, payload: Array(repeating: 0xab, count: 300))]
        let bytes = frames.flatMap(\.encoded)
        var decoder = YamuxFrameDecoder()
        var decoded: [YamuxFrame] = []
        for byte in bytes {
            decoder.append([byte])
            while let frame = try decoder.nextFrame() { decoded.append(frame) }
        }
        #expect(decoded == frames)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func decoderRejectsOversizedHeaderBeforePayload() {
        var decoder = YamuxFrameDecoder(maximumPayloadByteCount: 64)
        decoder.append(Self.hex("00 00 0000 00000001 00000041"))
        #expect(throws: YamuxError.frameTooLarge(byteCount: 65, limit: 64)) { try decoder.nextFrame() }
    }
}
