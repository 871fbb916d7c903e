import CairnCore

/// Every way multistream-select 1.0 negotiation can fail: malformed or oversized messages from the peer,
/// a peer that breaks the protocol, or a negotiation that found no common protocol.
///
/// A negotiation failure is final: the connection or stream it ran on should be closed (or reset).
public enum MultistreamError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The uvarint length prefix is malformed (too long or not minimally encoded).
    case invalidLengthPrefix(MultiformatError)
    /// The length prefix needs more bytes than a message within `limit` can have, so the message is too large.
    case lengthPrefixTooLong(prefixByteCount: Int, limit: Int)
    /// A message declares `byteCount` bytes (newline included), over the configured `limit`.
    case messageTooLarge(byteCount: Int, limit: Int)
    /// A message has length zero, so it cannot carry the mandatory trailing newline.
    case emptyMessage
    /// A message does not end with `\n`.
    case missingNewline
    /// A message contains a `\n` before its last byte; protocol IDs are single lines.
    case embeddedNewline
    /// The message text is not valid UTF-8.
    case invalidUTF8
    /// A protocol ID given to a state machine is empty or contains a newline; `reason` says which.
    case invalidProtocolID(String, reason: String)
    /// The input ended in the middle of a message; `bufferedByteCount` bytes of it had arrived.
    case truncated(bufferedByteCount: Int)
    /// The input ended before negotiation finished, on a message boundary.
    case endOfInput
    /// The peer's first message was not the `/multistream/1.0.0` header.
    case unexpectedHeader(received: String)
    /// The listener answered a proposal with something that is neither the proposal nor `na`.
    case unexpectedResponse(proposed: String, received: String)
    /// The listener answered `na` to every protocol the dialer proposed (listed in order).
    case protocolsExhausted(proposed: [String])
    /// The dialer proposed more protocols than the listener tolerates on one connection or stream.
    case tooManyProposals(limit: Int)

    /// A one-line explanation of the failure for logs.
    public var description: String {
        switch self {
        case .invalidLengthPrefix(let error): "multistream: invalid length prefix (\(error))"
        case .lengthPrefixTooLong(let count, let limit):
            "multistream: \(count)-byte length prefix announces a message over the limit of \(limit) bytes"
        case .messageTooLarge(let count, let limit): "multistream: message of \(count) bytes is over the limit of \(limit)"
        case .emptyMessage: "multistream: zero-length message (the length must include the trailing newline)"
        case .missingNewline: "multistream: message does not end with a newline"
        case .embeddedNewline: "multistream: message contains a newline before its end"
        case .invalidUTF8: "multistream: message is not valid UTF-8"
        case .invalidProtocolID(let id, let reason): "multistream: invalid protocol ID '\(id)': \(reason)"
        case .truncated(let count): "multistream: input ended inside a message (\(count) bytes buffered)"
        case .endOfInput: "multistream: input ended before negotiation finished"
        case .unexpectedHeader(let received): "multistream: expected /multistream/1.0.0, received '\(received)'"
        case .unexpectedResponse(let proposed, let received):
            "multistream: proposed '\(proposed)', peer answered '\(received)'"
        case .protocolsExhausted(let proposed):
            "multistream: peer refused every proposed protocol (\(proposed.joined(separator: ", ")))"
        case .tooManyProposals(let limit): "multistream: peer proposed more than \(limit) protocols"
        }
    }
}
