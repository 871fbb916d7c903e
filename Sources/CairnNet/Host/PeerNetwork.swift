import CairnCore
import CairnCrypto

/// A change in the set of peers the node is connected to.
public enum PeerEvent: Sendable, Equatable {
    /// The first connection to `peer` was established.
    case connected(PeerID)
    /// The last connection to `peer` ended.
    case disconnected(PeerID)
    /// Identify (or identify push) told us what `peer` listens on and which protocols it speaks.
    case identified(PeerID, protocols: [String], listenAddresses: [Multiaddr])
}

/// What a protocol service (DHT, Bitswap) needs from the node's network: streams to peers by peer ID,
/// the address book, the set of connected peers and their changes, and a place to register inbound
/// stream handlers.
///
/// ``LibP2PHost`` is the real implementation over TCP; tests may drive services through it on loopback.
public protocol PeerNetwork: AnyObject, Sendable {
    /// This node's peer ID.
    var localPeerID: PeerID { get }

    /// Opens a stream to `peer` speaking the first of `protocols` it accepts, reusing a live connection
    /// or dialling one of the peer's known addresses first.
    /// - Throws: `ConnectionError.noKnownAddress` when not connected and no address is known, or the
    ///   dial's or negotiation's failure.
    func openStream(to peer: PeerID, protocols: [String]) async throws(ConnectionError) -> LibP2PStream

    /// Connects to `address` (which may end in `/p2p/ID`) and returns the authenticated peer.
    func connect(to address: Multiaddr) async throws(ConnectionError) -> PeerID

    /// Remembers `addresses` (without `/p2p/`) as ways to reach `peer`.
    func addAddresses(_ addresses: [Multiaddr], for peer: PeerID) async

    /// The addresses known for `peer` (without `/p2p/`).
    func addresses(of peer: PeerID) async -> [Multiaddr]

    /// The peers with at least one live connection.
    func connectedPeers() async -> [PeerID]

    /// The addresses this node listens on (bound ports, without `/p2p/`).
    func listenAddresses() async -> [Multiaddr]

    /// A new stream of connection events; it ends when the network shuts down.
    func peerEvents() async -> AsyncStream<PeerEvent>

    /// Serves `protocolID` on inbound streams of every connection opened from now on. Register before
    /// the network starts listening or dialling.
    func setStreamHandler(_ protocolID: String, maximumConcurrentStreamCount: Int?,
                          handler: @escaping StreamHandler) async
}
