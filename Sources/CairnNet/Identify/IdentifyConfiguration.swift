/// Limits for identify (`/ipfs/id/1.0.0`, `/ipfs/id/push/1.0.0`); each bounds what a peer can make us hold.
public struct IdentifyConfiguration: Sendable, Equatable {
    /// The largest single identify message accepted, in bytes, excluding the length prefix.
    ///
    /// go-libp2p reads identify messages with an 8 KiB limit (`signedIDSize`); it never sends more.
    public var maximumMessageByteCount: Int

    /// The most messages read from one identify stream and merged.
    ///
    /// go-libp2p splits messages over 2 KiB into several (normally the signed peer record goes second)
    /// and reads at most 10 (`maxMessages`); more can only be a hostile peer.
    public var maximumMessageCount: Int

    /// The largest identify message we send, in bytes.
    ///
    /// go-libp2p keeps its own under 4 KiB (`maxOwnIdentifyMsgSize`) because rust-libp2p refuses larger
    /// ones; we do the same so every implementation accepts ours in one piece.
    public var maximumOwnMessageByteCount: Int

    /// The most listen addresses kept from a peer after merging.
    ///
    /// A peer's address list feeds our peer store and dials; kubo announces a dozen or so.
    public var maximumListenAddressCount: Int

    /// The most protocol IDs kept from a peer after merging.
    ///
    /// Kubo 0.22 announces 13; the list drives protocol choice and routing-table admission.
    public var maximumProtocolCount: Int

    /// Creates a configuration; the defaults match go-libp2p.
    public init(
        maximumMessageByteCount: Int = 8 * 1024, maximumMessageCount: Int = 10, maximumOwnMessageByteCount: Int = 4 * 1024,
        maximumListenAddressCount: Int = 128, maximumProtocolCount: Int = 256
    ) {
        precondition(maximumMessageCount >= 1, "at least one identify message must be accepted")
        self.maximumMessageByteCount = maximumMessageByteCount
        self.maximumMessageCount = maximumMessageCount
        self.maximumOwnMessageByteCount = maximumOwnMessageByteCount
        self.maximumListenAddressCount = maximumListenAddressCount
        self.maximumProtocolCount = maximumProtocolCount
    }

    /// The defaults (go-libp2p's values).
    public static let `default` = IdentifyConfiguration()
}
