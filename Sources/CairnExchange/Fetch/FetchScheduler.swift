import CairnCore
import CairnCrypto

/// The Bitswap client's decisions: which peer to ask for which block, when to re-ask, whom to cancel and whom
/// to drop (sans-IO; every event takes the current time as an offset from the driver's start).
///
/// Strategy (after boxo's session): every wanted CID is sent as a want-have to every session peer and as a
/// want-block to one chosen peer. The chosen peer is one that said Have if any has room, else the best peer
/// (optimistically); "best" is the lowest expected completion time, latency EWMA × (blocks in flight + 1), so
/// fast peers get proportionally more work. Each peer has at most `maximumInFlightPerPeer` want-blocks
/// outstanding. A DontHave or a `wantTimeout` re-asks another peer (a timed-out peer is tried again only once
/// every other peer was tried). When a block arrives, the others are sent a Cancel. Blocks nobody asked for
/// count against the sender; past the threshold it is dropped and banned. Wants fail as `stalled` when no
/// wanted block arrived for `progressTimeout`.
public struct FetchScheduler: Sendable {
    /// What the driver must do after an event.
    public enum Action: Sendable, Equatable {
        /// Send these wantlist entries (a delta) to the peer, in order.
        case sendWants(PeerID, [BitswapMessage.WantlistEntry])
        /// A wanted block arrived (already verified by hashing); hand it to its waiters.
        case deliver(Block, from: PeerID)
        /// The peer misbehaved and left the session; report it.
        case dropPeer(PeerID, PeerPenalty)
        /// These wants were given up after `after` without progress; fail their waiters.
        case stalled([CID], after: Duration)
    }

    /// How a received block was classified.
    public enum BlockOutcome: Sendable, Equatable {
        /// It was wanted and is now delivered.
        case wanted
        /// It was delivered recently (a copy that crossed a cancel); harmless.
        case duplicate
        /// Nobody asked for it; it counts against the sender.
        case unwanted
    }

    /// A session peer's performance, for `cairn bitswap stat` and tests.
    public struct PeerSummary: Sendable, Equatable {
        /// The peer.
        public var peer: PeerID
        /// Want-blocks outstanding at the peer.
        public var inFlightCount: Int
        /// The averaged time from want-block to block.
        public var latency: Duration
        /// The averaged bytes per second of its blocks.
        public var throughputBytesPerSecond: Double
        /// Wanted blocks received from the peer.
        public var receivedBlockCount: Int
        /// Bytes of wanted blocks received from the peer.
        public var receivedByteCount: Int
        /// Unwanted or corrupt blocks received from the peer.
        public var unwantedBlockCount: Int
        /// Want-blocks it let time out.
        public var timeoutCount: Int
    }

    private struct Want: Sendable {
        let sequence: UInt64
        let addedAt: Duration
        var blockPeer: PeerID?
        var blockSentAt: Duration = .zero
        var askedHave: Set<PeerID> = []
        var askedBlock: Set<PeerID> = []
        var haves: Set<PeerID> = []
        var dontHaves: Set<PeerID> = []
        var timedOut: Set<PeerID> = []
    }

    private struct Peer: Sendable {
        var inFlight: Set<CID> = []
        var latencySeconds: Double
        var throughputBytesPerSecond: Double = 0
        var receivedBlockCount = 0
        var receivedByteCount = 0
        var unwantedBlockCount = 0
        var timeoutCount = 0
    }

    /// Entries to send, grouped per peer; emitted in peer order so actions are deterministic.
    private struct Outbox {
        var entries: [PeerID: [BitswapMessage.WantlistEntry]] = [:]
        /// Queues `entry` for `peer`. A want for a CID whose Cancel is queued to the same peer replaces the
        /// Cancel (a re-ask after a timeout): a message holding both could be applied cancel-last by the
        /// peer, leaving the block never sent.
        mutating func add(_ entry: BitswapMessage.WantlistEntry, to peer: PeerID) {
            if !entry.cancel {
                entries[peer]?.removeAll { $0.cancel && $0.cid == entry.cid }
            }
            entries[peer, default: []].append(entry)
        }
        var actions: [Action] { entries.keys.sorted().compactMap { peer in entries[peer].map { .sendWants(peer, $0) } } }
    }

