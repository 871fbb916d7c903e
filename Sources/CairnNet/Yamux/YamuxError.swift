/// Every way a yamux frame or session can fail: malformed frames, a peer breaking the protocol or our
/// limits, and operations on streams that no longer accept them.
public enum YamuxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The frame header's version byte is not 0, the only version yamux defines.
    case unsupportedVersion(UInt8)
    /// The frame type byte is not Data (0), WindowUpdate (1), Ping (2) or GoAway (3).
    case unknownFrameType(UInt8)
    /// The flags field sets bits other than SYN, ACK, FIN and RST.
    case unknownFlags(UInt16)
    /// A frame of `type` carries a stream ID that type forbids (0 for Data/WindowUpdate, non-zero for Ping/GoAway).
    case invalidStreamID(type: UInt8, streamID: UInt32)
    /// A Data frame announces a `byteCount`-byte payload, over the configured `limit`.
    case frameTooLarge(byteCount: Int, limit: Int)
    /// `decode` was given bytes after one complete frame.
    case trailingBytes(count: Int)
    /// The input ended inside a frame.
    case truncated(bufferedByteCount: Int)
    /// The connection's input ended (on a frame boundary) while the session was still open.
    case endOfInput
    /// The peer sent `byteCount` bytes on `streamID` while only `window` bytes of receive window were left.
    case receiveWindowExceeded(streamID: UInt32, byteCount: Int, window: Int)
    /// The peer opened a stream with an ID of our parity (both sides acting as client or server).
    case streamIDParityMismatch(streamID: UInt32)
    /// The peer opened a stream whose ID is not above every ID it used before.
    case streamIDReused(streamID: UInt32)
    /// The peer sent data on a stream after half-closing it with FIN.
    case dataAfterFIN(streamID: UInt32)
    /// More streams than `limit` would be open at once.
    case streamLimitExceeded(limit: Int)
    /// More than `limit` inbound streams are waiting to be accepted.
    case inboundBacklogExceeded(limit: Int)
    /// More than `limit` streams we opened are still unacknowledged by the peer.
    case outboundBacklogExceeded(limit: Int)
    /// Every stream ID of our parity has been used; a new session is needed.
    case streamIDsExhausted
    /// The stream is unknown (never opened, or already closed or reset).
    case unknownStream(streamID: UInt32)
    /// The stream was already half-closed by us, so it accepts no more data.
    case streamClosedForWriting(streamID: UInt32)
    /// A GoAway was sent or received, so no new streams may be opened.
    case sessionGoingAway
    /// The peer sent GoAway with an error code (1 protocol error, 2 internal error, others unknown).
    case remoteGoAway(code: UInt32)
    /// Our keep-alive ping was not answered before the next ping was due.
    case pingTimeout
    /// The session already failed with `cause`; nothing more can be done on it.
    indirect case sessionFailed(cause: YamuxError)

    /// A one-line explanation of the failure for logs.
    public var description: String {
        switch self {
        case .unsupportedVersion(let v): "yamux: unsupported version \(v)"
        case .unknownFrameType(let t): "yamux: unknown frame type \(t)"
        case .unknownFlags(let f): "yamux: unknown flag bits 0x\(String(f, radix: 16))"
        case .invalidStreamID(let t, let id): "yamux: stream ID \(id) is not allowed on a frame of type \(t)"
        case .frameTooLarge(let count, let limit): "yamux: \(count)-byte frame payload over the limit of \(limit)"
        case .trailingBytes(let count): "yamux: \(count) bytes after a complete frame"
        case .truncated(let count): "yamux: input ended inside a frame (\(count) bytes buffered)"
        case .endOfInput: "yamux: connection closed while the session was open"
        case .receiveWindowExceeded(let id, let count, let window):
            "yamux: peer sent \(count) bytes on stream \(id) with only \(window) bytes of window left"
        case .streamIDParityMismatch(let id): "yamux: peer opened stream \(id), an ID of our parity"
        case .streamIDReused(let id): "yamux: peer opened stream \(id), not above its earlier stream IDs"
        case .dataAfterFIN(let id): "yamux: data on stream \(id) after the peer's FIN"
        case .streamLimitExceeded(let limit): "yamux: over the limit of \(limit) concurrent streams"
        case .inboundBacklogExceeded(let limit): "yamux: over the limit of \(limit) inbound streams awaiting accept"
        case .outboundBacklogExceeded(let limit): "yamux: over the limit of \(limit) unacknowledged outbound streams"
        case .streamIDsExhausted: "yamux: stream IDs exhausted; open a new session"
        case .unknownStream(let id): "yamux: stream \(id) is not open"
        case .streamClosedForWriting(let id): "yamux: stream \(id) was closed for writing"
        case .sessionGoingAway: "yamux: session is going away; no new streams"
        case .remoteGoAway(let code): "yamux: peer sent GoAway with error code \(code)"
        case .pingTimeout: "yamux: keep-alive ping not answered"
        case .sessionFailed(let cause): "yamux: session failed (\(cause))"
        }
    }
}
