import CairnCore
import CairnCrypto

/// How `BitswapService` sends messages to peers; `StreamBitswapMessenger` does it over libp2p streams, tests
/// use in-memory ones.
///
/// Inbound messages go the other way: the transport calls `BitswapService.receive(_:from:)`.
public protocol BitswapMessenger: Sendable {
    /// Sends one message to `peer`; callers never have two sends to the same peer pending at once.
    /// - Throws: when the peer cannot be reached or the stream fails (the service then drops the peer from
    ///   its fetch session until it reconnects).
    func send(_ message: BitswapMessage, to peer: PeerID) async throws

    /// Releases whatever the messenger holds for `peer` (its outbound stream) after a disconnect.
    func peerDisconnected(_ peer: PeerID) async
}

extension BitswapMessenger {
    /// Does nothing: a stateless messenger holds nothing per peer.
    public func peerDisconnected(_ peer: PeerID) async {}
}