    /// The limits and timings.
    public let configuration: FetchConfiguration
    private var wants: [CID: Want] = [:]
    private var peers: [PeerID: Peer] = [:]
    private var banned: BoundedRecentSet<PeerID>
    private var recentlyDelivered: BoundedRecentSet<CID>
    private var nextSequence: UInt64 = 0
    private var lastProgress: Duration = .zero

    /// Creates an idle scheduler with no peers and no wants.
    public init(configuration: FetchConfiguration = .init()) {
        self.configuration = configuration
        self.banned = BoundedRecentSet(capacity: configuration.maximumBannedPeerCount)
        self.recentlyDelivered = BoundedRecentSet(capacity: configuration.recentlyDeliveredCapacity)
    }

    // MARK: Inspection

    /// The number of CIDs wanted.
    public var wantCount: Int { wants.count }
    /// The wanted CIDs, oldest first.
    public var wantedCIDs: [CID] { wants.sorted { $0.value.sequence < $1.value.sequence }.map(\.key) }
    /// The session peers, in order.
    public var sessionPeers: [PeerID] { peers.keys.sorted() }
    /// Whether `cid` is wanted.
    public func isWanted(_ cid: CID) -> Bool { wants[cid] != nil }
    /// The peer asked for `cid`'s block right now, if any.
    public func blockPeer(for cid: CID) -> PeerID? { wants[cid]?.blockPeer }
    /// The CIDs whose blocks `peer` owes us.
    public func inFlight(at peer: PeerID) -> Set<CID> { peers[peer]?.inFlight ?? [] }
    /// Whether `peer` was dropped for misbehaving (and is kept out of the session).
    public func isBanned(_ peer: PeerID) -> Bool { banned.contains(peer) }

    /// A summary of every session peer, in peer order.
    public var peerSummaries: [PeerSummary] {
        peers.keys.sorted().compactMap { id in
            peers[id].map { peer in
                PeerSummary(peer: id, inFlightCount: peer.inFlight.count, latency: .seconds(peer.latencySeconds),
                            throughputBytesPerSecond: peer.throughputBytesPerSecond, receivedBlockCount: peer.receivedBlockCount,
                            receivedByteCount: peer.receivedByteCount, unwantedBlockCount: peer.unwantedBlockCount,
                            timeoutCount: peer.timeoutCount)
            }
        }
    }

    // MARK: Wants

    /// Starts wanting `cids` (already wanted ones are ignored): want-have to every peer, want-block to the best.
    /// - Throws: `.wantlistFull` when the new wants would exceed `maximumWantCount` (nothing changes).
    public mutating func addWants(_ cids: [CID], now: Duration) throws(BitswapError) -> [Action] {
        var seen = Set<CID>()
        let fresh = cids.filter { wants[$0] == nil && seen.insert($0).inserted }
        guard wants.count + fresh.count <= configuration.maximumWantCount else {
            throw .wantlistFull(limit: configuration.maximumWantCount)
        }
        if wants.isEmpty { lastProgress = now }
        for cid in fresh {
            wants[cid] = Want(sequence: nextSequence, addedAt: now)
            nextSequence += 1
        }
        var outbox = Outbox()
        assign(now: now, into: &outbox)
        for cid in fresh { broadcastWantHave(cid, to: peers.keys.sorted(), into: &outbox) }
        return outbox.actions
    }

    /// Stops wanting `cids`, sending Cancel to every peer that was asked.
    public mutating func cancelWants(_ cids: [CID], now: Duration) -> [Action] {
        var outbox = Outbox()
        for cid in cids { removeWant(cid, cancellingExcept: nil, into: &outbox) }
        assign(now: now, into: &outbox)
        return outbox.actions
    }

