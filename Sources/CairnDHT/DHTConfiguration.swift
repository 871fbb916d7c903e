/// Parameters and limits of the Kademlia DHT, with the values kubo 0.22 (go-libp2p-kad-dht 0.24) uses
/// where the protocol fixes them.
///
/// Every limit bounds something a remote peer can make us hold; a peer over a limit gets a `DHTError`.
public struct DHTConfiguration: Sendable, Equatable {
    /// The WAN DHT's protocol ID, the one the public Amino DHT and kubo use.
    public static let wanProtocolID = "/ipfs/kad/1.0.0"
    /// Kubo's LAN DHT protocol ID, which keeps loopback and private addresses (used for local interop).
    public static let lanProtocolID = "/ipfs/lan/kad/1.0.0"

    /// The multistream protocol ID the DHT is served and dialled on (`wanProtocolID` by default).
    public var protocolID: String
    /// The largest message accepted or sent, in bytes (4 MiB): go-libp2p-kad-dht's `msgio` reader limit,
    /// so anything larger could not come from a well-behaved kubo peer.
    public var maximumMessageByteCount: Int
    /// The most entries accepted in one `closerPeers` or `providerPeers` field: kubo sends at most k (20)
    /// closer peers and a bounded provider set; 256 leaves room without letting a peer fill memory.
    public var maximumPeersPerMessage: Int
    /// The most addresses accepted for one peer entry: kubo peers advertise tens of addresses, rarely more.
    public var maximumAddressesPerPeer: Int
    /// k, the bucket size and the number of closest peers a lookup returns (20 in every libp2p DHT, so a
    /// different value would make our answers and lookups disagree with kubo's).
    public var bucketSize: Int
    /// α, the number of queries a lookup keeps in flight (3 as in the original Kademlia paper; kubo uses 10,
    /// which finishes faster at the cost of more traffic).
    public var lookupConcurrency: Int
    /// The most queries one lookup sends before it gives up converging, so a hostile network that keeps
    /// returning fresh, closer peers cannot make a lookup run forever.
    public var maximumQueriesPerLookup: Int
    /// The most candidate peers one lookup remembers; farther unqueried candidates beyond it are dropped.
    public var maximumLookupCandidateCount: Int
    /// How long a provider record stays valid after it was (re)announced: 48 hours (ipfs/specs kad-dht).
    public var providerRecordLifetime: Duration
    /// How long a provider's addresses are returned with its record: 24 hours (go-libp2p-kad-dht).
    public var providerAddressLifetime: Duration
    /// The most providers kept for one key, so one popular key cannot take the whole store.
    public var maximumProvidersPerKey: Int
    /// The most distinct keys the provider store holds, bounding its memory.
    public var maximumProviderKeyCount: Int
    /// The longest provider key accepted, in bytes (80, as go-libp2p-kad-dht checks for ADD_PROVIDER).
    public var maximumProviderKeyByteCount: Int
    /// The most value records (PUT_VALUE) the server keeps for others; further new keys are refused.
    public var maximumStoredRecordCount: Int
    /// How long a stored value record is served after it was received: 36 hours (go-libp2p-kad-dht's
    /// `MaxRecordAge`), so publishers must republish.
    public var maximumRecordAge: Duration

    /// Creates a configuration; every parameter defaults to the value documented on its property.
    public init(
        protocolID: String = DHTConfiguration.wanProtocolID,
        maximumMessageByteCount: Int = 4 * 1024 * 1024,
        maximumPeersPerMessage: Int = 256,
        maximumAddressesPerPeer: Int = 64,
        bucketSize: Int = 20,
        lookupConcurrency: Int = 3,
        maximumQueriesPerLookup: Int = 300,
        maximumLookupCandidateCount: Int = 1000,
        providerRecordLifetime: Duration = .seconds(48 * 3600),
        providerAddressLifetime: Duration = .seconds(24 * 3600),
        maximumProvidersPerKey: Int = 100,
        maximumProviderKeyCount: Int = 100_000,
        maximumProviderKeyByteCount: Int = 80,
        maximumStoredRecordCount: Int = 10_000,
        maximumRecordAge: Duration = .seconds(36 * 3600)
    ) {
        precondition(bucketSize > 0 && lookupConcurrency > 0 && maximumQueriesPerLookup > 0, "DHT parameters must be positive")
        precondition(maximumLookupCandidateCount >= bucketSize, "a lookup must be able to hold k candidates")
        self.protocolID = protocolID
        self.maximumMessageByteCount = maximumMessageByteCount
        self.maximumPeersPerMessage = maximumPeersPerMessage
        self.maximumAddressesPerPeer = maximumAddressesPerPeer
        self.bucketSize = bucketSize
        self.lookupConcurrency = lookupConcurrency
        self.maximumQueriesPerLookup = maximumQueriesPerLookup
        self.maximumLookupCandidateCount = maximumLookupCandidateCount
        self.providerRecordLifetime = providerRecordLifetime
        self.providerAddressLifetime = providerAddressLifetime
        self.maximumProvidersPerKey = maximumProvidersPerKey
        self.maximumProviderKeyCount = maximumProviderKeyCount
        self.maximumProviderKeyByteCount = maximumProviderKeyByteCount
        self.maximumStoredRecordCount = maximumStoredRecordCount
        self.maximumRecordAge = maximumRecordAge
    }

    /// The defaults: kubo-compatible k = 20, α = 3, 4 MiB messages, 48 h provider records.
    public static let `default` = DHTConfiguration()
}
