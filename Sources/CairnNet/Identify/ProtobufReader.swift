/// A bounds-checked cursor over protobuf bytes, shared by the identify and bitswap codecs.
///
/// Varints are protobuf varints (up to 10 bytes, full 64 bits, not necessarily minimal), unlike the
/// multiformats varints of `CairnCore.Varint`. Every read checks bounds and throws `ProtobufWireError`.
package struct ProtobufReader: Sendable {
    /// Wire type 0: varint.
    package static let varint: UInt64 = 0
    /// Wire type 1: 8 bytes.
    package static let fixed64: UInt64 = 1
    /// Wire type 2: length-delimited.
    package static let lengthDelimited: UInt64 = 2
    /// Wire type 5: 4 bytes.
    package static let fixed32: UInt64 = 5

    /// The whole buffer (the reader only looks at `offset..<end`).
    package let bytes: [UInt8]
    /// The next byte to read.
    package private(set) var offset: Int
    /// One past the last byte this reader may read.
    package let end: Int

    /// Creates a reader over `range` of `bytes` (all of it by default).
    package init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.offset = r.lowerBound
        self.end = r.upperBound
    }

    /// Whether every byte has been read.
    package var isAtEnd: Bool { offset >= end }

    /// Reads one protobuf varint.
    package mutating func readVarint(_ what: String) throws(ProtobufWireError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = offset
        while true {
            guard index < end else { throw .truncated(what: what) }
            let byte = bytes[index]
            index += 1
            if shift == 63 && byte > 1 { throw .invalidVarint(what: what) }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            if shift > 63 { throw .invalidVarint(what: what) }
        }
        offset = index
        return value
    }

    /// Reads a field key and returns its field number and wire type.
    package mutating func readKey() throws(ProtobufWireError) -> (field: UInt64, wireType: UInt64) {
        let key = try readVarint("field key")
        let field = key >> 3
        guard field > 0, field <= 0x1FFF_FFFF else { throw .invalidFieldNumber(field) }
        return (field, key & 7)
    }

    /// Reads a length-delimited value and returns its range in `bytes`.
    package mutating func readLengthDelimited(field: UInt64) throws(ProtobufWireError) -> Range<Int> {
        let length = try readVarint("length of field \(field)")
        guard length <= UInt64(end - offset) else { throw .truncated(what: "field \(field)") }
        let start = offset
        offset += Int(length)
        return start..<offset
    }

    /// Reads a length-delimited value as a byte array.
    package mutating func readBytes(field: UInt64) throws(ProtobufWireError) -> [UInt8] {
        Array(bytes[try readLengthDelimited(field: field)])
    }

    /// Reads a proto3 `int32` (negative values arrive sign-extended to 64 bits).
    package mutating func readInt32(field: UInt64) throws(ProtobufWireError) -> Int32 {
        let raw = try readVarint("field \(field)")
        let signed = Int64(bitPattern: raw)
        guard let value = Int32(exactly: signed) else { throw .valueOutOfRange(field: field, value: raw) }
        return value
    }

    /// Reads a proto3 `bool` (only 0 and 1 are accepted).
    package mutating func readBool(field: UInt64) throws(ProtobufWireError) -> Bool {
        let raw = try readVarint("field \(field)")
        guard raw <= 1 else { throw .valueOutOfRange(field: field, value: raw) }
        return raw == 1
    }

    /// Throws unless a known field arrived with the wire type its declaration implies.
    package static func expect(_ wireType: UInt64, _ expected: UInt64, field: UInt64) throws(ProtobufWireError) {
        guard wireType == expected else { throw .wrongWireType(field: field, expected: expected, actual: wireType) }
    }

    /// Skips an unknown field (proto3 ignores fields it does not know), refusing groups.
    package mutating func skip(field: UInt64, wireType: UInt64) throws(ProtobufWireError) {
        switch wireType {
        case Self.varint: _ = try readVarint("field \(field)")
        case Self.lengthDelimited: _ = try readLengthDelimited(field: field)
        case Self.fixed64:
            guard end - offset >= 8 else { throw .truncated(what: "field \(field)") }
            offset += 8
        case Self.fixed32:
            guard end - offset >= 4 else { throw .truncated(what: "field \(field)") }
            offset += 4
        default: throw .unsupportedWireType(field: field, wireType: wireType)
        }
    }
}
