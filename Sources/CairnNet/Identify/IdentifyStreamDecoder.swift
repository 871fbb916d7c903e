/// Reads an identify stream to its end: splits the length-prefixed messages as bytes arrive and merges them.
///
/// Feed every received chunk to `receive(_:)`, then call `finish()` when the peer closes its side.
public struct IdentifyStreamDecoder: Sendable {
    /// The limits applied to each message, their number and the merged result.
    public let configuration: IdentifyConfiguration
    private var frames: LengthPrefixedFrameDecoder
    private var messages: [IdentifyMessage] = []

    /// Creates a decoder for one identify or identify-push stream.
    public init(configuration: IdentifyConfiguration = .default) {
        self.configuration = configuration
        self.frames = LengthPrefixedFrameDecoder(maximumFrameByteCount: configuration.maximumMessageByteCount)
    }

    /// The number of complete messages received so far.
    public var messageCount: Int { messages.count }

    /// Consumes received bytes, decoding every complete message.
    /// - Throws: `IdentifyError` for broken framing, an invalid message, or more than `maximumMessageCount`.
    public mutating func receive(_ bytes: some Collection<UInt8>) throws(IdentifyError) {
        frames.append(bytes)
        while true {
            let frame: [UInt8]?
            do {
                frame = try frames.nextFrame()
            } catch {
                throw .framing(error)
            }
            guard let frame else { return }
            guard messages.count < configuration.maximumMessageCount else {
                throw .tooManyMessages(limit: configuration.maximumMessageCount)
            }
            messages.append(try IdentifyMessage(decoding: frame, configuration: configuration))
        }
    }

    /// Ends the stream and returns the merged message.
    /// - Throws: `.framing(.truncated)` when the stream ended inside a message, `.tooManyItems` when the merged
    ///   message exceeds the address or protocol limits.
    public func finish() throws(IdentifyError) -> IdentifyMessage {
        do {
            try frames.finish()
        } catch {
            throw .framing(error)
        }
        let merged = IdentifyMessage.merging(messages)
        try merged.checkCounts(configuration)
        return merged
    }
}
