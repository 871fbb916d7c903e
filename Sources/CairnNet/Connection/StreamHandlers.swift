/// Handles one inbound stream after its protocol was negotiated; the handler owns the stream and should
/// close (``LibP2PStream/closeWrite()``) or reset it when done.
public typealias StreamHandler = @Sendable (LibP2PStream) async -> Void

/// The protocols a connection answers on inbound streams, keyed by protocol ID; every other proposal
/// gets `na` (kubo then resets the stream).
///
/// The defaults serve `/ipfs/ping/1.0.0`, because kubo pings a peer right after connecting.
public struct StreamHandlers: Sendable {
    private var handlers: [String: StreamHandler]

    /// Creates handlers; `includingPing` adds the `/ipfs/ping/1.0.0` echo service.
    public init(includingPing: Bool = true) {
        handlers = [:]
        if includingPing { handlers[PingService.protocolID] = PingService.serve }
    }

    /// Serves `protocolID` with `handler`, replacing any handler it had.
    public mutating func register(_ protocolID: String, handler: @escaping StreamHandler) {
        handlers[protocolID] = handler
    }

    /// The protocol IDs served.
    public var protocols: [String] { Array(handlers.keys) }

    /// The handler for `protocolID`, if it is served.
    public func handler(for protocolID: String) -> StreamHandler? { handlers[protocolID] }
}

/// The libp2p ping protocol (`/ipfs/ping/1.0.0`) responder: echoes each 32-byte payload until the
/// stream ends.
public enum PingService {
    /// The protocol ID.
    public static let protocolID = "/ipfs/ping/1.0.0"
    /// The size of one ping payload in bytes; the spec fixes it at 32.
    public static let payloadByteCount = 32

    /// Echoes 32-byte payloads on `stream` until the peer closes or resets it, then closes our side.
    public static func serve(_ stream: LibP2PStream) async {
        do {
            while true {
                let payload = try await stream.read(exactly: payloadByteCount)
                guard payload.count == payloadByteCount else { break }
                try await stream.write(payload)
            }
            await stream.closeWrite()
        } catch {
            await stream.reset()
        }
    }
}
