import CairnCore

extension LibP2PStream {
    /// Writes one uvarint length-prefixed message (the framing of identify, kad and bitswap).
    /// - Throws: as ``write(_:)``.
    public func writeLengthPrefixed(_ message: [UInt8]) async throws(ConnectionError) {
        var frame = Varint.encode(UInt64(message.count))
        frame.append(contentsOf: message)
        try await write(frame)
    }
}

/// Reads uvarint length-prefixed messages from a ``LibP2PStream``, refusing any over a size limit as soon
/// as its prefix arrives (the stream is then reset by the caller).
public struct LengthPrefixedMessageReader: Sendable {
    private let stream: LibP2PStream
    private var decoder: LengthPrefixedFrameDecoder

    /// Reads from `stream`; messages over `maximumMessageByteCount` are an error.
    public init(stream: LibP2PStream, maximumMessageByteCount: Int) {
        self.stream = stream
        self.decoder = LengthPrefixedFrameDecoder(maximumFrameByteCount: maximumMessageByteCount)
    }

    /// The next message, or nil when the stream ended cleanly between messages.
    /// - Throws: `LengthPrefixError` for a bad or oversized prefix or a stream that ends mid-message;
    ///   `ConnectionError` from the stream.
    public mutating func next() async throws -> [UInt8]? {
        while true {
            if let frame = try decoder.nextFrame() { return frame }
            guard let chunk = try await stream.read() else {
                if decoder.bufferedByteCount == 0 { return nil }
                throw LengthPrefixError.truncated(bufferedByteCount: decoder.bufferedByteCount)
            }
            decoder.append(chunk)
        }
    }
}
