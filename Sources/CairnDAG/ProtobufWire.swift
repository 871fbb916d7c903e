/// Minimal protobuf wire helpers shared by the dag-pb and UnixFS codecs.
///
/// Only the two wire types these formats use are supported: varint (0) and length-delimited (2).
/// Varints are protobuf varints (up to 10 bytes, full 64 bits), not multiformats varints.
enum ProtobufWire {
    static let varint: UInt64 = 0
    static let lengthDelimited: UInt64 = 2
    static let fixed64: UInt64 = 1
    static let fixed32: UInt64 = 5

    /// The number of bytes `appendVarint` writes for `value`.
    @inline(__always)
    static func varintByteCount(_ value: UInt64) -> Int {
        var n = 1
        var v = value >> 7
        while v != 0 { n += 1; v >>= 7 }
        return n
    }

    /// Appends a protobuf varint.
    @inline(__always)
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Writes a protobuf varint at `offset` of `buffer`, returning the number of bytes written.
    @inline(__always)
    static func storeVarint(_ value: UInt64, in buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var v = value
        var i = offset
        while v >= 0x80 {
            buffer[i] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            i += 1
        }
        buffer[i] = UInt8(v)
        return i + 1 - offset
    }

    /// Appends a field key.
    @inline(__always)
    static func appendKey(field: UInt64, wireType: UInt64, to out: inout [UInt8]) {
        appendVarint(field << 3 | wireType, to: &out)
    }

    /// Appends a length-delimited field.
    static func appendBytes<C: Collection<UInt8>>(field: UInt64, _ bytes: C, to out: inout [UInt8]) {
        appendKey(field: field, wireType: lengthDelimited, to: &out)
        appendVarint(UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }
}

/// A bounds-checked cursor over protobuf bytes; every failure is a `DAGError` naming `context`.
struct ProtobufReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int
    let context: String

    init(_ bytes: [UInt8], range: Range<Int>? = nil, context: String) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.offset = r.lowerBound
        self.end = r.upperBound
        self.context = context
    }

    var isAtEnd: Bool { offset >= end }

    mutating func readVarint(_ what: String) throws(DAGError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        while true {
            guard i < end else { throw .truncated(context: "\(context) \(what)") }
            let byte = bytes[i]
            i += 1
            if shift == 63 && byte > 1 { throw .invalidVarint(context: "\(context) \(what)") }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            if shift > 63 { throw .invalidVarint(context: "\(context) \(what)") }
        }
        offset = i
        return value
    }

    /// Reads a field key, returning (field number, wire type).
    mutating func readKey() throws(DAGError) -> (field: UInt64, wireType: UInt64) {
        let key = try readVarint("field key")
        let field = key >> 3
        guard field > 0 else { throw .unknownField(context: context, field: 0) }
        return (field, key & 7)
    }

    /// Reads a length-delimited payload and returns its range in `bytes`.
    mutating func readLengthDelimited(_ what: String) throws(DAGError) -> Range<Int> {
        let length = try readVarint("\(what) length")
        guard length <= UInt64(end - offset) else { throw .truncated(context: "\(context) \(what)") }
        let start = offset
        offset += Int(length)
        return start..<offset
    }

    /// Skips a field of a known wire type (used for forward-compatible UnixFS fields).
    mutating func skip(wireType: UInt64, field: UInt64) throws(DAGError) {
        switch wireType {
        case ProtobufWire.varint: _ = try readVarint("field \(field)")
        case ProtobufWire.lengthDelimited: _ = try readLengthDelimited("field \(field)")
        case ProtobufWire.fixed64:
            guard end - offset >= 8 else { throw .truncated(context: "\(context) field \(field)") }
            offset += 8
        case ProtobufWire.fixed32:
            guard end - offset >= 4 else { throw .truncated(context: "\(context) field \(field)") }
            offset += 4
        default: throw .wrongWireType(context: context, field: field, wireType: wireType)
        }
    }
}
