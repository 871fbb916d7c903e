/// Named limits and defaults for Bitswap 1.2.0; every limit bounds what one peer can make us parse, hold or send.
public struct BitswapConfiguration: Sendable, Equatable {
    /// The largest message accepted, in bytes, excluding its length prefix.
    ///
    /// go-bitswap refuses messages over 4 MiB (`network.MessageSizeMax`); kubo never sends more, so a
    /// larger one is a broken or hostile peer, and this bounds the frame decoder's buffer.
    public var maximumMessageByteCount: Int

    /// The largest block accepted or served, in bytes.
    ///
    /// Kubo's chunkers and `ipfs block put` cap blocks at 2 MiB (the libp2p "block limit"); a block over
    /// it would not fit in a message with room for others, and kubo would not accept it either.
    public var maximumBlockByteCount: Int

    /// The most wantlist entries accepted in one message.
    ///
    /// Kubo sends wants in small batches (session windows of tens, broadcasts of a few hundred); 8192
    /// leaves ample room while bounding the per-entry CID parsing a single message can cause.
    public var maximumWantlistEntryCountPerMessage: Int

    /// The most blocks (`blocks` and `payload` together) accepted in one message.
    ///
    /// Bounds per-block work (hashing, lookups) for messages of many tiny blocks inside the 4 MiB limit.
    public var maximumBlockCountPerMessage: Int

    /// The most block presences (Have / DontHave) accepted in one message.
    ///
    /// A presence is about 40 bytes, so the 4 MiB limit alone would admit ~100 000; this bounds the work.
    public var maximumBlockPresenceCountPerMessage: Int

    /// The most entries kept in one peer's wantlist; an update that would exceed it is refused.
    ///
    /// The wantlist is memory we hold on a peer's behalf for as long as it stays connected, so it needs
    /// its own bound independent of message sizes.
    public var maximumPeerWantlistEntryCount: Int

    /// Blocks of at most this many bytes are sent in answer to a want-have instead of a Have.
    ///
    /// Kubo's `DefaultWantHaveReplaceSize` (boxo `bitswap/internal/defaults`): sending a small block
    /// costs about as much as a Have and saves the peer a round trip.
    public var wantHaveReplaceByteCount: Int

    /// Outgoing blocks and presences are batched into messages of about this many bytes.
    ///
    /// Kubo's client batches about 2 MiB per message; with blocks ≤ 2 MiB every message then stays well
    /// under the 4 MiB receive limit.
    public var targetOutgoingMessageByteCount: Int

    /// The most bytes of responses (estimated, blocks not yet loaded) queued for one peer; batches past it are
    /// dropped and counted.
    ///
    /// Loading happens only when a batch is sent, so this bounds work promised to a peer that reads slowly;
    /// 16 MiB is eight full messages, plenty to keep a fast link busy.
    public var maximumQueuedResponseByteCountPerPeer: Int

    /// The most peers we keep a server-side ledger (wantlist) for at once; wants from further peers are ignored.
    ///
    /// Each ledger holds up to `maximumPeerWantlistEntryCount` entries, so this bounds the server's memory.
    public var maximumLedgerCount: Int

    /// Creates a configuration; the defaults match kubo 0.22.
    public init(
        maximumMessageByteCount: Int = 4 << 20,
        maximumBlockByteCount: Int = 2 << 20,
        maximumWantlistEntryCountPerMessage: Int = 8192,
        maximumBlockCountPerMessage: Int = 8192,
        maximumBlockPresenceCountPerMessage: Int = 8192,
        maximumPeerWantlistEntryCount: Int = 16384,
        wantHaveReplaceByteCount: Int = 1024,
        targetOutgoingMessageByteCount: Int = 2 << 20,
        maximumQueuedResponseByteCountPerPeer: Int = 16 << 20,
        maximumLedgerCount: Int = 1024
    ) {
        precondition(maximumBlockByteCount < maximumMessageByteCount, "a block must fit in a message")
        precondition(targetOutgoingMessageByteCount <= maximumMessageByteCount, "batches must fit the message limit")
        self.maximumMessageByteCount = maximumMessageByteCount
        self.maximumBlockByteCount = maximumBlockByteCount
        self.maximumWantlistEntryCountPerMessage = maximumWantlistEntryCountPerMessage
        self.maximumBlockCountPerMessage = maximumBlockCountPerMessage
        self.maximumBlockPresenceCountPerMessage = maximumBlockPresenceCountPerMessage
        self.maximumPeerWantlistEntryCount = maximumPeerWantlistEntryCount
        self.wantHaveReplaceByteCount = wantHaveReplaceByteCount
        self.targetOutgoingMessageByteCount = targetOutgoingMessageByteCount
        self.maximumQueuedResponseByteCountPerPeer = maximumQueuedResponseByteCountPerPeer
        self.maximumLedgerCount = maximumLedgerCount
    }

    /// The defaults (kubo 0.22's values).
    public static let `default` = BitswapConfiguration()
}
