import CairnCore

/// CairnCore's shared ``ProtobufReader`` as the dag-pb and UnixFS decoders use it: every failure becomes a
/// `DAGError` naming `context` (the message being decoded), with the wording these decoders have always used.
///
/// dag-pb and UnixFS accept protobuf varints (up to 10 bytes, not necessarily minimal) and any non-zero field
/// number; the dag-pb spec's strictness (known fields only, order, duplicates) lives in the callers.
struct DAGWireReader {
    private var wire: ProtobufReader
    /// Names the message in every error, e.g. `PBNode` or `PBLink[3]`.
    let context: String

    /// Creates a reader over `range` of `bytes` (all of it by default).
    init(_ bytes: [UInt8], range: Range<Int>? = nil, context: String) {
        self.wire = ProtobufReader(bytes, range: range, maximumFieldNumber: .max)
        self.context = context
    }

    /// Whether every byte has been read.
    var isAtEnd: Bool { wire.isAtEnd }
    /// The next byte to read.
    var offset: Int { wire.offset }

    /// Reads one protobuf varint; `what` names the field.
    mutating func readVarint(_ what: String) throws(DAGError) -> UInt64 {
        try mapped { (wire) throws(ProtobufWireError) in try wire.readVarint(what) }
    }

    /// Reads a field key, returning (field number, wire type); field 0 is `.unknownField`.
    mutating func readKey() throws(DAGError) -> (field: UInt64, wireType: UInt64) {
        try mapped { (wire) throws(ProtobufWireError) in try wire.readKey() }
    }

    /// Reads a length-delimited payload and returns its range in the buffer.
    mutating func readLengthDelimited(_ what: String) throws(DAGError) -> Range<Int> {
        try mapped { (wire) throws(ProtobufWireError) in try wire.readLengthDelimited(what, lengthWhat: "\(what) length") }
    }

    /// Skips a field of a known wire type (used for forward-compatible UnixFS fields).
    mutating func skip(wireType: UInt64, field: UInt64) throws(DAGError) {
        try mapped { (wire) throws(ProtobufWireError) in
            try wire.skip(field: field, wireType: wireType, lengthWhat: "field \(field) length")
        }
    }

    private mutating func mapped<T>(_ read: (inout ProtobufReader) throws(ProtobufWireError) -> T) throws(DAGError) -> T {
        do {
            return try read(&wire)
        } catch {
            switch error {
            case .truncated(let what): throw .truncated(context: "\(context) \(what)")
            case .invalidVarint(let what), .nonMinimalVarint(let what): throw .invalidVarint(context: "\(context) \(what)")
            case .invalidFieldNumber(let field): throw .unknownField(context: context, field: field)
            case .unsupportedWireType(let field, let wireType): throw .wrongWireType(context: context, field: field, wireType: wireType)
            case .wrongWireType(let field, _, let actual): throw .wrongWireType(context: context, field: field, wireType: actual)
            case .valueOutOfRange(let field, _): throw .invalidVarint(context: "\(context) field \(field)")
            }
        }
    }
}
