import CairnNet

/// Splits a Bitswap stream into messages as bytes arrive: `uvarint(length) ‖ Message` repeated.
///
/// The length is checked against `maximumMessageByteCount` as soon as the prefix is complete, so at most one
/// message's worth of bytes (4 MiB by default) is ever buffered for a frame, whatever the chunking.
public struct BitswapFrameDecoder: Sendable {
    /// The limits applied to every message.
    public let configuration: BitswapConfiguration
    private var frames: LengthPrefixedFrameDecoder

    /// Creates a decoder for one inbound Bitswap stream.
    public init(configuration: BitswapConfiguration = .default) {
        self.configuration = configuration
        self.frames = LengthPrefixedFrameDecoder(maximumFrameByteCount: configuration.maximumMessageByteCount)
    }

    /// Consumes received bytes and returns every message they complete, in order.
    /// - Throws: `.framing` for a bad or oversized prefix, or any decoding error of a message; the stream
    ///   should then be reset.
    public mutating func receive(_ bytes: some Collection<UInt8>) throws(BitswapError) -> [BitswapMessage] {
        frames.append(bytes)
        var messages: [BitswapMessage] = []
        while true {
            let frame: [UInt8]?
            do {
                frame = try frames.nextFrame()
            } catch {
                throw .framing(error)
            }
            guard let frame else { return messages }
            messages.append(try BitswapMessage(decoding: frame, configuration: configuration))
        }
    }

    /// Declares the end of the stream.
    /// - Throws: `.framing(.truncated)` when it ended inside a message.
    public func finish() throws(BitswapError) {
        do {
            try frames.finish()
        } catch {
            throw .framing(error)
        }
    }
}
