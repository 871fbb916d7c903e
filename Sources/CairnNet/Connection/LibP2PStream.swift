import CairnCore
import CairnCrypto

/// One negotiated yamux stream of a ``LibP2PConnection``: ordered, flow-controlled bytes in both directions.
///
/// Reads and writes go through the connection's actor; at most one read and one write may wait at a time
/// (`.concurrentOperation` otherwise). Reading is what reopens the peer's send window, so a slow reader
/// slows the peer down instead of growing a buffer.
public struct LibP2PStream: Sendable {
    let driver: ConnectionDriver
    /// The yamux stream ID (odd when the connection dialer opened it, even when the listener did).
    public let streamID: UInt32
    /// The protocol negotiated on this stream with multistream-select, such as `/ipfs/ping/1.0.0`.
    public let protocolID: String
    /// The authenticated peer at the other end.
    public let remotePeerID: PeerID

    init(driver: ConnectionDriver, streamID: UInt32, protocolID: String, remotePeerID: PeerID) {
        self.driver = driver
        self.streamID = streamID
        self.protocolID = protocolID
        self.remotePeerID = remotePeerID
    }

    /// The next chunk of bytes (at most one yamux frame's payload), or nil at the end of the stream.
    /// - Throws: `ConnectionError.streamReset` when the peer reset the stream, or the connection's failure.
    public func read() async throws(ConnectionError) -> [UInt8]? {
        try await driver.read(streamID: streamID)
    }

    /// Reads exactly `byteCount` bytes, or returns fewer only if the stream ends first.
    /// - Parameter byteCount: how many bytes to read; the buffer never holds more than that plus one chunk.
    /// - Throws: as ``read()``.
    public func read(exactly byteCount: Int) async throws(ConnectionError) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < byteCount {
            guard let chunk = try await read() else { break }
            let needed = byteCount - bytes.count
            if chunk.count > needed {
                bytes += chunk.prefix(needed)
                await driver.pushBack(Array(chunk.dropFirst(needed)), streamID: streamID)
            } else {
                bytes += chunk
            }
        }
        return bytes
    }

    /// Writes all of `bytes`, waiting while the peer's window is exhausted.
    /// - Throws: `ConnectionError.streamReset`, `.yamux(.streamClosedForWriting)` after ``closeWrite()``,
    ///   or the connection's failure.
    public func write(_ bytes: [UInt8]) async throws(ConnectionError) {
        try await driver.write(bytes, streamID: streamID)
    }

    /// Half-closes the stream: the peer reads the end of the stream; we may still read.
    public func closeWrite() async {
        await driver.closeWrite(streamID: streamID)
    }

    /// The remote socket address of the connection carrying this stream (what identify reports as the
    /// observed address).
    public var connectionRemoteAddress: Multiaddr? {
        get async { await driver.remoteAddress }
    }

    /// Resets the stream at once (RST); pending reads and writes fail.
    public func reset() async {
        await driver.reset(streamID: streamID)
    }
}
