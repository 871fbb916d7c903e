import CairnCore
import CairnCrypto

/// The node's address book: dialable addresses, protocols and agent per peer, bounded in peers and in
/// addresses per peer. When full, the least recently updated peer that is not protected (connected) is
/// forgotten.
public struct PeerStore: Sendable {
    /// What we know about one peer.
    public struct Entry: Sendable, Equatable {
        /// Dialable addresses without `/p2p/`, most recently learned first.
        public var addresses: [Multiaddr] = []
        /// Protocols the peer announced through identify.
        public var protocols: [String] = []
        /// The implementation the peer announced (e.g. `kubo/0.22.0/`).
        public var agentVersion: String?
        /// A counter value recording when the entry last changed (for eviction).
        var lastUpdate: UInt64 = 0
    }

    /// The most peers kept.
    public let maximumPeerCount: Int
    /// The most addresses kept per peer.
    public let maximumAddressesPerPeer: Int
    private(set) var entries: [PeerID: Entry] = [:]
    private var clock: UInt64 = 0

    /// Creates an empty store with the given bounds.
    public init(maximumPeerCount: Int, maximumAddressesPerPeer: Int) {
        self.maximumPeerCount = maximumPeerCount
        self.maximumAddressesPerPeer = maximumAddressesPerPeer
    }

    /// The entry for `peer`, if any.
    public func entry(for peer: PeerID) -> Entry? { entries[peer] }

    /// The number of peers known.
    public var count: Int { entries.count }

    /// Adds dialable `addresses` (a trailing `/p2p/` is stripped; others are ignored) for `peer`, newest
    /// first; `protected` peers are never evicted to make room.
    public mutating func add(_ addresses: [Multiaddr], for peer: PeerID, protected: Set<PeerID> = []) {
        let dialable = addresses.compactMap(Self.dialableAddress)
        guard !dialable.isEmpty else { return }
        let limit = maximumAddressesPerPeer
        update(peer, protected: protected) { entry in
            var merged = dialable
            for address in entry.addresses where !merged.contains(address) { merged.append(address) }
            var unique: [Multiaddr] = []
            for address in merged where !unique.contains(address) { unique.append(address) }
            entry.addresses = Array(unique.prefix(limit))
        }
    }

    /// Records what identify told us about `peer`.
    public mutating func recordIdentify(_ peer: PeerID, protocols: [String], agentVersion: String?,
                                        protected: Set<PeerID> = []) {
        update(peer, protected: protected) { entry in
            entry.protocols = protocols
            entry.agentVersion = agentVersion
        }
    }

    /// Forgets one address of `peer` (after it failed to dial).
    public mutating func remove(_ address: Multiaddr, for peer: PeerID) {
        entries[peer]?.addresses.removeAll { $0 == address }
    }

    private mutating func update(_ peer: PeerID, protected: Set<PeerID>, _ change: (inout Entry) -> Void) {
        clock += 1
        if entries[peer] == nil, entries.count >= maximumPeerCount {
            let victim = entries.filter { !protected.contains($0.key) }.min { $0.value.lastUpdate < $1.value.lastUpdate }
            guard let victim else { return }
            entries.removeValue(forKey: victim.key)
        }
        var entry = entries[peer] ?? Entry()
        change(&entry)
        entry.lastUpdate = clock
        entries[peer] = entry
    }

    /// `address` without a trailing `/p2p/ID`, if the TCP transport can dial it.
    static func dialableAddress(_ address: Multiaddr) -> Multiaddr? {
        var components = address.components
        if case .p2p? = components.last { components.removeLast() }
        let stripped = Multiaddr(components)
        return TCPAddress.isDialable(stripped) ? stripped : nil
    }
}
