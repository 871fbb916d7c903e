import CairnCore
import Foundation

/// The persistent form of a `RoutingTable`, stored in the node's database so a restart does not start cold.
///
/// Codable (the node picks the encoding, e.g. JSON in a SQLite column). Peer IDs and addresses are kept
/// as their binary forms; restoring re-validates them and drops any that no longer parse. Pending
/// checks of full buckets are not persisted.
public struct RoutingTableSnapshot: Sendable, Equatable, Codable {
    /// The snapshot format this code writes and reads.
    public static let currentVersion = 1

    /// One persisted peer.
    public struct Entry: Sendable, Equatable, Codable {
        /// The binary peer-ID multihash.
        public var peerID: [UInt8]
        /// The peer's binary multiaddrs.
        public var addresses: [[UInt8]]
        /// When we last heard from the peer.
        public var lastSeen: Date
        /// When the peer entered the table.
        public var addedAt: Date

        /// Creates a persisted entry.
        public init(peerID: [UInt8], addresses: [[UInt8]], lastSeen: Date, addedAt: Date) {
            self.peerID = peerID
            self.addresses = addresses
            self.lastSeen = lastSeen
            self.addedAt = addedAt
        }
    }

    /// The format version (`currentVersion` when written by this code).
    public var version: Int
    /// The binary peer ID of the table's owner when the snapshot was taken.
    public var localPeerID: [UInt8]
    /// Every peer in the table.
    public var entries: [Entry]

    /// Creates a snapshot value.
    public init(version: Int = RoutingTableSnapshot.currentVersion, localPeerID: [UInt8], entries: [Entry]) {
        self.version = version
        self.localPeerID = localPeerID
        self.entries = entries
    }
}

extension RoutingTable {
    /// The table's persistent form.
    public func snapshot() -> RoutingTableSnapshot {
        RoutingTableSnapshot(
            localPeerID: localPeer.bytes,
            entries: entries.map {
                RoutingTableSnapshot.Entry(
                    peerID: $0.peer.bytes, addresses: $0.addresses.map(\.bytes), lastSeen: $0.lastSeen, addedAt: $0.addedAt)
            }
        )
    }

    /// Restores a table around `localPeer` from a snapshot, oldest-seen peers first so that a bucket over
    /// k keeps its most recently seen peers; invalid peer IDs and addresses are dropped.
    /// - Throws: `DHTError.unsupportedSnapshotVersion` for a snapshot from a newer format.
    public init(localPeer: DHTPeerID, snapshot: RoutingTableSnapshot, configuration: DHTConfiguration = .default) throws(DHTError) {
        guard snapshot.version == RoutingTableSnapshot.currentVersion else {
            throw .unsupportedSnapshotVersion(snapshot.version)
        }
        self.init(localPeer: localPeer, configuration: configuration)
        for saved in snapshot.entries.sorted(by: { $0.lastSeen < $1.lastSeen }) {
            guard let peer = try? DHTPeerID(bytes: saved.peerID), let index = bucketIndex(for: peer) else { continue }
            let addresses = saved.addresses.compactMap { try? Multiaddr(bytes: $0) }
            restore(Entry(peer: peer, addresses: addresses, lastSeen: saved.lastSeen, addedAt: saved.addedAt), bucket: index)
        }
    }
}
