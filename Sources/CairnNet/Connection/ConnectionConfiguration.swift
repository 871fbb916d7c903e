/// Limits and timeouts for one libp2p connection and its streams; every limit bounds what a peer can make
/// us hold or wait for.
public struct ConnectionConfiguration: Sendable, Equatable {
    /// The longest the whole upgrade (multistream `/noise`, the Noise handshake, multistream
    /// `/yamux/1.0.0`) may take before the connection is closed.
    ///
    /// Kubo upgrades a loopback connection in a few milliseconds; a peer that stalls longer holds a socket
    /// and buffers for nothing.
    public var upgradeTimeout: Duration
    /// The most inbound streams being negotiated or served at once (each runs its handler in its own task).
    ///
    /// Excess streams are reset. yamux bounds open streams too; this bounds the tasks we spend on them.
    public var maximumInboundStreamTaskCount: Int
    /// The most bytes queued for the socket before we stop reading from it and writers wait.
    ///
    /// Our replies to the peer (ping ACKs, window updates) and stream writes wait here while the socket
    /// is slow; a peer that floods us with pings but never reads would otherwise grow this queue forever.
    public var maximumQueuedOutboundByteCount: Int
    /// How often we send our own yamux keep-alive ping; nil disables it. go-yamux uses 30 s.
    public var keepAliveInterval: Duration?
    /// How long a keep-alive ping may stay unanswered while nothing at all arrives from the peer before
    /// the session ends (`.yamux(.pingTimeout)`); at least one keep-alive interval. Any frame received
    /// counts as a sign of life, so a busy connection is never cut for a late pong. go-yamux allows 10 s.
    public var keepAliveTimeout: Duration
    /// The most bytes received on all streams together and not yet read by the application; a peer that
    /// fills more (many streams with full receive windows) has its connection closed with
    /// `.resourceLimitExceeded`. This is the per-connection memory bound for inbound data.
    public var maximumBufferedInboundByteCount: Int
    /// The yamux session limits.
    public var yamux: YamuxConfiguration
    /// The multistream-select limits (connection and streams).
    public var multistream: MultistreamConfiguration

    /// Creates a configuration; the defaults suit kubo 0.22 peers on loopback and LAN.
    public init(
        upgradeTimeout: Duration = .seconds(10),
        maximumInboundStreamTaskCount: Int = 256,
        maximumQueuedOutboundByteCount: Int = 4 * 1024 * 1024,
        keepAliveInterval: Duration? = .seconds(30),
        keepAliveTimeout: Duration = .seconds(10),
        maximumBufferedInboundByteCount: Int = 64 * 1024 * 1024,
        yamux: YamuxConfiguration = .default,
        multistream: MultistreamConfiguration = .default
    ) {
        precondition(maximumInboundStreamTaskCount > 0 && maximumQueuedOutboundByteCount > 0)
        self.upgradeTimeout = upgradeTimeout
        self.maximumInboundStreamTaskCount = maximumInboundStreamTaskCount
        self.maximumQueuedOutboundByteCount = maximumQueuedOutboundByteCount
        self.keepAliveInterval = keepAliveInterval
        self.keepAliveTimeout = keepAliveTimeout
        self.maximumBufferedInboundByteCount = maximumBufferedInboundByteCount
        self.yamux = yamux
        self.multistream = multistream
    }

    /// The defaults: 10 s upgrade, 256 inbound stream tasks, 4 MiB outbound queue, 64 MiB unread inbound
    /// data, 30 s keep-alive with a 10 s timeout.
    public static let `default` = ConnectionConfiguration()

    /// The keep-alive rounds a ping may stay unanswered with nothing received: the timeout in whole
    /// intervals, rounded up, at least one.
    var silentKeepAliveRoundLimit: Int {
        guard let keepAliveInterval, keepAliveInterval > .zero else { return 1 }
        let rounds = (keepAliveTimeout / keepAliveInterval).rounded(.up)
        return max(1, Int(min(rounds, 1_000_000)))
    }
}
