import Testing

@testable import CairnNet

/// The uvarint frame splitter shared by identify and bitswap, fed in every possible split.
@Suite struct LengthPrefixedFrameDecoderTests {
    static let bodies: [[UInt8]] = [[], [0x41], Array(repeating: 0x42, count: 300)]

    @Test func frameWritesTheUvarintLength() {
        #expect(LengthPrefixedFrameDecoder.frame([]) == [0x00])
        #expect(LengthPrefixedFrameDecoder.frame([0x41]) == [0x01, 0x41])
        // 300 = 0b10_0101100 → ac 02
        #expect(Array(LengthPrefixedFrameDecoder.frame(Self.bodies[2]).prefix(2)) == [0xac, 0x02])
    }

    @Test func everySplitPointGivesTheSameFrames() throws {
        let stream = Self.bodies.flatMap(LengthPrefixedFrameDecoder.frame)
        for cut in 0...stream.count {
            var decoder = LengthPrefixedFrameDecoder(maximumFrameByteCount: 300)
            var frames: [[UInt8]] = []
            for part in [stream[..<cut], stream[cut...]] {
                decoder.append(part)
                while let frame = try decoder.nextFrame() { frames.append(frame) }
            }
            try decoder.finish()
            #expect(frames == Self.bodies, "split at \(cut)")
            #expect(decoder.bufferedByteCount == 0)
        }
    }

    @Test func limitIsInclusiveAndCheckedFromThePrefix() throws {
        var decoder = LengthPrefixedFrameDecoder(maximumFrameByteCount: 300)
        decoder.append(LengthPrefixedFrameDecoder.frame(Self.bodies[2]))
        #expect(try decoder.nextFrame() == Self.bodies[2])
        var over = LengthPrefixedFrameDecoder(maximumFrameByteCount: 299)
        over.append([0xac, 0x02])
        #expect(throws: LengthPrefixError.frameTooLarge(byteCount: 300, limit: 299)) { try over.nextFrame() }
    }

    @Test func malformedAndTruncatedInput() throws {
        var invalid = LengthPrefixedFrameDecoder(maximumFrameByteCount: .max)
        invalid.append(Array(repeating: 0xff, count: 9) + [0x02])
        #expect(throws: LengthPrefixError.invalidLengthPrefix) { try invalid.nextFrame() }
        var partialPrefix = LengthPrefixedFrameDecoder(maximumFrameByteCount: 1000)
        partialPrefix.append([0x80])
        #expect(try partialPrefix.nextFrame() == nil)
        #expect(throws: LengthPrefixError.truncated(bufferedByteCount: 1)) { try partialPrefix.finish() }
    }
}
