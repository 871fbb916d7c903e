/// Why a protobuf message could not be parsed, independent of which message it was.
///
/// Produced by the shared ``ProtobufReader``. The libp2p codecs (identify, bitswap) wrap it in their own
/// error type together with the message name; the dag-pb/UnixFS, key, Noise and DHT codecs map it into
/// their module's own error cases at the module boundary.
public enum ProtobufWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside `what` (a field key, a varint or a length-delimited value).
    case truncated(what: String)
    /// A varint is too long or overflows: over 10 bytes or 64 bits for protobuf varints, over 9 bytes or
    /// 63 bits under the multiformats rule (``ProtobufVarintRule/minimal``).
    case invalidVarint(what: String)
    /// A varint ends in a redundant zero group, which ``ProtobufVarintRule/minimal`` forbids.
    case nonMinimalVarint(what: String)
    /// A field key names field number 0 (or one above the reader's maximum), which protobuf forbids.
    case invalidFieldNumber(UInt64)
    /// A known field arrived with a wire type other than the one its declaration implies.
    case wrongWireType(field: UInt64, expected: UInt64, actual: UInt64)
    /// A field uses a wire type we do not accept anywhere (groups 3 and 4, or 6 and 7).
    case unsupportedWireType(field: UInt64, wireType: UInt64)
    /// A varint field carries a value outside its declared type (`int32`, `bool`, an enum).
    case valueOutOfRange(field: UInt64, value: UInt64)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .truncated(let what): "protobuf: input ended inside \(what)"
        case .invalidVarint(let what): "protobuf: invalid varint in \(what)"
        case .nonMinimalVarint(let what): "protobuf: varint in \(what) is not minimally encoded"
        case .invalidFieldNumber(let n): "protobuf: invalid field number \(n)"
        case .wrongWireType(let field, let expected, let actual):
            "protobuf: field \(field) has wire type \(actual), expected \(expected)"
        case .unsupportedWireType(let field, let wireType): "protobuf: field \(field) uses unsupported wire type \(wireType)"
        case .valueOutOfRange(let field, let value): "protobuf: field \(field) value \(value) is out of range"
        }
    }
}
