import CairnCore
import Testing

@Suite struct VarintTests {
    /// Examples from multiformats/unsigned-varint README.
    static let specVectors: [(UInt64, String)] = [
        (1, "01"), (127, "7f"), (128, "8001"), (255, "ff01"), (300, "ac02"), (16384, "808001"),
    ]

    @Test(arguments: specVectors)
    func encodesAndDecodesSpecExample(value: UInt64, hex: String) throws {
        #expect(Base16.encode(Varint.encode(value)) == hex)
        #expect(Varint.byteCount(value) == hex.count / 2)
        let decoded = try Varint.decode(VectorFiles.hex(hex))
        #expect(decoded.value == value)
        #expect(decoded.byteCount == hex.count / 2)
    }

    @Test func decodesOnlyTheFirstVarint() throws {
        let decoded = try Varint.decode(VectorFiles.hex("ac02ff"))
        #expect(decoded.value == 300 && decoded.byteCount == 2)
    }

    @Test func largestValueUsesNineBytes() throws {
        let max: UInt64 = (1 << 63) - 1
        let bytes = Varint.encode(max)
        #expect(bytes.count == Varint.maximumByteCount)
        #expect(try Varint.decode(bytes).value == max)
    }

    @Test(arguments: ["8000", "ff00", "808000", "8180808000"])
    func rejectsNonMinimalEncoding(hex: String) {
        #expect(throws: MultiformatError.varintNotMinimal) { try Varint.decode(VectorFiles.hex(hex)) }
    }

    @Test func rejectsTenByteInput() {
        let tenBytes = VectorFiles.hex("80808080808080808001")
        #expect(throws: MultiformatError.varintTooLong) { try Varint.decode(tenBytes) }
    }

    @Test(arguments: ["", "80", "ff", "8080"])
    func rejectsTruncatedInput(hex: String) {
        #expect(throws: MultiformatError.truncated(context: "varint")) { try Varint.decode(VectorFiles.hex(hex)) }
    }

    @Test func byteReaderNamesTheField() {
        var reader = ByteReader([0x80])
        #expect(throws: MultiformatError.truncated(context: "CID codec")) { try reader.readVarint("CID codec") }
    }
}
