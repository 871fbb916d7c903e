/// Limits for multistream-select negotiation; every limit bounds what a peer can make us buffer or do.
public struct MultistreamConfiguration: Sendable, Equatable {
    /// The largest message accepted or sent, in bytes, counting the trailing newline but not the length prefix.
    ///
    /// go-multistream refuses messages over 1024 bytes, and protocol IDs are short strings, so a larger
    /// message can only be a broken or hostile peer. This also bounds the decoder's buffer before negotiation.
    public var maximumMessageByteCount: Int

    /// How many proposals a listener answers on one connection or stream before giving up.
    ///
    /// Kubo proposes at most a handful (e.g. `/libp2p/simultaneous-connect` then `/noise`, or
    /// `/meshsub/1.1.0` then `/meshsub/1.0.0`); a peer cycling through hundreds only wastes our work.
    public var maximumProposalCount: Int

    /// Creates a configuration; the defaults suit kubo 0.22 peers.
    public init(maximumMessageByteCount: Int = 1024, maximumProposalCount: Int = 32) {
        precondition(maximumMessageByteCount >= MultistreamMessage.header.encodedTextByteCount,
                     "the limit must admit the /multistream/1.0.0 header")
        precondition(maximumProposalCount >= 1, "a listener must accept at least one proposal")
        self.maximumMessageByteCount = maximumMessageByteCount
        self.maximumProposalCount = maximumProposalCount
    }

    /// The defaults: 1024-byte messages, 32 proposals.
    public static let `default` = MultistreamConfiguration()
}
