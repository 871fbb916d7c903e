extension YamuxFrame {
    /// The size of every frame header, in bytes.
    public static let headerByteCount = 12

    /// A frame header, validated but without its payload.
    public struct Header: Sendable, Equatable {
        /// The frame type.
        public let type: FrameType
        /// The flags.
        public let flags: Flags
        /// The stream ID.
        public let streamID: UInt32
        /// The length field.
        public let length: UInt32

        /// The number of payload bytes that follow this header (`length` for Data, else 0).
        public var payloadByteCount: Int { type == .data ? Int(length) : 0 }
    }

    /// Appends the wire form (header, then payload) to `buffer`.
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(0)
        buffer.append(type.rawValue)
        Self.appendBigEndian(UInt32(flags.rawValue), byteCount: 2, to: &buffer)
        Self.appendBigEndian(streamID, byteCount: 4, to: &buffer)
        Self.appendBigEndian(length, byteCount: 4, to: &buffer)
        buffer.append(contentsOf: payload)
    }

    /// The wire form of this frame.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerByteCount + payload.count)
        encode(into: &out)
        return out
    }

    /// Decodes and validates the 12-byte header at the start of `bytes`.
    /// - Throws: `YamuxError.truncated` with fewer than 12 bytes, `.unsupportedVersion`, `.unknownFrameType`,
    ///   `.unknownFlags`, `.invalidStreamID`, or `.frameTooLarge` when a Data payload exceeds
    ///   `maximumPayloadByteCount`.
    public static func decodeHeader(
        _ bytes: ArraySlice<UInt8>, maximumPayloadByteCount: Int
    ) throws(YamuxError) -> Header {
        guard bytes.count >= headerByteCount else { throw .truncated(bufferedByteCount: bytes.count) }
        let base = bytes.startIndex
        let version = bytes[base]
        guard version == 0 else { throw .unsupportedVersion(version) }
        guard let type = FrameType(rawValue: bytes[base + 1]) else { throw .unknownFrameType(bytes[base + 1]) }
        let rawFlags = UInt16(readBigEndian(bytes, at: base + 2, byteCount: 2))
        let flags = Flags(rawValue: rawFlags)
        guard Flags.all.isSuperset(of: flags) else { throw .unknownFlags(rawFlags) }
        let streamID = readBigEndian(bytes, at: base + 4, byteCount: 4)
        let length = readBigEndian(bytes, at: base + 8, byteCount: 4)
        switch type {
        case .data, .windowUpdate:
            guard streamID != 0 else { throw .invalidStreamID(type: type.rawValue, streamID: streamID) }
        case .ping, .goAway:
            guard streamID == 0 else { throw .invalidStreamID(type: type.rawValue, streamID: streamID) }
        }
        if type == .data && Int(length) > maximumPayloadByteCount {
            throw .frameTooLarge(byteCount: Int(length), limit: maximumPayloadByteCount)
        }
        return Header(type: type, flags: flags, streamID: streamID, length: length)
    }

    /// Decodes exactly one frame occupying all of `bytes`.
    /// - Throws: any header error, `.truncated` when bytes are missing, `.trailingBytes` when some are left.
    public static func decode(
        _ bytes: [UInt8],
        maximumPayloadByteCount: Int = YamuxConfiguration.default.maximumInboundFramePayloadByteCount
    ) throws(YamuxError) -> YamuxFrame {
        guard bytes.count >= headerByteCount else { throw .truncated(bufferedByteCount: bytes.count) }
        let header = try decodeHeader(bytes[...], maximumPayloadByteCount: maximumPayloadByteCount)
        let total = headerByteCount + header.payloadByteCount
        guard bytes.count >= total else { throw .truncated(bufferedByteCount: bytes.count) }
        guard bytes.count == total else { throw .trailingBytes(count: bytes.count - total) }
        return validated(header: header, payload: Array(bytes[headerByteCount...]))
    }

    /// Builds a frame from a validated header and exactly `header.payloadByteCount` payload bytes.
    static func validated(header: Header, payload: [UInt8]) -> YamuxFrame {
        precondition(payload.count == header.payloadByteCount)
        return validated(type: header.type, flags: header.flags, streamID: header.streamID,
                         length: header.length, payload: payload)
    }

    private static func appendBigEndian(_ value: UInt32, byteCount: Int, to buffer: inout [UInt8]) {
        for shift in stride(from: (byteCount - 1) * 8, through: 0, by: -8) {
            buffer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    private static func readBigEndian(_ bytes: ArraySlice<UInt8>, at index: Int, byteCount: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<byteCount { value = value << 8 | UInt32(bytes[index + offset]) }
        return value
    }
}
