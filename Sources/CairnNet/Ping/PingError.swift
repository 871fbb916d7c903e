/// Every way a ping exchange can fail.
public enum PingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The echoed 32 bytes differ from the payload we sent.
    case mismatchedEcho
    /// Bytes arrived on the dialer while no ping was outstanding (`byteCount` of them).
    case unexpectedBytes(byteCount: Int)
    /// A ping was started while the previous one was still awaiting its echo.
    case pingInFlight
    /// A payload to send is not exactly 32 bytes.
    case invalidPayloadSize(byteCount: Int)
    /// The stream ended in the middle of a 32-byte payload (`bufferedByteCount` bytes of it had arrived).
    case truncated(bufferedByteCount: Int)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .mismatchedEcho: "ping: the echo does not match the payload sent"
        case .unexpectedBytes(let count): "ping: \(count) bytes arrived with no ping outstanding"
        case .pingInFlight: "ping: a ping is already awaiting its echo"
        case .invalidPayloadSize(let count): "ping: payload of \(count) bytes, must be 32"
        case .truncated(let count): "ping: stream ended inside a payload (\(count) of 32 bytes)"
        }
    }
}
