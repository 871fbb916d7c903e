/// Why a uvarint length-prefixed stream of messages (libp2p's "delimited" framing) could not be split.
public enum LengthPrefixError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The length prefix is longer than 10 bytes or overflows 64 bits.
    case invalidLengthPrefix
    /// A frame declares `byteCount` bytes, over the configured `limit`; nothing of it is buffered.
    case frameTooLarge(byteCount: UInt64, limit: Int)
    /// The input ended inside a frame; `bufferedByteCount` bytes of it (prefix included) had arrived.
    case truncated(bufferedByteCount: Int)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .invalidLengthPrefix: "framing: invalid uvarint length prefix"
        case .frameTooLarge(let count, let limit): "framing: frame of \(count) bytes is over the limit of \(limit)"
        case .truncated(let count): "framing: input ended inside a frame (\(count) bytes buffered)"
        }
    }
}
