import CairnCore

/// The named resource limits and settings of a ``LibP2PHost``: every limit bounds what peers can make the node
/// hold. Exceeding one closes the offending connection or refuses the dial with
/// `ConnectionError.resourceLimitExceeded(limit:value:)`.
///
/// Memory per peer is bounded by the connection limits below: at most ``maximumConnectionsPerPeer``
/// connections, each holding at most `yamux.maximumStreamCount` streams × `yamux.receiveWindowByteCount`
/// of unread data plus `connection.maximumQueuedOutboundByteCount` of unsent data; protocol services add
/// their own per-message limits (identify, kad, bitswap).
public struct HostConfiguration: Sendable, Equatable {
    /// The addresses to listen on (`/ip4/A/tcp/N` or `/ip6/A/tcp/N`; port 0 picks a free port).
    public var listenAddresses: [Multiaddr]
    /// Per-connection limits (upgrade timeout, stream tasks, outbound queue, yamux, multistream).
    public var connection: ConnectionConfiguration
    /// The most connections held at once, inbound and outbound together.
    public var maximumConnectionCount: Int
    /// The most simultaneous connections to one peer (two lets simultaneous dials both succeed).
    public var maximumConnectionsPerPeer: Int
    /// The most dials in progress at once.
    public var maximumPendingDialCount: Int
    /// The most peers whose addresses the address book keeps.
    public var maximumKnownPeerCount: Int
    /// The most addresses kept per peer.
    public var maximumAddressesPerPeer: Int
    /// The limits applied to identify messages we receive.
    public var identify: IdentifyConfiguration
    /// How long we wait for a peer's identify answer before giving up on it (the connection stays).
    public var identifyTimeout: Duration
    /// What identify reports as our implementation.
    public var agentVersion: String

    /// Creates a configuration with defaults suited to a desktop node and to kubo peers.
    public init(
        listenAddresses: [Multiaddr] = [],
        connection: ConnectionConfiguration = .default,
        maximumConnectionCount: Int = 512,
        maximumConnectionsPerPeer: Int = 2,
        maximumPendingDialCount: Int = 64,
        maximumKnownPeerCount: Int = 10_000,
        maximumAddressesPerPeer: Int = 16,
        identify: IdentifyConfiguration = .default,
        identifyTimeout: Duration = .seconds(10),
        agentVersion: String = "cairn/0.1.0"
    ) {
        precondition(maximumConnectionCount > 0 && maximumConnectionsPerPeer > 0 && maximumPendingDialCount > 0
                     && maximumKnownPeerCount > 0 && maximumAddressesPerPeer > 0, "host limits must allow one")
        self.listenAddresses = listenAddresses
        self.connection = connection
        self.maximumConnectionCount = maximumConnectionCount
        self.maximumConnectionsPerPeer = maximumConnectionsPerPeer
        self.maximumPendingDialCount = maximumPendingDialCount
        self.maximumKnownPeerCount = maximumKnownPeerCount
        self.maximumAddressesPerPeer = maximumAddressesPerPeer
        self.identify = identify
        self.identifyTimeout = identifyTimeout
        self.agentVersion = agentVersion
    }
}
