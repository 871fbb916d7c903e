import CairnTestSupport
import CairnCore
import Testing

@testable import CairnNet

/// Exact bytes and validation of single multistream messages.
@Suite struct MultistreamMessageTests {
    static func hex(_ string: String) -> [UInt8] {
        TestData.hex(string)
    }

    @Test func notAvailableBytes() {
        // 03 = length 3 (including the newline) | "na" | "\n"
        #expect(MultistreamMessage.notAvailable.encoded == Self.hex("03 6e61 0a"))
    }

    @Test func headerBytes() {
        // 13 = length 19 | "/multistream/1.0.0" | "\n"
        #expect(MultistreamMessage.header.encoded == Self.hex("13 2f6d756c746973747265616d2f312e302e30 0a"))
    }

    @Test func noiseBytes() throws {
        // 07 = length 7 | "/noise" | "\n"
        #expect(try MultistreamMessage("/noise").encoded == Self.hex("07 2f6e6f697365 0a"))
    }

    @Test func roundTrip() throws {
        for text in ["/ipfs/id/1.0.0", "/yamux/1.0.0", "", "ünïcode/π", String(repeating: "x", count: 200)] {
            let message = try MultistreamMessage(text)
            let bytes = message.encoded
            let decoded = try #require(try MultistreamMessage.decode(prefixOf: bytes[...], maximumMessageByteCount: 1024))
            #expect(decoded.message == message)
            #expect(decoded.byteCount == bytes.count)
        }
    }

    @Test func twoByteLengthPrefix() throws {
        // 200 bytes of text + newline = 201 = 0xc9 0x01 as a uvarint
        let message = try MultistreamMessage(String(repeating: "a", count: 200))
        #expect(Array(message.encoded.prefix(2)) == [0xc9, 0x01])
    }

    @Test func incompleteReturnsNil() throws {
        let bytes = MultistreamMessage.header.encoded
        for end in 0..<bytes.count {
            #expect(try MultistreamMessage.decode(prefixOf: bytes[0..<end], maximumMessageByteCount: 1024) == nil)
        }
    }

    @Test func rejectsNewlineInText() {
        #expect(throws: MultistreamError.invalidProtocolID("a\nb", reason: "contains a newline")) {
            try MultistreamMessage("a\nb")
        }
    }

    @Test(arguments: [
        // missing newline: length 3, "nax"
        ("03 6e6178", MultistreamError.missingNewline),
        // zero length
        ("00", MultistreamError.emptyMessage),
        // newline inside: length 4, "a\nb\n"
        ("04 610a620a", MultistreamError.embeddedNewline),
        // invalid UTF-8: length 3, ff fe, newline
        ("03 fffe0a", MultistreamError.invalidUTF8),
        // 1025 = 0x81 0x08: over the 1024-byte limit, rejected before the body arrives
        ("8108", MultistreamError.messageTooLarge(byteCount: 1025, limit: 1024)),
        // three continuation bytes: cannot be a length within 1024
        ("808080", MultistreamError.lengthPrefixTooLong(prefixByteCount: 3, limit: 1024)),
        // non-minimal varint: 0x83 0x00 = 3 in two bytes
        ("8300 6e610a", MultistreamError.invalidLengthPrefix(.varintNotMinimal)),
    ])
    func rejectsMalformed(hexBytes: String, expected: MultistreamError) {
        let bytes = Self.hex(hexBytes)
        #expect(throws: expected) {
            try MultistreamMessage.decode(prefixOf: bytes[...], maximumMessageByteCount: 1024)
        }
    }

    @Test func decoderDripFedKeepsTrailingBytes() throws {
        var input = MultistreamMessage.header.encoded
        input += try MultistreamMessage("/noise").encoded
        input += [1, 2, 3]
        var decoder = MultistreamDecoder()
        var messages: [MultistreamMessage] = []
        for byte in input {
            decoder.append([byte])
            // the owner stops decoding after the protocol line: what follows is application data
            while messages.count < 2, let message = try decoder.nextMessage() { messages.append(message) }
        }
        #expect(messages.map(\.text) == ["/multistream/1.0.0", "/noise"])
        #expect(decoder.takeBufferedBytes() == [1, 2, 3])
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func decoderReportsTruncation() {
        var decoder = MultistreamDecoder()
        decoder.append(MultistreamMessage.header.encoded.prefix(5))
        #expect(decoder.endOfInputError == .truncated(bufferedByteCount: 5))
        #expect(MultistreamDecoder().endOfInputError == .endOfInput)
    }
}
