import Foundation

/// `id`: the node's identity and addresses, named as `ipfs id` names them.
public struct IdReport: Codable, Sendable, Equatable {
    public var ID: String
    public var PublicKey: String
    public var Addresses: [String]
    public var AgentVersion: String
    public var ProtocolVersion: String
    public var Protocols: [String]?

    /// Creates a report.
    public init(ID: String, PublicKey: String, Addresses: [String], AgentVersion: String, ProtocolVersion: String,
                Protocols: [String]? = nil) {
        self.ID = ID
        self.PublicKey = PublicKey
        self.Addresses = Addresses
        self.AgentVersion = AgentVersion
        self.ProtocolVersion = ProtocolVersion
        self.Protocols = Protocols
    }
}

/// One connected peer in `swarm peers`.
public struct SwarmPeer: Codable, Sendable, Equatable {
    /// The peer ID.
    public var Peer: String
    /// The peer's socket address.
    public var Addr: String
    /// `inbound` or `outbound`.
    public var Direction: String
    /// The peer's implementation, once identified.
    public var Agent: String?
}

/// `swarm peers`.
public struct SwarmPeersReport: Codable, Sendable, Equatable {
    public var Peers: [SwarmPeer]
}

/// Parameters of `swarm connect`.
public struct SwarmConnectParams: Codable, Sendable {
    public var addresses: [String]
    public init(addresses: [String]) { self.addresses = addresses }
}

/// Result of `swarm connect` / `swarm disconnect`: the peers affected.
public struct SwarmChangeReport: Codable, Sendable, Equatable {
    public var Peers: [String]
}

/// Parameters naming one peer.
public struct PeerParams: Codable, Sendable {
    public var peer: String
    public init(peer: String) { self.peer = peer }
}

/// A peer and its addresses (`dht findpeer`, `dht findprovs`).
public struct PeerAddressesReport: Codable, Sendable, Equatable {
    public var ID: String
    public var Addrs: [String]
}

/// Parameters of `dht findprovs`.
public struct FindProvidersParams: Codable, Sendable {
    public var cid: String
    public var count: Int
    public var timeoutSeconds: Double
    public init(cid: String, count: Int, timeoutSeconds: Double) {
        self.cid = cid
        self.count = count
        self.timeoutSeconds = timeoutSeconds
    }
}

/// `dht findprovs`.
public struct ProvidersReport: Codable, Sendable, Equatable {
    public var Providers: [PeerAddressesReport]
}

/// Parameters naming CIDs (`dht provide`, `announce`).
public struct CIDsParams: Codable, Sendable {
    public var cids: [String]
    public init(cids: [String]) { self.cids = cids }
}

/// `dht provide`: how many peers accepted each record.
public struct ProvideReport: Codable, Sendable, Equatable {
    public var Provided: [String]
    public var PeersReached: Int
}

/// Parameters of `fetch`: make the DAG under `path` (a CID with an optional `/sub/path`) local.
public struct FetchParams: Codable, Sendable {
    public var path: String
    public var timeoutSeconds: Double
    public init(path: String, timeoutSeconds: Double) {
        self.path = path
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Progress and result of `fetch`.
public struct FetchProgress: Codable, Sendable, Equatable {
    /// Blocks fetched from peers so far (blocks already local are not counted).
    public var blocks: Int
    /// Bytes of those blocks.
    public var bytes: UInt64
    /// Peers that sent blocks so far.
    public var peers: Int

    public init(blocks: Int, bytes: UInt64, peers: Int) {
        self.blocks = blocks
        self.bytes = bytes
        self.peers = peers
    }
}

/// `bitswap stat`, named as `ipfs bitswap stat --enc=json` names its fields.
public struct BitswapStatReport: Codable, Sendable, Equatable {
    public var BlocksReceived: Int
    public var DataReceived: Int
    public var BlocksSent: Int
    public var DataSent: Int
    public var DupBlksReceived: Int
    public var DupDataReceived: Int
    public var UnwantedBlocksReceived: Int
    public var Wantlist: [String]
    public var Peers: [String]
}
