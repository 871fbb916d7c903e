/// Limits and tuning for a yamux session; every limit bounds what a peer can make us hold or do.
public struct YamuxConfiguration: Sendable, Equatable {
    /// The window every stream starts with in each direction, in bytes, fixed by the yamux spec (256 KiB).
    ///
    /// Both sides assume it without negotiation, so it is not configurable; larger windows are granted
    /// with WindowUpdate deltas.
    public static let initialWindowByteCount = 256 * 1024

    /// The receive window we keep open per stream, in bytes (at least `initialWindowByteCount`).
    ///
    /// Unconsumed data per stream never exceeds it, so it bounds per-stream memory; beyond 256 KiB the extra
    /// is granted in the SYN or ACK WindowUpdate. Larger windows raise throughput on high-latency links.
    public var receiveWindowByteCount: Int

    /// The largest send window we track per stream, in bytes; larger grants from the peer are clamped.
    ///
    /// go-yamux auto-tunes windows up to 16 MiB (`MaxStreamWindowSize`); clamping only ever makes us
    /// send less than allowed, and keeps the arithmetic far from overflow.
    public var maximumSendWindowByteCount: Int

    /// The largest inbound Data payload accepted in one frame, in bytes (1 MiB).
    ///
    /// go-yamux never sends frames over 64 KiB; the limit rejects a hostile length before its payload is
    /// buffered.
    public var maximumInboundFramePayloadByteCount: Int

    /// The largest payload we put in one outbound Data frame, in bytes (64 KiB including the 12-byte header).
    ///
    /// Matches go-yamux's `MaxMessageSize`, so one stream cannot monopolise the connection with huge frames.
    public var maximumOutboundFramePayloadByteCount: Int

    /// The most streams open at once on the session (both directions, half-closed ones included).
    ///
    /// Each stream holds up to a receive window of unconsumed data; an inbound SYN over the limit is reset.
    public var maximumStreamCount: Int

    /// The most inbound streams waiting for `accept` (go-yamux `AcceptBacklog` = 256, the spec's advice).
    ///
    /// A peer opening streams faster than the application accepts them gets RST on the excess.
    public var maximumInboundBacklogCount: Int

    /// The most streams we opened that the peer has not yet acknowledged (the spec's "ACK backlog", 256).
    public var maximumOutboundBacklogCount: Int

    /// Creates a configuration; the defaults suit kubo 0.22 peers.
    public init(
        receiveWindowByteCount: Int = YamuxConfiguration.initialWindowByteCount,
        maximumSendWindowByteCount: Int = 16 * 1024 * 1024,
        maximumInboundFramePayloadByteCount: Int = 1024 * 1024,
        maximumOutboundFramePayloadByteCount: Int = 64 * 1024 - YamuxFrame.headerByteCount,
        maximumStreamCount: Int = 512,
        maximumInboundBacklogCount: Int = 256,
        maximumOutboundBacklogCount: Int = 256
    ) {
        precondition(receiveWindowByteCount >= Self.initialWindowByteCount && receiveWindowByteCount <= Int(UInt32.max),
                     "the receive window is at least the 256 KiB initial window and fits in 32 bits")
        precondition(maximumSendWindowByteCount >= Self.initialWindowByteCount, "the send window cap is at least 256 KiB")
        precondition(maximumInboundFramePayloadByteCount > 0 && maximumOutboundFramePayloadByteCount > 0)
        precondition(maximumStreamCount > 0 && maximumInboundBacklogCount > 0 && maximumOutboundBacklogCount > 0)
        self.receiveWindowByteCount = receiveWindowByteCount
        self.maximumSendWindowByteCount = maximumSendWindowByteCount
        self.maximumInboundFramePayloadByteCount = maximumInboundFramePayloadByteCount
        self.maximumOutboundFramePayloadByteCount = maximumOutboundFramePayloadByteCount
        self.maximumStreamCount = maximumStreamCount
        self.maximumInboundBacklogCount = maximumInboundBacklogCount
        self.maximumOutboundBacklogCount = maximumOutboundBacklogCount
    }

    /// The defaults: 256 KiB windows (sends up to 16 MiB), 1 MiB inbound and 64 KiB outbound frames,
    /// 512 streams, backlogs of 256.
    public static let `default` = YamuxConfiguration()
}
