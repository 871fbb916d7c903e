import CairnCore

/// An incremental decoder of length-prefixed DHT messages: append bytes as they arrive (in chunks of any
/// size, down to one byte) and pull out complete, validated messages.
///
/// Frame layout: `uvarint(length) ‖ protobuf Message` (go-msgio's varint framing). The length is checked
/// against `maximumMessageByteCount` as soon as its varint is complete, before the body is buffered, so a
/// peer cannot make us hold more than one maximal frame plus the caller's last chunk.
public struct DHTFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var pendingLength: Int?
    /// The limits applied to every frame and message.
    public let configuration: DHTConfiguration

    /// Creates a decoder with the given limits.
    public init(configuration: DHTConfiguration = .default) {
        self.configuration = configuration
    }

    /// The number of received bytes not yet returned as messages.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Appends newly received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if readIndex > 0 && (readIndex == buffer.count || readIndex >= 64 * 1024) {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete message, or `nil` when more bytes are needed.
    /// - Throws: `DHTError` for an oversized length or a malformed message; the stream should then be reset.
    public mutating func nextMessage() throws(DHTError) -> DHTMessage? {
        let length: Int
        if let pendingLength {
            length = pendingLength
        } else {
            guard let decoded = try decodeLength() else { return nil }
            length = decoded
        }
        guard buffer.count - readIndex >= length else { return nil }
        let body = Array(buffer[readIndex..<readIndex + length])
        readIndex += length
        pendingLength = nil
        return try DHTMessage(decoding: body, configuration: configuration)
    }

    /// Checks that the stream ended on a frame boundary.
    /// - Throws: `DHTError.truncatedFrame` when part of a frame is still buffered.
    public func finish() throws(DHTError) {
        let count = bufferedByteCount
        guard count == 0 && pendingLength == nil else { throw .truncatedFrame(bufferedByteCount: count) }
    }

    private mutating func decodeLength() throws(DHTError) -> Int? {
        var reader = DHTWireReader(buffer, range: readIndex..<buffer.count)
        let value: UInt64
        do {
            value = try reader.readVarint("frame length")
        } catch .truncated {
            return nil
        }
        let limit = configuration.maximumMessageByteCount
        guard value <= UInt64(limit) else { throw .tooLarge(context: "frame", byteCount: Int(clamping: value), limit: limit) }
        readIndex = reader.offset
        pendingLength = Int(value)
        return Int(value)
    }
}
