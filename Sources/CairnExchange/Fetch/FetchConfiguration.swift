/// Named limits and timings of the Bitswap client: how many blocks each peer may owe us, when a want is
/// re-asked elsewhere, and when a fetch gives up.
public struct FetchConfiguration: Sendable, Equatable {
    /// The most want-blocks outstanding at one peer.
    ///
    /// Kubo's sessions keep up to 32 blocks per peer in flight; more only queues at the server and makes a
    /// timeout re-ask costlier, fewer leaves fast peers idle between round trips.
    public var maximumInFlightPerPeer: Int

    /// A want-block not answered (block or DontHave) within this time is re-asked from another peer.
    public var wantTimeout: Duration

    /// A want fails with `BitswapError.fetchStalled` when no wanted block at all arrived for this long.
    public var progressTimeout: Duration

    /// A session peer that sends more than this many blocks nobody asked for (or that fail to hash as their
    /// prefix says) is dropped from the session and reported.
    ///
    /// A few duplicates are normal (a cancel crosses a block on the wire) and are not counted; corrupt data
    /// hashes to a CID nobody wanted, so it counts here.
    public var maximumUnwantedBlockCountPerPeer: Int

    /// The most CIDs wanted at once across all callers; further wants are refused with `.wantlistFull`.
    public var maximumWantCount: Int

    /// The most peers in the session (connected peers and provider hints together).
    public var maximumPeerCount: Int

    /// The most misbehaving peers remembered so they are not added back; the oldest is forgotten first.
    public var maximumBannedPeerCount: Int

    /// The latency assumed for a peer before its first block arrives.
    public var initialLatencyEstimate: Duration

    /// The weight of a new sample in the per-peer latency and throughput averages (0 < weight ≤ 1).
    public var averagingWeight: Double

    /// How many delivered CIDs are remembered, so a late copy counts as a duplicate rather than junk.
    public var recentlyDeliveredCapacity: Int

    /// How often the driver checks timeouts.
    public var tickInterval: Duration

    /// Creates a configuration; the defaults follow kubo 0.22's session behaviour where it has one.
    public init(
        maximumInFlightPerPeer: Int = 32,
        wantTimeout: Duration = .seconds(10),
        progressTimeout: Duration = .seconds(60),
        maximumUnwantedBlockCountPerPeer: Int = 16,
        maximumWantCount: Int = 8192,
        maximumPeerCount: Int = 256,
        maximumBannedPeerCount: Int = 1024,
        initialLatencyEstimate: Duration = .milliseconds(100),
        averagingWeight: Double = 0.25,
        recentlyDeliveredCapacity: Int = 4096,
        tickInterval: Duration = .milliseconds(250)
    ) {
        precondition(maximumInFlightPerPeer >= 1, "a peer must be allowed one block in flight")
        precondition(averagingWeight > 0 && averagingWeight <= 1, "the averaging weight is in (0, 1]")
        precondition(maximumWantCount >= 1 && maximumPeerCount >= 1, "limits must admit one item")
        self.maximumInFlightPerPeer = maximumInFlightPerPeer
        self.wantTimeout = wantTimeout
        self.progressTimeout = progressTimeout
        self.maximumUnwantedBlockCountPerPeer = maximumUnwantedBlockCountPerPeer
        self.maximumWantCount = maximumWantCount
        self.maximumPeerCount = maximumPeerCount
        self.maximumBannedPeerCount = maximumBannedPeerCount
        self.initialLatencyEstimate = initialLatencyEstimate
        self.averagingWeight = averagingWeight
        self.recentlyDeliveredCapacity = recentlyDeliveredCapacity
        self.tickInterval = tickInterval
    }
}
