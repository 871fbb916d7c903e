/// An incremental multistream message decoder: feed it bytes as they arrive (in chunks of any size,
/// down to one byte) and pull complete messages out.
///
/// Bytes after the last decoded message stay buffered until `takeBufferedBytes()` hands them on: after
/// negotiation they are the first application bytes and belong to the protocol handler. The buffer holds
/// at most one partial message (bounded by `maximumMessageByteCount`) plus whatever the caller appended
/// in its last chunk, because the owning state machine drains complete messages after every append.
public struct MultistreamDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// The message size limit applied to every decoded message.
    public let maximumMessageByteCount: Int

    /// Creates a decoder that rejects messages over `maximumMessageByteCount` bytes (newline included).
    public init(maximumMessageByteCount: Int = MultistreamConfiguration.default.maximumMessageByteCount) {
        self.maximumMessageByteCount = maximumMessageByteCount
    }

    /// The number of bytes received but not yet decoded or taken.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Appends newly received bytes.
    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Decodes the next complete message, or returns `nil` when the buffered bytes hold only part of one.
    /// - Throws: `MultistreamError` for a malformed or oversized message; the decoder is then unusable.
    public mutating func nextMessage() throws(MultistreamError) -> MultistreamMessage? {
        guard let (message, count) = try MultistreamMessage.decode(
            prefixOf: buffer[readIndex...], maximumMessageByteCount: maximumMessageByteCount
        ) else { return nil }
        readIndex += count
        return message
    }

    /// Removes and returns every buffered byte not yet decoded (the pipelined application data).
    public mutating func takeBufferedBytes() -> [UInt8] {
        let rest = Array(buffer[readIndex...])
        buffer.removeAll()
        readIndex = 0
        return rest
    }

    /// The error to report when the input ends now: `.truncated` inside a message, else `.endOfInput`.
    public var endOfInputError: MultistreamError {
        bufferedByteCount > 0 ? .truncated(bufferedByteCount: bufferedByteCount) : .endOfInput
    }
}
