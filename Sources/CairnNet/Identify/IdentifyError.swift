import CairnCore

/// Every way an identify exchange can fail.
public enum IdentifyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The length-prefixed framing is broken, truncated or announces a message over the limit.
    case framing(LengthPrefixError)
    /// A message of `byteCount` bytes is over the configured `limit`.
    case messageTooLarge(byteCount: Int, limit: Int)
    /// The protobuf is malformed.
    case malformedProtobuf(ProtobufWireError)
    /// A string field (`protocolVersion`, `agentVersion`, `protocols`) is not valid UTF-8.
    case invalidUTF8(field: String)
    /// The peer sent more than `limit` messages on one stream.
    case tooManyMessages(limit: Int)
    /// The merged message has more `what` (listen addresses, protocols) than the `limit`.
    case tooManyItems(what: String, count: Int, limit: Int)
    /// Our own message encodes to `byteCount` bytes, over the `limit` every peer accepts.
    case ownMessageTooLarge(byteCount: Int, limit: Int)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .framing(let error): "identify: \(error)"
        case .messageTooLarge(let count, let limit): "identify: message of \(count) bytes is over the limit of \(limit)"
        case .malformedProtobuf(let error): "identify: \(error)"
        case .invalidUTF8(let field): "identify: \(field) is not valid UTF-8"
        case .tooManyMessages(let limit): "identify: more than \(limit) messages on one stream"
        case .tooManyItems(let what, let count, let limit): "identify: \(count) \(what), over the limit of \(limit)"
        case .ownMessageTooLarge(let count, let limit): "identify: our message is \(count) bytes, over the limit of \(limit)"
        }
    }
}
