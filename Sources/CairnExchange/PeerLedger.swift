import CairnCore

/// The server side of Bitswap for one peer: its wantlist and the decision of what to send it (pure value).
///
/// Decision rules, as kubo 0.22 (boxo `bitswap/server/internal/decision/engine.go`) applies them:
/// - want-block: send the block if we have it;
/// - want-have: send the block itself if it is at most `wantHaveReplaceByteCount` (1024) bytes, else a Have;
/// - a CID we lack: a DontHave only when the entry asked for one (`sendDontHave`); kubo's broadcasts do not.
/// Blocks over `maximumBlockByteCount` are treated as absent, since the peer would refuse them.
/// Wants answered with a block or a Have are removed; the others stay, so that `blocksArrived` can serve them.
public struct PeerLedger: Sendable, Equatable {
    /// The limits and the want-have replacement size.
    public let configuration: BitswapConfiguration
    /// The peer's current wantlist.
    public private(set) var wantlist: PeerWantlist

    /// What to send the peer for one want.
    public enum Action: Sendable, Equatable {
        /// Send the block with this CID, whose data is `byteCount` bytes.
        case sendBlock(CID, byteCount: Int)
        /// Send a Have presence.
        case sendHave(CID)
        /// Send a DontHave presence.
        case sendDontHave(CID)
    }

    /// Creates an empty ledger.
    public init(configuration: BitswapConfiguration = .default) {
        self.configuration = configuration
        self.wantlist = PeerWantlist(maximumEntryCount: configuration.maximumPeerWantlistEntryCount)
    }

    /// Applies the peer's wantlist update and returns what to send it, highest priority first.
    ///
    /// - Parameter have: the size in bytes of a block we hold, or nil when we lack it.
    /// - Throws: `.wantlistTooLarge` when the update would overflow the peer's wantlist (nothing changes).
    public mutating func receive(
        _ update: BitswapMessage.Wantlist, have: (CID) -> Int?
    ) throws(BitswapError) -> [Action] {
        let wants = try wantlist.apply(update)
        let actions = respond(to: wants, have: have)
        removeServed(actions)
        return actions
    }

    /// Serves the recorded wants for newly stored blocks (e.g. after a DontHave) and returns what to send.
    public mutating func blocksArrived(_ cids: [CID], have: (CID) -> Int?) -> [Action] {
        let wants = cids.compactMap { wantlist.want(for: $0) }.sorted { $0.priority > $1.priority }
        // A want that stays unanswered must not get a second DontHave; only blocks and Haves are news.
        let actions = respond(to: wants, have: have).filter {
            if case .sendDontHave = $0 { return false }
            return true
        }
        removeServed(actions)
        return actions
    }

    /// The decision for `entries` (in their order), without changing the ledger; cancels get no action.
    public func respond(to entries: [BitswapMessage.WantlistEntry], have: (CID) -> Int?) -> [Action] {
        entries.compactMap { entry in
            guard !entry.cancel else { return nil }
            let size = have(entry.cid).flatMap { $0 <= configuration.maximumBlockByteCount ? $0 : nil }
            switch (entry.wantType, size) {
            case (.block, let size?):
                return .sendBlock(entry.cid, byteCount: size)
            case (.have, let size?):
                return size <= configuration.wantHaveReplaceByteCount ? .sendBlock(entry.cid, byteCount: size) : .sendHave(entry.cid)
            case (_, nil):
                return entry.sendDontHave ? .sendDontHave(entry.cid) : nil
            }
        }
    }

    /// Removes the wants answered by a block or a Have.
    private mutating func removeServed(_ actions: [Action]) {
        for action in actions {
            switch action {
            case .sendBlock(let cid, _), .sendHave(let cid): wantlist.remove(cid)
            case .sendDontHave: break
            }
        }
    }
}
