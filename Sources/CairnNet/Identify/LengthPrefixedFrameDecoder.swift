import CairnCore

/// An incremental splitter for uvarint length-prefixed frames (identify, bitswap, kad), fed bytes as they arrive.
///
/// Layout of one frame: `uvarint(n) ‖ n bytes`. Bytes may arrive in any chunking, one at a time included.
/// The declared length is checked against `maximumFrameByteCount` as soon as the prefix is complete, so a
/// hostile peer cannot make the decoder wait for (and buffer) an oversized frame.
public struct LengthPrefixedFrameDecoder: Sendable {
    /// The largest frame accepted, in bytes, excluding the length prefix.
    public let maximumFrameByteCount: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    /// Creates a decoder that refuses frames over `maximumFrameByteCount` bytes.
    public init(maximumFrameByteCount: Int) {
        precondition(maximumFrameByteCount >= 0, "the frame limit cannot be negative")
        self.maximumFrameByteCount = maximumFrameByteCount
    }

    /// The number of bytes received but not yet returned as part of a frame.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes; call `nextFrame()` until it returns nil afterwards.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if readIndex > 0, readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete frame's body, or nil when more bytes are needed.
    /// - Throws: `.invalidLengthPrefix` or `.frameTooLarge`; the decoder is unusable afterwards.
    public mutating func nextFrame() throws(LengthPrefixError) -> [UInt8]? {
        guard let (length, prefixCount) = try readPrefix() else { return nil }
        guard length <= UInt64(maximumFrameByteCount) else {
            throw .frameTooLarge(byteCount: length, limit: maximumFrameByteCount)
        }
        let start = readIndex + prefixCount
        let bodyCount = Int(length)
        guard buffer.count - start >= bodyCount else { return nil }
        readIndex = start + bodyCount
        return Array(buffer[start..<readIndex])
    }

    /// Declares the end of input: throws if it cut a frame short (call after `nextFrame()` returned nil).
    public func finish() throws(LengthPrefixError) {
        guard bufferedByteCount == 0 else { throw .truncated(bufferedByteCount: bufferedByteCount) }
    }

    /// Parses the length prefix at `readIndex`, or returns nil when it is still incomplete.
    private func readPrefix() throws(LengthPrefixError) -> (length: UInt64, byteCount: Int)? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = readIndex
        while index < buffer.count {
            let byte = buffer[index]
            index += 1
            if shift == 63 && byte > 1 { throw .invalidLengthPrefix }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return (value, index - readIndex) }
            shift += 7
            if shift > 63 { throw .invalidLengthPrefix }
            // Once the bits read so far already exceed the limit, no later byte can bring the value back down.
            if value > UInt64(maximumFrameByteCount) { throw .frameTooLarge(byteCount: value, limit: maximumFrameByteCount) }
        }
        return nil
    }

    /// Frames `body` with its uvarint length prefix.
    public static func frame(_ body: [UInt8]) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendVarint(UInt64(body.count))
        return writer.bytes + body
    }
}