    // MARK: Peers

    /// Adds `peer` to the session (ignored when banned, present, or over `maximumPeerCount`) and asks it about
    /// every current want.
    public mutating func addPeer(_ peer: PeerID, now: Duration) -> [Action] {
        guard !banned.contains(peer), peers[peer] == nil, peers.count < configuration.maximumPeerCount else { return [] }
        peers[peer] = Peer(latencySeconds: Self.seconds(configuration.initialLatencyEstimate))
        var outbox = Outbox()
        assign(now: now, into: &outbox)
        for cid in wantedCIDs where wants[cid]?.blockPeer != peer { broadcastWantHave(cid, to: [peer], into: &outbox) }
        return outbox.actions
    }

    /// Records a provider hint: `peer` is believed to have `cid` (as if it had said Have), adding it to the session.
    public mutating func addProvider(_ peer: PeerID, for cid: CID, now: Duration) -> [Action] {
        var actions = addPeer(peer, now: now)
        guard peers[peer] != nil, wants[cid] != nil else { return actions }
        wants[cid]?.haves.insert(peer)
        var outbox = Outbox()
        assign(now: now, into: &outbox)
        actions += outbox.actions
        return actions
    }

    /// Removes `peer` (disconnected, or a send to it failed) and re-asks its outstanding blocks elsewhere.
    public mutating func removePeer(_ peer: PeerID, now: Duration) -> [Action] {
        guard peers[peer] != nil else { return [] }
        forget(peer)
        var outbox = Outbox()
        assign(now: now, into: &outbox)
        return outbox.actions
    }

    // MARK: Responses

    /// Handles a Have or DontHave from `peer`: a Have makes it preferred for that block, a DontHave re-asks.
    public mutating func receivedPresence(_ presence: BitswapMessage.BlockPresence, from peer: PeerID, now: Duration) -> [Action] {
        guard peers[peer] != nil, var want = wants[presence.cid] else { return [] }
        switch presence.type {
        case .have:
            want.haves.insert(peer)
            want.dontHaves.remove(peer)
            // Only an unassigned want can be helped by a Have; skip the assignment pass otherwise.
            guard want.blockPeer == nil else {
                wants[presence.cid] = want
                return []
            }
        case .dontHave:
            want.dontHaves.insert(peer)
            want.haves.remove(peer)
            if want.blockPeer == peer {
                want.blockPeer = nil
                peers[peer]?.inFlight.remove(presence.cid)
            }
        }
        wants[presence.cid] = want
        var outbox = Outbox()
        assign(now: now, into: &outbox)
        return outbox.actions
    }

    /// Handles a block from `peer` whose data was hashed to `block.cid`: delivers it if wanted (cancelling the
    /// other peers), ignores a recent duplicate, and counts anything else against the sender.
    ///
    /// A block whose CID differs from a wanted one only in version or codec (same multihash, so the same bytes)
    /// is delivered under the wanted CID: some implementations answer with the prefix they stored.
    public mutating func receivedBlock(_ received: Block, from peer: PeerID, now: Duration) -> (BlockOutcome, [Action]) {
        var block = received
        if wants[block.cid] == nil, !recentlyDelivered.contains(block.cid),
           let wanted = wants.keys.first(where: { $0.multihash == received.cid.multihash }) {
            block = Block(hashed: received.data, cid: wanted)
        }
        guard let want = wants[block.cid] else {
            if recentlyDelivered.contains(block.cid) { return (.duplicate, []) }
            return (.unwanted, penalize(peer, now: now))
        }
        lastProgress = now
        if want.blockPeer == peer {
            recordSample(peer, elapsed: now - want.blockSentAt, byteCount: block.data.count)
        }
        peers[peer]?.receivedBlockCount += 1
        peers[peer]?.receivedByteCount += block.data.count
        var outbox = Outbox()
        removeWant(block.cid, cancellingExcept: peer, into: &outbox)
        recentlyDelivered.insert(block.cid)
        assign(now: now, into: &outbox)
        return (.wanted, [.deliver(block, from: peer)] + outbox.actions)
    }

