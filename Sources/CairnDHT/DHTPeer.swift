import CairnCore

/// A peer entry in a DHT message: its ID, the addresses it can be dialled on and how the sender is
/// connected to it.
///
/// Schema: `message Peer { bytes id = 1; repeated bytes addrs = 2; ConnectionType connection = 3; }`.
/// Addresses travel as binary multiaddrs; decoding keeps only those CairnCore can parse (kubo also sends
/// transports Cairn does not speak, such as QUIC and WebTransport), so `addresses` may be shorter than
/// the wire list.
public struct DHTPeer: Sendable, Equatable {
    /// The sender's view of its connection to the peer.
    public enum ConnectionType: Int64, Sendable, Equatable, CaseIterable {
        /// No connection and no knowledge of one (the default, omitted on the wire).
        case notConnected = 0
        /// An open connection.
        case connected = 1
        /// Recently connected, so probably dialable.
        case canConnect = 2
        /// Recently failed to connect.
        case cannotConnect = 3
    }

    /// The peer's ID.
    public var id: DHTPeerID
    /// The addresses the peer can be reached on (binary multiaddrs on the wire).
    public var addresses: [Multiaddr]
    /// How the sender is connected to the peer.
    public var connection: ConnectionType

    /// Creates a peer entry.
    public init(id: DHTPeerID, addresses: [Multiaddr] = [], connection: ConnectionType = .notConnected) {
        self.id = id
        self.addresses = addresses
        self.connection = connection
    }
}

extension DHTPeer {
    /// Groups peer addresses ending in `/p2p/<ID>` (a bootstrap list) by peer: one entry per peer with its
    /// transport addresses, in first-seen order; addresses without `/p2p/` are skipped.
    public static func grouping(peerAddresses addresses: [Multiaddr]) -> [DHTPeer] {
        var peers: [DHTPeer] = []
        var index: [DHTPeerID: Int] = [:]
        for address in addresses {
            guard let multihash = address.peerID else { continue }
            let id = DHTPeerID(multihash: multihash)
            if let position = index[id] {
                peers[position].addresses.append(address.removingPeerID)
            } else {
                index[id] = peers.count
                peers.append(DHTPeer(id: id, addresses: [address.removingPeerID]))
            }
        }
        return peers
    }
}

