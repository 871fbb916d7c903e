/// Which varints a ``ProtobufReader`` accepts.
package enum ProtobufVarintRule: Sendable, Equatable {
    /// Protobuf varints: up to 10 bytes and the full 64 bits, redundant zero groups allowed (what every
    /// protobuf library accepts). Used by dag-pb, UnixFS, identify, bitswap and the DHT.
    case protobuf
    /// Multiformats unsigned varints (`CairnCore.Varint`): at most 9 bytes, 63 bits, minimally encoded.
    /// Used by the libp2p key and Noise payload decoders, which have always been this strict.
    case minimal
}

/// The one bounds-checked protobuf wire reader shared by Cairn's codecs (dag-pb, UnixFS, libp2p keys,
/// Noise payloads, identify, bitswap, the DHT). Not API: modules map ``ProtobufWireError`` into their own
/// error type.
///
/// Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32; groups (3, 4) and the undefined 6 and 7
/// are rejected. Every read checks bounds and reports a failure as a ``ProtobufWireError`` naming what was
/// being read (`what`), so callers can keep their own error wording.
package struct ProtobufReader: Sendable {
    /// Wire type 0: varint.
    package static let varint: UInt64 = 0
    /// Wire type 1: 8 bytes.
    package static let fixed64: UInt64 = 1
    /// Wire type 2: length-delimited.
    package static let lengthDelimited: UInt64 = 2
    /// Wire type 5: 4 bytes.
    package static let fixed32: UInt64 = 5
    /// The largest field number protobuf allows (2^29 - 1).
    package static let maximumFieldNumber: UInt64 = 0x1FFF_FFFF

    /// The whole buffer (the reader only looks at `offset..<end`).
    package let bytes: [UInt8]
    /// The next byte to read.
    package private(set) var offset: Int
    /// One past the last byte this reader may read.
    package let end: Int
    /// Which varints are accepted.
    package let varintRule: ProtobufVarintRule
    /// Field numbers above this are rejected as `.invalidFieldNumber` (field 0 always is).
    package let maximumFieldNumber: UInt64

    /// Creates a reader over `range` of `bytes` (all of it by default).
    /// - Parameters:
    ///   - varints: which varints to accept (protobuf's by default).
    ///   - maximumFieldNumber: the largest field number accepted; the dag-pb/UnixFS and key decoders pass
    ///     `.max` because they have never enforced protobuf's limit (and must not start rejecting input now).
    package init(
        _ bytes: [UInt8], range: Range<Int>? = nil, varints: ProtobufVarintRule = .protobuf,
        maximumFieldNumber: UInt64 = ProtobufReader.maximumFieldNumber
    ) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        precondition(r.lowerBound >= 0 && r.upperBound <= bytes.count, "ProtobufReader range out of bounds")
        self.offset = r.lowerBound
        self.end = r.upperBound
        self.varintRule = varints
        self.maximumFieldNumber = maximumFieldNumber
    }

    /// Whether every byte has been read.
    package var isAtEnd: Bool { offset >= end }
    /// The number of bytes left.
    package var remainingCount: Int { end - offset }

    /// Reads one varint under ``varintRule``; `what` names it in errors.
    package mutating func readVarint(_ what: String) throws(ProtobufWireError) -> UInt64 {
        switch varintRule {
        case .protobuf: return try readProtobufVarint(what)
        case .minimal:
            do {
                let (value, count) = try Varint.decode(bytes[offset..<end])
                offset += count
                return value
            } catch .truncated {
                throw .truncated(what: what)
            } catch .varintNotMinimal {
                throw .nonMinimalVarint(what: what)
            } catch {
                throw .invalidVarint(what: what)
            }
        }
    }

    private mutating func readProtobufVarint(_ what: String) throws(ProtobufWireError) -> UInt64 {
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

    /// Reads a field key and returns its field number and wire type (which may be any value 0...7).
    /// - Throws: `.invalidFieldNumber` for field 0 or one above ``maximumFieldNumber``.
    package mutating func readKey(_ what: String = "field key") throws(ProtobufWireError) -> (field: UInt64, wireType: UInt64) {
        let key = try readVarint(what)
        let field = key >> 3
        guard field > 0, field <= maximumFieldNumber else { throw .invalidFieldNumber(field) }
        return (field, key & 7)
    }

    /// Reads a length-delimited value and returns its range in `bytes`.
    /// - Parameters:
    ///   - what: names the value (used when it runs past the end).
    ///   - lengthWhat: names its length varint.
    package mutating func readLengthDelimited(_ what: String, lengthWhat: String) throws(ProtobufWireError) -> Range<Int> {
        let length = try readVarint(lengthWhat)
        guard length <= UInt64(end - offset) else { throw .truncated(what: what) }
        let start = offset
        offset += Int(length)
        return start..<offset
    }

    /// Reads a length-delimited value and returns its range in `bytes`.
    package mutating func readLengthDelimited(field: UInt64) throws(ProtobufWireError) -> Range<Int> {
        try readLengthDelimited("field \(field)", lengthWhat: "length of field \(field)")
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

    /// Reads the next varint or length-delimited field, or returns nil at the end of the message.
    ///
    /// For the small, strict libp2p messages (keys, Noise payloads) that use only these two wire types:
    /// any other wire type, even on an unknown field, is `.unsupportedWireType`.
    package mutating func nextField() throws(ProtobufWireError) -> (number: UInt64, value: ProtobufFieldValue)? {
        guard !isAtEnd else { return nil }
        let (number, wireType) = try readKey()
        switch wireType {
        case Self.varint:
            return (number, .varint(try readVarint("field \(number)")))
        case Self.lengthDelimited:
            let range = try readLengthDelimited("field \(number)", lengthWhat: "field \(number) length")
            return (number, .bytes(Array(bytes[range])))
        default:
            throw .unsupportedWireType(field: number, wireType: wireType)
        }
    }

    /// Throws unless a known field arrived with the wire type its declaration implies.
    package static func expect(_ wireType: UInt64, _ expected: UInt64, field: UInt64) throws(ProtobufWireError) {
        guard wireType == expected else { throw .wrongWireType(field: field, expected: expected, actual: wireType) }
    }

    /// Skips an unknown field (protobuf ignores fields it does not know), refusing groups and wire types 6, 7.
    /// - Parameters:
    ///   - what: names the value in errors (`"field N"` by default).
    ///   - lengthWhat: names a length-delimited value's length varint (`"length of field N"` by default).
    package mutating func skip(
        field: UInt64, wireType: UInt64, what: String? = nil, lengthWhat: String? = nil
    ) throws(ProtobufWireError) {
        let what = what ?? "field \(field)"
        switch wireType {
        case Self.varint: _ = try readVarint(what)
        case Self.lengthDelimited: _ = try readLengthDelimited(what, lengthWhat: lengthWhat ?? "length of field \(field)")
        case Self.fixed64: try skipBytes(8, what)
        case Self.fixed32: try skipBytes(4, what)
        default: throw .unsupportedWireType(field: field, wireType: wireType)
        }
    }

    private mutating func skipBytes(_ count: Int, _ what: String) throws(ProtobufWireError) {
        guard end - offset >= count else { throw .truncated(what: what) }
        offset += count
    }
}

/// One field read by ``ProtobufReader/nextField()``: a varint or a length-delimited value.
package enum ProtobufFieldValue: Sendable, Equatable {
    /// A varint value.
    case varint(UInt64)
    /// A length-delimited value.
    case bytes([UInt8])
}
