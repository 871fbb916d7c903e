/// A cursor over a byte buffer used by the decoders of this package; every read is bounds-checked
/// and reports truncation as a typed error rather than trapping.
public struct ByteReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// The index of the next unread byte.
    public private(set) var offset: Int
    /// The end index (exclusive) of the readable region.
    public let end: Int

    /// Creates a reader over `bytes[range]` (the whole buffer by default).
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let r = range ?? bytes.startIndex..<bytes.endIndex
        precondition(r.lowerBound >= bytes.startIndex && r.upperBound <= bytes.endIndex, "ByteReader range out of bounds")
        self.offset = r.lowerBound
        self.end = r.upperBound
    }

    /// True when every byte has been consumed.
    public var isAtEnd: Bool { offset >= end }
    /// The number of bytes left.
    public var remainingCount: Int { end - offset }

    /// Reads one varint; `context` names the field for error messages.
    public mutating func readVarint(_ context: String = "varint") throws(MultiformatError) -> UInt64 {
        do {
            let (value, n) = try Varint.decode(bytes[offset..<end])
            offset += n
            return value
        } catch MultiformatError.truncated {
            throw .truncated(context: context)
        }
    }

    /// Reads exactly `count` bytes.
    public mutating func readBytes(_ count: Int, _ context: String = "bytes") throws(MultiformatError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remainingCount else { throw .truncated(context: context) }
        let slice = bytes[offset..<offset + count]
        offset += count
        return slice
    }

    /// Reads one byte.
    public mutating func readByte(_ context: String = "byte") throws(MultiformatError) -> UInt8 {
        guard offset < end else { throw .truncated(context: context) }
        defer { offset += 1 }
        return bytes[offset]
    }
}
