/// An incremental yamux frame decoder: append bytes as they arrive (in chunks of any size, down to one
/// byte) and pull out complete, validated frames.
///
/// A header is validated as soon as its 12 bytes arrive, so an oversized Data length is rejected before its
/// payload is buffered. Because the owner drains frames after every append, the buffer holds at most one
/// partial frame (≤ 12 bytes + the payload limit) plus the caller's last chunk.
public struct YamuxFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var pendingHeader: YamuxFrame.Header?
    /// The largest Data payload accepted, in bytes.
    public let maximumPayloadByteCount: Int

    /// Creates a decoder accepting Data payloads up to `maximumPayloadByteCount` bytes.
    public init(maximumPayloadByteCount: Int = YamuxConfiguration.default.maximumInboundFramePayloadByteCount) {
        self.maximumPayloadByteCount = maximumPayloadByteCount
    }

    /// The number of received bytes not yet returned as frames.
    public var bufferedByteCount: Int {
        buffer.count - readIndex + (pendingHeader == nil ? 0 : YamuxFrame.headerByteCount)
    }

    /// Appends newly received bytes.
    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        if readIndex > 0 && (readIndex == buffer.count || readIndex >= 64 * 1024) {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete frame, or `nil` when more bytes are needed.
    /// - Throws: `YamuxError` for an invalid header; the decoder is then unusable.
    public mutating func nextFrame() throws(YamuxError) -> YamuxFrame? {
        let header: YamuxFrame.Header
        if let pendingHeader {
            header = pendingHeader
        } else {
            guard buffer.count - readIndex >= YamuxFrame.headerByteCount else { return nil }
            header = try YamuxFrame.decodeHeader(buffer[readIndex...], maximumPayloadByteCount: maximumPayloadByteCount)
            readIndex += YamuxFrame.headerByteCount
            pendingHeader = header
        }
        let payloadCount = header.payloadByteCount
        guard buffer.count - readIndex >= payloadCount else { return nil }
        let payload = Array(buffer[readIndex..<readIndex + payloadCount])
        readIndex += payloadCount
        pendingHeader = nil
        return YamuxFrame.validated(header: header, payload: payload)
    }
}
