/// One yamux frame: a 12-byte header and, for Data frames only, a payload.
///
/// Wire layout, big-endian (see `docs/specs/yamux.md`; spec: libp2p/specs `yamux/README.md`):
/// ```
/// version u8 = 0 | type u8 | flags u16 | stream ID u32 | length u32 | payload (Data only, `length` bytes)
/// ```
/// `length` is the payload length for Data, the window delta for WindowUpdate, an opaque value for Ping
/// and the error code for GoAway. A value of this type is always valid: Data and WindowUpdate frames name a
/// stream (ID ≠ 0), Ping and GoAway frames name the session (ID 0), and only Data carries a payload.
public struct YamuxFrame: Sendable, Equatable {
    /// The frame type (header byte 1).
    public enum FrameType: UInt8, Sendable, Equatable {
        /// Stream data; `length` is the payload length.
        case data = 0
        /// A stream window grant; `length` is the delta in bytes.
        case windowUpdate = 1
        /// A session ping; `length` is an opaque value echoed in the ACK.
        case ping = 2
        /// Session termination; `length` is a `GoAwayCode`.
        case goAway = 3
    }

    /// The frame flags (header bytes 2–3).
    public struct Flags: OptionSet, Sendable, Equatable, Hashable {
        /// The 16-bit flags field.
        public let rawValue: UInt16
        /// Creates flags from the raw field.
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// Opens a stream (or starts a ping).
        public static let syn = Flags(rawValue: 1)
        /// Acknowledges a stream (or answers a ping).
        public static let ack = Flags(rawValue: 2)
        /// Half-closes the sender's direction of a stream.
        public static let fin = Flags(rawValue: 4)
        /// Resets a stream at once.
        public static let rst = Flags(rawValue: 8)
        /// Every flag yamux defines.
        public static let all: Flags = [.syn, .ack, .fin, .rst]
    }

    /// The GoAway error codes.
    public enum GoAwayCode: UInt32, Sendable, Equatable {
        /// Normal termination.
        case normal = 0
        /// The peer broke the protocol.
        case protocolError = 1
        /// An internal error ended the session.
        case internalError = 2
    }

    /// The frame type.
    public let type: FrameType
    /// The flags.
    public let flags: Flags
    /// The stream ID (0 for the session-level Ping and GoAway).
    public let streamID: UInt32
    /// The header's length field: payload length, window delta, ping opaque value or GoAway code.
    public let length: UInt32
    /// The payload (empty for every type but Data).
    public let payload: [UInt8]

    private init(type: FrameType, flags: Flags, streamID: UInt32, length: UInt32, payload: [UInt8]) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.length = length
        self.payload = payload
    }

    /// A Data frame carrying `payload` (at most 4 GiB − 1 bytes) on stream `streamID` (≠ 0).
    public static func data(streamID: UInt32, flags: Flags = [], payload: [UInt8]) -> YamuxFrame {
        precondition(streamID != 0, "Data frames need a stream")
        precondition(payload.count <= Int(UInt32.max), "payload too large for a yamux frame")
        return YamuxFrame(type: .data, flags: flags, streamID: streamID, length: UInt32(payload.count), payload: payload)
    }

    /// A WindowUpdate frame granting `delta` more bytes on stream `streamID` (≠ 0).
    public static func windowUpdate(streamID: UInt32, flags: Flags = [], delta: UInt32) -> YamuxFrame {
        precondition(streamID != 0, "WindowUpdate frames need a stream")
        return YamuxFrame(type: .windowUpdate, flags: flags, streamID: streamID, length: delta, payload: [])
    }

    /// A Ping frame: `flags` is `.syn` for a request, `.ack` for the answer echoing `opaque`.
    public static func ping(flags: Flags, opaque: UInt32) -> YamuxFrame {
        YamuxFrame(type: .ping, flags: flags, streamID: 0, length: opaque, payload: [])
    }

    /// A GoAway frame with a raw error `code` (see `GoAwayCode`).
    public static func goAway(code: UInt32) -> YamuxFrame {
        YamuxFrame(type: .goAway, flags: [], streamID: 0, length: code, payload: [])
    }

    /// A GoAway frame with a known error code.
    public static func goAway(_ code: GoAwayCode) -> YamuxFrame {
        goAway(code: code.rawValue)
    }

    /// Builds a frame from a validated header and its payload; used by the decoder.
    static func validated(type: FrameType, flags: Flags, streamID: UInt32, length: UInt32, payload: [UInt8]) -> YamuxFrame {
        YamuxFrame(type: type, flags: flags, streamID: streamID, length: length, payload: payload)
    }
}
