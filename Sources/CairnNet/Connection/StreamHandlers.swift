/// Handles one inbound stream after its protocol was negotiated; the handler owns the stream and should
/// close (``LibP2PStream/closeWrite()``) or reset it when done.
public typealias StreamHandler = @Sendable (LibP2PStream) async -> Void

/// The protocols a connection answers on inbound streams, keyed by protocol ID; every other proposal
/// gets `na` (kubo then resets the stream).
///
/// The defaults serve `/ipfs/ping/1.0.0`, because kubo pings a peer right after connecting.
public struct StreamHandlers: Sendable {
    private var handlers: [String: StreamHandler]
    private var limits: [String: Int]

    /// Creates handlers; `includingPing` adds the `/ipfs/ping/1.0.0` echo service.
    public init(includingPing: Bool = true) {
        handlers = [:]
        limits = [:]
        if includingPing {
            register(PingService.protocolID, maximumConcurrentStreamCount: PingService.maximumInboundStreamCount,
                     handler: PingService.serve)
        }
    }

    /// Serves `protocolID` with `handler`, replacing any handler it had.
    /// - Parameter maximumConcurrentStreamCount: the most streams of this protocol one connection may have
    ///   in the handler at once; further ones are reset after negotiation. Nil leaves only the connection's
    ///   overall limit.
    public mutating func register(_ protocolID: String, maximumConcurrentStreamCount: Int? = nil,
                                  handler: @escaping StreamHandler) {
        precondition(maximumConcurrentStreamCount.map { $0 > 0 } ?? true, "a stream limit must allow one stream")
        handlers[protocolID] = handler
        limits[protocolID] = maximumConcurrentStreamCount
    }

    /// The most concurrent inbound streams of `protocolID` per connection, if limited.
    public func maximumConcurrentStreamCount(for protocolID: String) -> Int? { limits[protocolID] }

    /// The protocol IDs served.
    public var protocols: [String] { Array(handlers.keys) }

    /// The handler for `protocolID`, if it is served.
    public func handler(for protocolID: String) -> StreamHandler? { handlers[protocolID] }
}
