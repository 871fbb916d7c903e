import CairnCore
import Foundation

/// The Kademlia routing table: up to k peers per bucket, bucket `i` holding the peers whose keys share
/// exactly `i` leading bits with ours (0...255).
///
/// A plain value with no I/O and no clock: every time is passed in. Within a bucket, entries are ordered
/// least recently seen first. A full bucket never evicts a live peer: inserting into it returns
/// `.checkOldest(peer)`, the owner pings that peer and reports with `oldestCheckCompleted`, and only a
/// failed check lets the waiting candidate replace it (the Kademlia paper's preference for long-lived peers,
/// which also resists table flooding).
public struct RoutingTable: Sendable, Equatable {
    /// One peer in the table.
    public struct Entry: Sendable, Equatable {
        /// The peer's ID.
        public let peer: DHTPeerID
        /// The addresses last learned for the peer.
        public var addresses: [Multiaddr]
        /// When we last heard from the peer.
        public var lastSeen: Date
        /// When the peer entered the table.
        public let addedAt: Date

        /// Creates an entry.
        public init(peer: DHTPeerID, addresses: [Multiaddr], lastSeen: Date, addedAt: Date) {
            self.peer = peer
            self.addresses = addresses
            self.lastSeen = lastSeen
            self.addedAt = addedAt
        }
    }

    /// What `insert` did.
    public enum InsertResult: Sendable, Equatable {
        /// The peer was added to a bucket with room.
        case added
        /// The peer was already present; its last-seen time (and addresses, if given) were updated.
        case updated
        /// The peer is ourselves, which never enters the table.
        case rejectedSelf
        /// The bucket is full: ping this, its least recently seen peer, and call `oldestCheckCompleted`.
        case checkOldest(DHTPeerID)
        /// The bucket is full and a check of its oldest peer is already pending; the peer was not added.
        case bucketFull
    }

    private struct PendingReplacement: Sendable, Equatable {
        var oldest: DHTPeerID
        var candidate: Entry
    }

    /// Our own peer ID, the point buckets are measured from.
    public let localPeer: DHTPeerID
    /// k, the most peers one bucket holds.
    public let bucketSize: Int
    private var buckets: [[Entry]]
    private var pending: [Int: PendingReplacement] = [:]

    /// Creates an empty table around `localPeer` with `configuration.bucketSize` peers per bucket.
    public init(localPeer: DHTPeerID, configuration: DHTConfiguration = .default) {
        self.localPeer = localPeer
        self.bucketSize = configuration.bucketSize
        self.buckets = Array(repeating: [], count: KademliaKey.bitCount)
    }

    /// The number of peers in the table.
    public var count: Int { buckets.reduce(0) { $0 + $1.count } }

    /// Every entry, bucket by bucket.
    public var entries: [Entry] { buckets.flatMap { $0 } }

    /// The bucket a peer belongs in (its common prefix length with us), or `nil` for ourselves.
    public func bucketIndex(for peer: DHTPeerID) -> Int? {
        let length = localPeer.kademliaKey.commonPrefixLength(with: peer.kademliaKey)
        return length < KademliaKey.bitCount ? length : nil
    }

    /// The entries of bucket `index` (0..<256), least recently seen first.
    public func bucket(_ index: Int) -> [Entry] { buckets[index] }

    /// The entry for `peer`, if present.
    public func entry(for peer: DHTPeerID) -> Entry? {
        guard let index = bucketIndex(for: peer) else { return nil }
        return buckets[index].first { $0.peer == peer }
    }

    /// Whether `peer` is in the table.
    public func contains(_ peer: DHTPeerID) -> Bool { entry(for: peer) != nil }

    /// Adds `peer` or refreshes it, seen at `now`; empty `addresses` keep the ones already known.
    public mutating func insert(_ peer: DHTPeerID, addresses: [Multiaddr] = [], now: Date) -> InsertResult {
        guard let index = bucketIndex(for: peer) else { return .rejectedSelf }
        if let position = buckets[index].firstIndex(where: { $0.peer == peer }) {
            var entry = buckets[index].remove(at: position)
            entry.lastSeen = now
            if !addresses.isEmpty { entry.addresses = addresses }
            buckets[index].append(entry)
            return .updated
        }
        let entry = Entry(peer: peer, addresses: addresses, lastSeen: now, addedAt: now)
        if buckets[index].count < bucketSize {
            buckets[index].append(entry)
            return .added
        }
        if pending[index] != nil { return .bucketFull }
        guard let oldest = buckets[index].first?.peer else { return .bucketFull }
        pending[index] = PendingReplacement(oldest: oldest, candidate: entry)
        return .checkOldest(oldest)
    }

    /// Reports the result of the check asked for by `.checkOldest(peer)`: a peer that responded is kept
    /// (and marked seen at `now`); one that failed (or left the table meanwhile) is removed and the waiting
    /// candidate takes its place.
    /// - Returns: the candidate that was added, if any.
    @discardableResult
    public mutating func oldestCheckCompleted(_ peer: DHTPeerID, responded: Bool, now: Date) -> DHTPeerID? {
        guard let index = bucketIndex(for: peer), let replacement = pending[index], replacement.oldest == peer else {
            return nil
        }
        pending[index] = nil
        if responded && touch(peer, now: now) { return nil }
        remove(peer)
        guard buckets[index].count < bucketSize else { return nil }
        buckets[index].append(replacement.candidate)
        return replacement.candidate.peer
    }

    /// Marks `peer` as seen at `now` (most recently seen in its bucket).
    /// - Returns: whether the peer was in the table.
    @discardableResult
    public mutating func touch(_ peer: DHTPeerID, now: Date) -> Bool {
        guard let index = bucketIndex(for: peer),
            let position = buckets[index].firstIndex(where: { $0.peer == peer })
        else { return false }
        var entry = buckets[index].remove(at: position)
        entry.lastSeen = now
        buckets[index].append(entry)
        return true
    }

    /// Removes `peer`.
    /// - Returns: whether the peer was in the table.
    @discardableResult
    public mutating func remove(_ peer: DHTPeerID) -> Bool {
        guard let index = bucketIndex(for: peer),
            let position = buckets[index].firstIndex(where: { $0.peer == peer })
        else { return false }
        buckets[index].remove(at: position)
        return true
    }

    /// The `count` entries closest to `key` by XOR distance, closest first (exact, ties impossible).
    public func closest(to key: KademliaKey, count: Int) -> [Entry] {
        guard count > 0 else { return [] }
        let ranked = entries.map { (distance: $0.peer.kademliaKey.distance(to: key), entry: $0) }
        return ranked.sorted { $0.distance < $1.distance }.prefix(count).map(\.entry)
    }

    /// Appends a restored entry to `bucket`, evicting its oldest entry when full (entries arrive oldest first).
    mutating func restore(_ entry: Entry, bucket index: Int) {
        guard !buckets[index].contains(where: { $0.peer == entry.peer }) else { return }
        if buckets[index].count >= bucketSize { buckets[index].removeFirst() }
        buckets[index].append(entry)
    }
}
