import CairnCore
import CairnCrypto

/// A snapshot of the Bitswap engine for `cairn bitswap stat` (value type, taken by `BitswapService.stats()`).
public struct BitswapStats: Sendable, Equatable {
    /// Blocks received that we wanted.
    public var blocksReceived: Int = 0
    /// Bytes of blocks received that we wanted.
    public var dataReceived: Int = 0
    /// Blocks handed to the messenger for peers (counted before the write completes).
    public var blocksSent: Int = 0
    /// Bytes of blocks sent to peers.
    public var dataSent: Int = 0
    /// Blocks received again after they were delivered (harmless races with cancels).
    public var duplicateBlocksReceived: Int = 0
    /// Bytes of duplicate blocks.
    public var duplicateDataReceived: Int = 0
    /// Blocks received that nobody asked for, or corrupt ones.
    public var unwantedBlocksReceived: Int = 0
    /// Response batches not sent because the peer's queue was over its byte limit.
    public var droppedResponseCount: Int = 0
    /// The CIDs we currently want, oldest first.
    public var wantlist: [CID] = []
    /// The peers in the fetch session.
    public var peers: [PeerID] = []
    /// One summary per peer we hold a ledger for, in peer order.
    public var ledgers: [LedgerSummary] = []
    /// Per-peer fetch performance, in peer order.
    public var sessionPeers: [FetchScheduler.PeerSummary] = []

    /// Creates empty statistics.
    public init() {}

    /// What we exchanged with one peer.
    public struct LedgerSummary: Sendable, Equatable {
        /// The peer.
        public var peer: PeerID
        /// Entries in its wantlist with us.
        public var wantlistCount: Int = 0
        /// Blocks we sent it.
        public var blocksSent: Int = 0
        /// Bytes of blocks we sent it.
        public var bytesSent: Int = 0
        /// Wanted blocks it sent us.
        public var blocksReceived: Int = 0
        /// Bytes of wanted blocks it sent us.
        public var bytesReceived: Int = 0

        /// Creates a summary for `peer` with zero counts.
        public init(peer: PeerID) { self.peer = peer }
    }
}