    /// Handles a block from `peer` that cannot be hashed as its prefix says; it counts as unwanted.
    public mutating func receivedInvalidBlock(from peer: PeerID, now: Duration) -> [Action] {
        penalize(peer, now: now)
    }

    // MARK: Time

    /// Re-asks want-blocks older than `wantTimeout` elsewhere and gives up wants that made no progress for
    /// `progressTimeout`.
    public mutating func tick(now: Duration) -> [Action] {
        var outbox = Outbox()
        let expired = wants.filter { $0.value.blockPeer != nil && now - $0.value.blockSentAt >= configuration.wantTimeout }
        for (cid, want) in expired.sorted(by: { $0.value.sequence < $1.value.sequence }) {
            guard let peer = want.blockPeer else { continue }
            wants[cid]?.blockPeer = nil
            wants[cid]?.timedOut.insert(peer)
            peers[peer]?.inFlight.remove(cid)
            peers[peer]?.timeoutCount += 1
            recordSample(peer, elapsed: configuration.wantTimeout, byteCount: 0)
            outbox.add(Self.cancelEntry(cid), to: peer)
        }
        var actions: [Action] = []
        if !wants.isEmpty, now - lastProgress >= configuration.progressTimeout {
            let stalled = wantedCIDs.filter { cid in wants[cid].map { now - $0.addedAt >= configuration.progressTimeout } ?? false }
            for cid in stalled { removeWant(cid, cancellingExcept: nil, into: &outbox) }
            if !stalled.isEmpty { actions.append(.stalled(stalled, after: now - lastProgress)) }
        }
        assign(now: now, into: &outbox)
        return outbox.actions + actions
    }

    // MARK: Internals

    /// Sends want-blocks for every unassigned want, oldest first, while some peer has room.
    private mutating func assign(now: Duration, into outbox: inout Outbox) {
        guard peers.values.contains(where: { $0.inFlight.count < configuration.maximumInFlightPerPeer }) else { return }
        let pending = wants.filter { $0.value.blockPeer == nil }.sorted { $0.value.sequence < $1.value.sequence }
        for (cid, _) in pending {
            guard peers.values.contains(where: { $0.inFlight.count < configuration.maximumInFlightPerPeer }) else { return }
            guard var want = wants[cid], let peer = choosePeer(for: &want) else { continue }
            want.blockPeer = peer
            want.blockSentAt = now
            want.askedBlock.insert(peer)
            wants[cid] = want
            peers[peer]?.inFlight.insert(cid)
            outbox.add(.init(cid: cid, priority: Self.priority(want.sequence), wantType: .block, sendDontHave: true), to: peer)
        }
    }

    /// The peer to ask for `want`'s block: Have-sayers first, then the lowest expected completion time.
    private func choosePeer(for want: inout Want) -> PeerID? {
        let limit = configuration.maximumInFlightPerPeer
        func eligible(excluding excluded: Set<PeerID>) -> [PeerID] {
            peers.compactMap { id, peer in
                peer.inFlight.count < limit && !want.dontHaves.contains(id) && !excluded.contains(id) ? id : nil
            }
        }
        var candidates = eligible(excluding: want.timedOut)
        if candidates.isEmpty, !want.timedOut.isEmpty,
           peers.keys.allSatisfy({ want.dontHaves.contains($0) || want.timedOut.contains($0) }) {
            // Everyone was tried: give the slow ones another chance rather than waiting for the stall timeout.
            want.timedOut = []
            candidates = eligible(excluding: [])
        }
        let withHave = candidates.filter { want.haves.contains($0) }
        let pool = withHave.isEmpty ? candidates : withHave
        return pool.min { lhs, rhs in
            let (l, r) = (score(lhs), score(rhs))
            return l != r ? l < r : lhs < rhs
        }
    }

