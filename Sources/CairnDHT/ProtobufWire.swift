/// Protobuf wire-format primitives shared by the DHT codecs (not API).
///
/// Protobuf varints may be up to 10 bytes and need not be minimal (unlike multiformats varints), so
/// CairnCore's `Varint` cannot be used here. Wire types: 0 varint, 1 fixed64, 2 length-delimited,
/// 5 fixed32; 3 and 4 (groups) are rejected as proto3 never produces them.
struct ProtobufReader {
    /// Wire type of varint fields.
    static let varintWireType: UInt8 = 0
    /// Wire type of length-delimited fields (bytes, strings, messages).
    static let lengthDelimitedWireType: UInt8 = 2
    /// The largest field number protobuf allows.
    static let maximumFieldNumber: UInt64 = (1 << 29) - 1

    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { offset >= end }

    mutating func readVarint(_ context: String) throws(DHTError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw .truncated(context: context) }
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw .invalidVarint(context: context) }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// Reads a tag, returning the field number and wire type.
    mutating func readTag() throws(DHTError) -> (fieldNumber: UInt64, wireType: UInt8) {
        let tag = try readVarint("field tag")
        let fieldNumber = tag >> 3
        guard fieldNumber >= 1, fieldNumber <= Self.maximumFieldNumber else { throw .invalidFieldNumber(fieldNumber) }
        return (fieldNumber, UInt8(tag & 7))
    }

    /// Reads a length-delimited value's range: `.truncated` when it runs past the end, `.tooLarge` when
    /// it is complete but over `limit` bytes.
    mutating func readLengthDelimited(_ context: String, limit: Int) throws(DHTError) -> Range<Int> {
        let length = try readVarint(context)
        guard length <= UInt64(end - offset) else { throw .truncated(context: context) }
        let count = Int(length)
        guard count <= limit else { throw .tooLarge(context: context, byteCount: count, limit: limit) }
        defer { offset += count }
        return offset..<offset + count
    }

    /// Skips the value of an unknown field.
    mutating func skipField(fieldNumber: UInt64, wireType: UInt8) throws(DHTError) {
        switch wireType {
        case 0: _ = try readVarint("unknown field \(fieldNumber)")
        case 1: try skipBytes(8, fieldNumber: fieldNumber)
        case 2: _ = try readLengthDelimited("unknown field \(fieldNumber)", limit: end - offset)
        case 5: try skipBytes(4, fieldNumber: fieldNumber)
        default: throw .unsupportedWireType(fieldNumber: fieldNumber, wireType: wireType)
        }
    }

    private mutating func skipBytes(_ count: Int, fieldNumber: UInt64) throws(DHTError) {
        guard count <= end - offset else { throw .truncated(context: "unknown field \(fieldNumber)") }
        offset += count
    }

    /// Throws `.wrongWireType` unless `actual` is `expected`.
    static func expect(_ actual: UInt8, _ expected: UInt8, field: String) throws(DHTError) {
        guard actual == expected else { throw .wrongWireType(field: field, expected: expected, actual: actual) }
    }
}

/// Appends protobuf fields to a byte buffer (not API).
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func writeTag(_ fieldNumber: UInt64, wireType: UInt8) {
        writeVarint(fieldNumber << 3 | UInt64(wireType))
    }

    /// Writes a varint field (an int32 is sign-extended to 64 bits, as protobuf requires).
    mutating func writeVarintField(_ fieldNumber: UInt64, _ value: UInt64) {
        writeTag(fieldNumber, wireType: ProtobufReader.varintWireType)
        writeVarint(value)
    }

    mutating func writeBytesField(_ fieldNumber: UInt64, _ value: some Collection<UInt8>) {
        writeTag(fieldNumber, wireType: ProtobufReader.lengthDelimitedWireType)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}
