/// How a `DHTService` behaves: its mode, timeouts, maintenance intervals and the bounds on the work it
/// does, on top of the protocol parameters in `DHTConfiguration`.
public struct DHTServiceConfiguration: Sendable, Equatable {
    /// Whether the node answers DHT requests.
    public enum Mode: Sendable, Equatable {
        /// Answers requests and advertises the protocol (kubo's default for publicly reachable nodes).
        case server
        /// Queries only: registers no inbound handler and refuses requests, so peers never add it to
        /// their routing tables (kubo's `dhtclient`).
        case client
    }

    /// Protocol parameters and message limits (k, α, protocol ID, provider lifetimes).
    public var dht: DHTConfiguration
    /// Server or client mode.
    public var mode: Mode
    /// Which addresses are kept: `.lan` for `/ipfs/lan/kad/1.0.0` (loopback and private allowed), `.wan`
    /// otherwise (public addresses only), as kubo's two DHTs do.
    public var addressScope: DHTAddressFilter.Scope
    /// How long one outbound exchange (dial, request, response) may take: 10 s, so one dead peer costs a
    /// lookup little while a loaded but live one still answers.
    public var requestTimeout: Duration
    /// How long an inbound stream may stay idle between requests before it is reset: 1 minute, as
    /// go-libp2p-kad-dht's stream idle timeout.
    public var inboundIdleTimeout: Duration
    /// The most inbound DHT streams one connection may have open at once.
    public var maximumInboundStreamsPerConnection: Int
    /// How often the routing table is refreshed (self-lookup and stale buckets): 10 minutes (ipfs/specs).
    public var refreshInterval: Duration
    /// The highest common-prefix length whose bucket is refreshed (15, as go-libp2p-kad-dht): deeper
    /// buckets are reached by the self-lookup, and generating IDs for them costs 2^(cpl+1) hashes.
    public var maximumRefreshCommonPrefixLength: Int
    /// How often the supplied keys are announced again: 22 hours, under the 48 h record lifetime.
    public var reprovideInterval: Duration
    /// How long after `run()` starts the first reprovide round begins.
    public var initialReprovideDelay: Duration
    /// The most keys announced in one reprovide round; the rest wait for the next round.
    public var maximumReprovideKeyCount: Int
    /// The most provide operations a reprovide round runs at once.
    public var maximumConcurrentProvides: Int
    /// How often expired provider records are dropped from the store: every hour.
    public var expirySweepInterval: Duration
    /// The default and the largest number of providers `findProviders` returns (kubo's default is 20).
    public var defaultProviderCount: Int
    /// The largest `limit` accepted by `findProviders`.
    public var maximumProviderCount: Int
    /// Failed queries in a row after which a peer leaves the routing table.
    public var maximumConsecutiveFailures: Int
    /// The most full-bucket liveness checks waiting at once; further candidates for full buckets are dropped.
    public var maximumPendingBucketChecks: Int
    /// How many valid records `getValue` collects before it stops looking (kubo asks for 16 for IPNS;
    /// `/pk/` values are all equal, so 1 is enough by default).
    public var getValueQuorum: Int

    /// Creates a configuration; every parameter defaults to the value documented on its property.
    public init(
        dht: DHTConfiguration = .default,
        mode: Mode = .server,
        addressScope: DHTAddressFilter.Scope? = nil,
        requestTimeout: Duration = .seconds(10),
        inboundIdleTimeout: Duration = .seconds(60),
        maximumInboundStreamsPerConnection: Int = 16,
        refreshInterval: Duration = .seconds(600),
        maximumRefreshCommonPrefixLength: Int = 15,
        reprovideInterval: Duration = .seconds(22 * 3600),
        initialReprovideDelay: Duration = .seconds(60),
        maximumReprovideKeyCount: Int = 100_000,
        maximumConcurrentProvides: Int = 8,
        expirySweepInterval: Duration = .seconds(3600),
        defaultProviderCount: Int = 20,
        maximumProviderCount: Int = 1000,
        maximumConsecutiveFailures: Int = 2,
        maximumPendingBucketChecks: Int = 64,
        getValueQuorum: Int = 1
    ) {
        precondition(maximumConcurrentProvides > 0 && maximumConsecutiveFailures > 0 && getValueQuorum > 0,
                     "DHT service limits must be positive")
        precondition((0...20).contains(maximumRefreshCommonPrefixLength), "refresh depth must be 0...20")
        self.dht = dht
        self.mode = mode
        self.addressScope = addressScope ?? (dht.protocolID == DHTConfiguration.lanProtocolID ? .lan : .wan)
        self.requestTimeout = requestTimeout
        self.inboundIdleTimeout = inboundIdleTimeout
        self.maximumInboundStreamsPerConnection = maximumInboundStreamsPerConnection
        self.refreshInterval = refreshInterval
        self.maximumRefreshCommonPrefixLength = maximumRefreshCommonPrefixLength
        self.reprovideInterval = reprovideInterval
        self.initialReprovideDelay = initialReprovideDelay
        self.maximumReprovideKeyCount = maximumReprovideKeyCount
        self.maximumConcurrentProvides = maximumConcurrentProvides
        self.expirySweepInterval = expirySweepInterval
        self.defaultProviderCount = defaultProviderCount
        self.maximumProviderCount = maximumProviderCount
        self.maximumConsecutiveFailures = maximumConsecutiveFailures
        self.maximumPendingBucketChecks = maximumPendingBucketChecks
        self.getValueQuorum = getValueQuorum
    }
}