    /// The expected time until `peer` could deliver one more block.
    private func score(_ peer: PeerID) -> Double {
        guard let state = peers[peer] else { return .infinity }
        return state.latencySeconds * Double(state.inFlight.count + 1)
    }

    /// Sends a want-have for `cid` to each of `targets` not yet asked for it.
    private mutating func broadcastWantHave(_ cid: CID, to targets: [PeerID], into outbox: inout Outbox) {
        guard var want = wants[cid] else { return }
        for peer in targets where want.blockPeer != peer && !want.askedHave.contains(peer) {
            want.askedHave.insert(peer)
            outbox.add(.init(cid: cid, priority: Self.priority(want.sequence), wantType: .have, sendDontHave: true), to: peer)
        }
        wants[cid] = want
    }

    /// Forgets a want and sends Cancel to every peer asked about it except `except`.
    private mutating func removeWant(_ cid: CID, cancellingExcept except: PeerID?, into outbox: inout Outbox) {
        guard let want = wants.removeValue(forKey: cid) else { return }
        if let holder = want.blockPeer { peers[holder]?.inFlight.remove(cid) }
        for peer in want.askedHave.union(want.askedBlock).sorted() where peer != except && peers[peer] != nil {
            outbox.add(Self.cancelEntry(cid), to: peer)
        }
    }

    /// Counts an unwanted block against `peer`, dropping and banning it past the threshold.
    private mutating func penalize(_ peer: PeerID, now: Duration) -> [Action] {
        guard let state = peers[peer] else { return [] }
        let count = state.unwantedBlockCount + 1
        peers[peer]?.unwantedBlockCount = count
        guard count > configuration.maximumUnwantedBlockCountPerPeer else { return [] }
        forget(peer)
        banned.insert(peer)
        var outbox = Outbox()
        assign(now: now, into: &outbox)
        return [.dropPeer(peer, .unwantedBlocks(count: count))] + outbox.actions
    }

    /// Removes `peer` from the session and from every want's bookkeeping, freeing its blocks for others.
    private mutating func forget(_ peer: PeerID) {
        guard let state = peers.removeValue(forKey: peer) else { return }
        for cid in wants.keys {
            guard var want = wants[cid] else { continue }
            if want.blockPeer == peer && state.inFlight.contains(cid) { want.blockPeer = nil }
            want.askedHave.remove(peer)
            want.askedBlock.remove(peer)
            want.haves.remove(peer)
            want.dontHaves.remove(peer)
            want.timedOut.remove(peer)
            wants[cid] = want
        }
    }

    /// Folds one response time (and the bytes it brought) into the peer's averages.
    private mutating func recordSample(_ peer: PeerID, elapsed: Duration, byteCount: Int) {
        guard var state = peers[peer] else { return }
        let weight = configuration.averagingWeight
        let seconds = max(Self.seconds(elapsed), 1e-6)
        state.latencySeconds = (1 - weight) * state.latencySeconds + weight * seconds
        state.throughputBytesPerSecond = (1 - weight) * state.throughputBytesPerSecond + weight * Double(byteCount) / seconds
        peers[peer] = state
    }

    /// The wire priority of the want with `sequence`: older wants get higher priorities, so servers answer in
    /// the order we asked (depth-first for DAG fetches). Stays positive.
    static func priority(_ sequence: UInt64) -> Int32 {
        Int32.max - Int32(truncatingIfNeeded: sequence % UInt64(Int32.max - 1))
    }

    /// A Cancel entry for `cid`.
    static func cancelEntry(_ cid: CID) -> BitswapMessage.WantlistEntry {
        .init(cid: cid, priority: 0, cancel: true, wantType: .block)
    }

    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
