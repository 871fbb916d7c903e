import CairnCrypto

/// Every way a libp2p connection or one of its streams can fail: a protocol error in one of the upgrade
/// layers, a limit, a timeout, or an operation on something already closed.
///
/// The layer errors keep the typed error of the layer that failed, so a caller can tell, for example,
/// a Noise `.peerIDMismatch` (we reached the wrong peer) from a network failure.
public enum ConnectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// multistream-select failed on the connection (security or muxer round) or on a stream.
    case multistream(MultistreamError)
    /// The Noise handshake or a transport frame failed (including `.peerIDMismatch`).
    case noise(NoiseError)
    /// The yamux session or a stream operation failed.
    case yamux(YamuxError)
    /// The peer closed the connection before the upgrade finished; `phase` names the step.
    case closedDuringUpgrade(phase: String)
    /// The upgrade did not finish within `limit`.
    case upgradeTimedOut(limit: Duration)
    /// The connection was closed (by us or the peer); `reason` says why when known.
    case connectionClosed(reason: String)
    /// An operation that needs the yamux session was attempted before the upgrade completed.
    case notUpgraded
    /// The peer reset the stream (RST), or the stream was reset locally.
    case streamReset(streamID: UInt32)
    /// The waiting task was cancelled.
    case cancelled
    /// A second `operation` (read or write) was started on a stream while one was still waiting.
    case concurrentOperation(streamID: UInt32, operation: String)
    /// The multiaddr cannot be dialled or listened on by this transport; `reason` says why.
    case unsupportedAddress(String, reason: String)
    /// The socket could not be connected or bound; `message` carries the system's explanation.
    case socketFailed(address: String, message: String)
    /// More inbound connections are open than the listener allows.
    case connectionLimitExceeded(limit: Int)
    /// No connection to `peer` is open and no address for it is known.
    case noKnownAddress(peer: String)
    /// A named resource limit (`limit`, e.g. "pending dials", "connections per peer") was reached.
    case resourceLimitExceeded(limit: String, value: Int)
    /// Every known address of `peer` failed; `failures` has one explanation per address.
    case dialFailed(peer: String, failures: [String])

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .multistream(let error): "connection: \(error)"
        case .noise(let error): "connection: \(error)"
        case .yamux(let error): "connection: \(error)"
        case .closedDuringUpgrade(let phase): "connection: the peer closed the connection during \(phase)"
        case .upgradeTimedOut(let limit): "connection: upgrade did not finish within \(limit)"
        case .connectionClosed(let reason): "connection: closed (\(reason))"
        case .notUpgraded: "connection: the connection is not upgraded yet"
        case .streamReset(let id): "connection: stream \(id) was reset"
        case .cancelled: "connection: the operation was cancelled"
        case .concurrentOperation(let id, let operation): "connection: stream \(id) already has a pending \(operation)"
        case .unsupportedAddress(let address, let reason): "connection: cannot use \(address): \(reason)"
        case .socketFailed(let address, let message): "connection: socket to \(address) failed: \(message)"
        case .connectionLimitExceeded(let limit): "connection: over the limit of \(limit) inbound connections"
        case .noKnownAddress(let peer): "connection: no address is known for peer \(peer); connect to it with a full multiaddr first"
        case .resourceLimitExceeded(let limit, let value): "connection: the \(limit) limit (\(value)) was reached"
        case .dialFailed(let peer, let failures): "connection: could not reach \(peer): \(failures.joined(separator: "; "))"
        }
    }
}
