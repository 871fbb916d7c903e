/// The libp2p Noise frame: a 2-byte big-endian length followed by that many bytes.
///
/// ```
/// [length: UInt16 BE] [body: length bytes]     body ≤ 65,535 bytes
/// ```
/// Every handshake message and every transport ciphertext travels in one frame, so transport
/// plaintext is at most 65,519 bytes per frame (the 16-byte Poly1305 tag fills the rest).
public enum NoiseFrame {
    /// The length prefix size in bytes.
    public static let lengthPrefixByteCount = 2
    /// The largest frame body in bytes (the 2-byte length's maximum).
    public static let maximumBodyByteCount = 65535
    /// The largest transport plaintext in one frame, in bytes.
    public static let maximumPlaintextByteCount = maximumBodyByteCount - NoiseCipherState.tagByteCount

    /// Prefixes `body` with its length.
    /// - Throws: `.frameTooLarge` over ``maximumBodyByteCount``.
    public static func encode(_ body: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard body.count <= maximumBodyByteCount else { throw .frameTooLarge(byteCount: body.count, limit: maximumBodyByteCount) }
        var frame: [UInt8] = [UInt8(body.count >> 8), UInt8(body.count & 0xff)]
        frame.reserveCapacity(body.count + lengthPrefixByteCount)
        frame.append(contentsOf: body)
        return frame
    }
}

/// Reassembles Noise frames from bytes that arrive in arbitrary chunks (down to one byte at a time).
///
/// Feed received bytes with ``append(_:)`` and take complete frame bodies with ``nextFrame()``
/// until it returns nil. Buffering is bounded: appending past ``maximumBufferedByteCount``
/// unconsumed bytes throws, so a peer cannot make the decoder grow without limit.
public struct NoiseFrameDecoder: Sendable {
    /// The default buffering limit: four maximal frames, room for a TCP read that straddles frames.
    public static let defaultMaximumBufferedByteCount = 4 * (NoiseFrame.maximumBodyByteCount + NoiseFrame.lengthPrefixByteCount)

    /// The most unconsumed bytes the decoder holds.
    public let maximumBufferedByteCount: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    /// Creates a decoder; the limit must allow at least one maximal frame.
    public init(maximumBufferedByteCount: Int = defaultMaximumBufferedByteCount) {
        precondition(maximumBufferedByteCount >= NoiseFrame.maximumBodyByteCount + NoiseFrame.lengthPrefixByteCount,
                     "the buffer limit must hold one maximal frame")
        self.maximumBufferedByteCount = maximumBufferedByteCount
    }

    /// The number of received bytes not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    /// - Throws: `.bufferLimitExceeded` when the unconsumed bytes would exceed the limit.
    public mutating func append(_ bytes: some Collection<UInt8>) throws(NoiseError) {
        let total = bufferedByteCount + bytes.count
        guard total <= maximumBufferedByteCount else { throw .bufferLimitExceeded(byteCount: total, limit: maximumBufferedByteCount) }
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame body, or nil until more bytes arrive.
    public mutating func nextFrame() -> [UInt8]? {
        guard bufferedByteCount >= NoiseFrame.lengthPrefixByteCount else { return nil }
        let length = Int(buffer[readIndex]) << 8 | Int(buffer[readIndex + 1])
        let start = readIndex + NoiseFrame.lengthPrefixByteCount
        guard buffer.count - start >= length else { return nil }
        readIndex = start + length
        let body = Array(buffer[start..<readIndex])
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return body
    }
}
