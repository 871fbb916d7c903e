import Foundation
import GRDB

/// A peer remembered across restarts (the DHT routing table and bootstrap candidates): its ID and
/// multiaddrs as text, and when it was last seen.
public struct KnownPeerRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "known_peers"

    /// The peer ID (base58).
    public var peerID: String
    /// Its dialable multiaddrs as text, without `/p2p/`.
    public var addresses: [String]
    /// When it last answered us.
    public var lastSeen: Date

    /// Creates a record.
    public init(peerID: String, addresses: [String], lastSeen: Date) {
        self.peerID = peerID
        self.addresses = addresses
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case peerID = "peer_id"
        case addresses
        case lastSeen = "last_seen"
    }

    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.useDefaultKeys
}

extension RepoDatabase {
    /// Replaces the remembered peers with `peers` (at most `limit`, most recently seen first).
    /// - Throws: `StoreError.database` when the write fails.
    public func replaceKnownPeers(_ peers: [KnownPeerRecord], limit: Int = 1000) throws(StoreError) {
        let kept = peers.sorted { $0.lastSeen > $1.lastSeen }.prefix(limit)
        try write("save known peers") { db in
            try KnownPeerRecord.deleteAll(db)
            for peer in kept { try peer.insert(db) }
        }
    }

    /// The remembered peers, most recently seen first.
    /// - Throws: `StoreError.database` when the read fails.
    public func knownPeers() throws(StoreError) -> [KnownPeerRecord] {
        try read("read known peers") { db in
            try KnownPeerRecord.order(Column("last_seen").desc).fetchAll(db)
        }
    }
}
