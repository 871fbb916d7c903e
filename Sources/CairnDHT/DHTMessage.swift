/// One Kademlia DHT message, request or response, as kubo 0.22 exchanges them on `/ipfs/kad/1.0.0`.
///
/// Schema (proto3, ipfs/specs `src/routing/kad-dht.md`; fields in tag order as go writes them):
/// ```
/// message Message {
///   MessageType type = 1;           // PUT_VALUE=0 GET_VALUE=1 ADD_PROVIDER=2 GET_PROVIDERS=3 FIND_NODE=4 PING=5
///   bytes key = 2;                  // peer-ID bytes, a multihash, or a record key
///   Record record = 3;
///   repeated Peer closerPeers = 8;
///   repeated Peer providerPeers = 9;
///   int32 clusterLevelRaw = 10;     // obsolete; kubo sends 1 and nobody reads it
/// }
/// ```
/// Default values are omitted on the wire, so kubo's PUT_VALUE echo carries no `type` at all.
/// See `DHTMessage+Wire.swift` for the codec and `docs/specs/kademlia.md` for byte vectors.
public struct DHTMessage: Sendable, Equatable {
    /// The request kind; a response repeats the request's type.
    public enum MessageType: Int64, Sendable, Equatable, CaseIterable {
        /// Store a record at the receiver (echoed back on success).
        case putValue = 0
        /// Ask for a record and peers closer to its key.
        case getValue = 1
        /// Announce `providerPeers` (the sender) as a provider of the multihash in `key`; no reply.
        case addProvider = 2
        /// Ask for providers of the multihash in `key` and peers closer to it.
        case getProviders = 3
        /// Ask for the peers closest to `key`.
        case findNode = 4
        /// Obsolete liveness check; libp2p ping is used instead.
        case ping = 5
    }

    /// The message kind (absent on the wire means `.putValue`).
    public var type: MessageType
    /// The obsolete cluster level field; kept so a decoded message re-encodes identically, never interpreted.
    public var clusterLevelRaw: Int32
    /// The key the request is about; empty when absent.
    public var key: [UInt8]
    /// The record of a PUT_VALUE request or GET_VALUE response.
    public var record: DHTRecord?
    /// Peers closer to `key` than the responder knows of.
    public var closerPeers: [DHTPeer]
    /// Providers of `key` (GET_PROVIDERS response) or the announcing peer (ADD_PROVIDER request).
    public var providerPeers: [DHTPeer]

    /// Creates a message; every field but `type` defaults to absent.
    public init(
        type: MessageType,
        key: [UInt8] = [],
        record: DHTRecord? = nil,
        closerPeers: [DHTPeer] = [],
        providerPeers: [DHTPeer] = [],
        clusterLevelRaw: Int32 = 0
    ) {
        self.type = type
        self.key = key
        self.record = record
        self.closerPeers = closerPeers
        self.providerPeers = providerPeers
        self.clusterLevelRaw = clusterLevelRaw
    }
}
