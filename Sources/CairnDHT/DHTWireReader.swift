import CairnCore

/// CairnCore's shared ``ProtobufReader`` as the DHT codecs use it: every failure becomes a `DHTError`
/// (not API).
///
/// Protobuf varints (up to 10 bytes, not necessarily minimal); field numbers 1...2^29-1; wire types 0, 1, 2
/// and 5, groups rejected as proto3 never produces them.
struct DHTWireReader {
    /// Wire type of varint fields.
    static let varintWireType = UInt8(ProtobufReader.varint)
    /// Wire type of length-delimited fields (bytes, strings, messages).
    static let lengthDelimitedWireType = UInt8(ProtobufReader.lengthDelimited)

    private var wire: ProtobufReader

    /// Creates a reader over `bytes[range]`.
    init(_ bytes: [UInt8], range: Range<Int>) {
        self.wire = ProtobufReader(bytes, range: range)
    }

    /// The whole buffer (the reader only looks at `offset..<end`).
    var bytes: [UInt8] { wire.bytes }
    /// The next byte to read.
    var offset: Int { wire.offset }
    /// One past the last byte this reader may read.
    var end: Int { wire.end }
    /// Whether every byte has been read.
    var isAtEnd: Bool { wire.isAtEnd }

    /// Reads one protobuf varint; `context` names the field.
    mutating func readVarint(_ context: String) throws(DHTError) -> UInt64 {
        try mapped { (wire) throws(ProtobufWireError) in try wire.readVarint(context) }
    }

    /// Reads a tag, returning the field number and wire type.
    mutating func readTag() throws(DHTError) -> (fieldNumber: UInt64, wireType: UInt8) {
        let (field, wireType) = try mapped { (wire) throws(ProtobufWireError) in try wire.readKey("field tag") }
        return (field, UInt8(wireType))
    }

    /// Reads a length-delimited value's range: `.truncated` when it runs past the end, `.tooLarge` when
    /// it is complete but over `limit` bytes.
    mutating func readLengthDelimited(_ context: String, limit: Int) throws(DHTError) -> Range<Int> {
        let range = try mapped { (wire) throws(ProtobufWireError) in try wire.readLengthDelimited(context, lengthWhat: context) }
        guard range.count <= limit else { throw .tooLarge(context: context, byteCount: range.count, limit: limit) }
        return range
    }

    /// Skips the value of an unknown field.
    mutating func skipField(fieldNumber: UInt64, wireType: UInt8) throws(DHTError) {
        let what = "unknown field \(fieldNumber)"
        try mapped { (wire) throws(ProtobufWireError) in
            try wire.skip(field: fieldNumber, wireType: UInt64(wireType), what: what, lengthWhat: what)
        }
    }

    /// Throws `.wrongWireType` unless `actual` is `expected`.
    static func expect(_ actual: UInt8, _ expected: UInt8, field: String) throws(DHTError) {
        guard actual == expected else { throw .wrongWireType(field: field, expected: expected, actual: actual) }
    }

    private mutating func mapped<T>(_ read: (inout ProtobufReader) throws(ProtobufWireError) -> T) throws(DHTError) -> T {
        do {
            return try read(&wire)
        } catch {
            switch error {
            case .truncated(let what): throw .truncated(context: what)
            case .invalidVarint(let what), .nonMinimalVarint(let what): throw .invalidVarint(context: what)
            case .invalidFieldNumber(let field): throw .invalidFieldNumber(field)
            case .unsupportedWireType(let field, let wireType):
                throw .unsupportedWireType(fieldNumber: field, wireType: UInt8(truncatingIfNeeded: wireType))
            case .wrongWireType(let field, let expected, let actual):
                throw .wrongWireType(
                    field: "field \(field)", expected: UInt8(truncatingIfNeeded: expected), actual: UInt8(truncatingIfNeeded: actual))
            case .valueOutOfRange(let field, _): throw .invalidVarint(context: "field \(field)")
            }
        }
    }
}
