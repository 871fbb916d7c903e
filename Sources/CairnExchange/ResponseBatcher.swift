import CairnCore

/// Splits ledger actions into outgoing messages of about `targetOutgoingMessageByteCount` bytes each.
///
/// Order is kept (the ledger returns highest priority first). A message is closed before a block that would
/// push it over the target, or when it reaches the per-message block or presence count; a block larger than
/// the target travels alone. Sizes are estimates of the encoded message (data, prefix, CID and field
/// overhead), so the real message stays within the target plus a few bytes per item.
public struct ResponseBatcher: Sendable, Equatable {
    /// The limits used for batching.
    public let configuration: BitswapConfiguration

    /// One outgoing message's contents, before the blocks are loaded.
    public struct Batch: Sendable, Equatable {
        /// Blocks to load and send, in order.
        public var blocks: [CID] = []
        /// Presences to send.
        public var presences: [BitswapMessage.BlockPresence] = []
        /// The estimated encoded size of the message in bytes.
        public var estimatedByteCount = 0

        /// Creates an empty batch.
        public init() {}

        /// The message to send for this batch, shaped like kubo's responses (with an empty `wantlist` field).
        ///
        /// - Parameter load: returns a stored block, or nil when it vanished since the decision (it is then left
        ///   out; the peer's want stays unanswered, as it would with kubo).
        public func message(loading load: (CID) -> Block?) -> BitswapMessage {
            BitswapMessage(wantlist: .init(), payload: blocks.compactMap { load($0).map(BitswapMessage.PayloadBlock.init) },
                           blockPresences: presences)
        }
    }

    /// Creates a batcher using `configuration`'s target size and per-message counts.
    public init(configuration: BitswapConfiguration = .default) {
        self.configuration = configuration
    }

    /// Groups `actions` into batches, never returning an empty batch.
    public func batches(for actions: [PeerLedger.Action]) -> [Batch] {
        var batches: [Batch] = []
        var current = Batch()
        for action in actions {
            let (cost, isBlock) = Self.estimate(action)
            let overTarget = current.estimatedByteCount + cost > configuration.targetOutgoingMessageByteCount
            let overCount = isBlock
                ? current.blocks.count >= configuration.maximumBlockCountPerMessage
                : current.presences.count >= configuration.maximumBlockPresenceCountPerMessage
            if (overTarget || overCount) && !(current.blocks.isEmpty && current.presences.isEmpty) {
                batches.append(current)
                current = Batch()
            }
            switch action {
            case .sendBlock(let cid, _): current.blocks.append(cid)
            case .sendHave(let cid): current.presences.append(.init(cid: cid, type: .have))
            case .sendDontHave(let cid): current.presences.append(.init(cid: cid, type: .dontHave))
            }
            current.estimatedByteCount += cost
        }
        if !(current.blocks.isEmpty && current.presences.isEmpty) { batches.append(current) }
        return batches
    }

    /// The estimated encoded cost of one action and whether it is a block.
    static func estimate(_ action: PeerLedger.Action) -> (byteCount: Int, isBlock: Bool) {
        switch action {
        case .sendBlock(let cid, let byteCount):
            // field key + length (≤ 5) + prefix field (≤ 2 + prefix) + data field key + length (≤ 5) + data
            return (1 + 5 + 2 + BlockPrefix(cid).bytes.count + 1 + 5 + byteCount, true)
        case .sendHave(let cid), .sendDontHave(let cid):
            // field key + length + cid field (key, length, bytes) + type field (2)
            return (1 + 2 + 1 + 2 + cid.bytes.count + 2, false)
        }
    }
}
