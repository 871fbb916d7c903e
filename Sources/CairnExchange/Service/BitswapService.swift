import CairnCore
import CairnCrypto
import CairnNet
import Logging

/// The node's Bitswap 1.2.0 engine: answers peers' wants from the local store (server) and fetches blocks
/// from peers (client), over an injected `BitswapMessenger`.
///
/// Isolation: an actor; the decisions live in the pure `PeerLedger` (server) and `FetchScheduler` (client).
/// Messages are not sent from the methods that decide them but queued per peer and sent by `run()`, so a slow
/// peer never holds up another, and at most one send per peer is pending at a time.
///
/// Wiring: feed inbound messages to `receive(_:from:)`, connection events to `handle(_:)` (or
/// `followPeerEvents(_:)`), run `run()` in the owner's task group, and call `notifyNewBlocks(_:)` after
/// storing blocks. `block(_:)` fetches one block and makes the service a `BlockSource`.
public actor BitswapService: BlockSource {
    /// Wire limits and server batching.
    public let configuration: BitswapConfiguration
    /// Client limits and timings.
    public let fetchConfiguration: FetchConfiguration

    /// One item waiting to be sent to a peer.
    enum OutgoingItem: Sendable {
        /// Wantlist entries (wants and cancels) of our client.
        case wants([BitswapMessage.WantlistEntry])
        /// A server response; its blocks are loaded only when it is sent.
        case response(ResponseBatcher.Batch)
    }

    /// The per-peer send queue.
    struct PeerOutbox: Sendable {
        var items: [OutgoingItem] = []
        var queuedResponseByteCount = 0
        var isSending = false
    }

    let messenger: any BitswapMessenger
    let store: any BitswapBlockStore
    let now: @Sendable () -> Duration
    let sleep: @Sendable (Duration) async throws -> Void
    let onMisbehavingPeer: @Sendable (PeerID, PeerPenalty) async -> Void
    let logger: Logger
    let batcher: ResponseBatcher

    var scheduler: FetchScheduler
    var ledgers: [PeerID: PeerLedger] = [:]
    var ledgerSummaries: [PeerID: BitswapStats.LedgerSummary] = [:]
    var counters = BitswapStats()
    var waitersByCID: [CID: Set<UInt64>] = [:]
    let waiters = FetchWaiters()
    var outboxes: [PeerID: PeerOutbox] = [:]
    let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation
    var hasRun = false

    /// Creates an engine; nothing is sent until `run()` runs.
    /// - Parameters:
    ///   - clock: the time source for timeouts and latency estimates (the node passes `ContinuousClock`).
    ///   - onMisbehavingPeer: told when a peer is dropped for sending junk, so the node can disconnect it.
    public init(
        messenger: any BitswapMessenger,
        store: any BitswapBlockStore,
        configuration: BitswapConfiguration = .default,
        fetchConfiguration: FetchConfiguration = .init(),
        clock: some Clock<Duration>,
        logger: Logger = Logger(label: "cairn.bitswap"),
        onMisbehavingPeer: @escaping @Sendable (PeerID, PeerPenalty) async -> Void = { _, _ in }
    ) {
        self.messenger = messenger
        self.store = store
        self.configuration = configuration
        self.fetchConfiguration = fetchConfiguration
        let start = clock.now
        self.now = { start.duration(to: clock.now) }
        self.sleep = { duration in try await clock.sleep(for: duration) }
        self.onMisbehavingPeer = onMisbehavingPeer
        self.logger = logger
        self.batcher = ResponseBatcher(configuration: configuration)
        self.scheduler = FetchScheduler(configuration: fetchConfiguration)
        (self.wakeups, self.wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Sends queued messages and checks timeouts until the calling task is cancelled; call it once, in the
    /// owner's task group.
    public func run() async {
        precondition(!hasRun, "BitswapService.run() may be called only once")
        hasRun = true
        let interval = fetchConfiguration.tickInterval
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    do { try await self.sleep(interval) } catch { return }
                    await self.tick()
                }
            }
            wake.yield()
            for await _ in wakeups {
                for peer in takeIdleOutboxes() {
                    group.addTask { await self.drainOutbox(of: peer) }
                }
            }
            group.cancelAll()
        }
    }

    /// Handles one inbound message from `peer`: its wantlist (server side), its blocks and presences (client side).
    public func receive(_ message: BitswapMessage, from peer: PeerID) async {
        await perform(scheduler.addPeer(peer, now: now()))
        if let wantlist = message.wantlist, wantlist.full || !wantlist.entries.isEmpty {
            await serve(wantlist, from: peer)
        }
        var actions: [FetchScheduler.Action] = []
        let time = now()
        for data in message.blocks {
            do {
                let cid = try BlockPrefix.cidV0.cid(forData: data)
                actions += classify(Block(hashed: data, cid: cid), from: peer, now: time)
            } catch {
                actions += invalidBlock(from: peer, error: error, now: time)
            }
        }
        for payload in message.payload {
            do {
                actions += classify(try payload.verifiedBlock(), from: peer, now: time)
            } catch {
                actions += invalidBlock(from: peer, error: error, now: time)
            }
        }
        for presence in message.blockPresences {
            actions += scheduler.receivedPresence(presence, from: peer, now: time)
        }
        await perform(actions)
    }

    /// Applies a connection event: connected peers join the fetch session, disconnected ones leave it and lose
    /// their ledger and queued responses; identified peers without Bitswap leave it.
    public func handle(_ event: PeerEvent) async {
        switch event {
        case .connected(let peer):
            await perform(scheduler.addPeer(peer, now: now()))
        case .disconnected(let peer):
            await dropPeerState(peer)
            await messenger.peerDisconnected(peer)
        case .identified(let peer, let protocols, _):
            if protocols.contains(where: StreamBitswapMessenger.protocolIDs.contains) {
                await perform(scheduler.addPeer(peer, now: now()))
            } else {
                await perform(scheduler.removePeer(peer, now: now()))
            }
        }
    }

    /// Applies every event of `events` until it ends or the task is cancelled.
    public func followPeerEvents(_ events: AsyncStream<PeerEvent>) async {
        for await event in events { await handle(event) }
    }

    /// Adds provider hints: `peers` are believed to have `cid` (and probably its DAG); they join the fetch
    /// session and are preferred for `cid`. The messenger dials them through the network's address book.
    public func addProviders(_ peers: [PeerID], for cid: CID) async {
        var actions: [FetchScheduler.Action] = []
        for peer in peers { actions += scheduler.addProvider(peer, for: cid, now: now()) }
        await perform(actions)
    }

    /// A snapshot of the counters, the wantlist, the session and the per-peer ledgers.
    public func stats() -> BitswapStats {
        var stats = counters
        stats.wantlist = scheduler.wantedCIDs
        stats.peers = scheduler.sessionPeers
        stats.sessionPeers = scheduler.peerSummaries
        stats.ledgers = ledgerSummaries.keys.sorted().compactMap { peer in
            guard var summary = ledgerSummaries[peer] else { return nil }
            summary.wantlistCount = ledgers[peer]?.wantlist.count ?? 0
            return summary
        }
        return stats
    }

    // MARK: Internals shared by the facets

    /// Carries out the scheduler's decisions: queue wants, hand blocks to waiters, fail stalled wants,
    /// report misbehaving peers.
    func perform(_ actions: [FetchScheduler.Action]) async {
        for action in actions {
            switch action {
            case .sendWants(let peer, let entries):
                enqueue(.wants(entries), to: peer)
            case .deliver(let block, let peer):
                counters.blocksReceived += 1
                counters.dataReceived += block.data.count
                updateSummary(of: peer) { summary in
                    summary.blocksReceived += 1
                    summary.bytesReceived += block.data.count
                }
                complete(block.cid, with: .success(block))
            case .stalled(let cids, let after):
                for cid in cids { complete(cid, with: .failure(BitswapError.fetchStalled(cid: cid, after: after))) }
            case .dropPeer(let peer, let penalty):
                logger.warning("dropping misbehaving peer", metadata: ["peer": "\(peer)", "reason": "\(penalty)"])
                clearOutbox(of: peer)
                await onMisbehavingPeer(peer, penalty)
            }
        }
    }

    /// Updates `peer`'s exchange summary; a new one is started only while fewer than `maximumLedgerCount` exist
    /// (summaries are dropped when their peer disconnects).
    func updateSummary(of peer: PeerID, _ update: (inout BitswapStats.LedgerSummary) -> Void) {
        if var summary = ledgerSummaries[peer] {
            update(&summary)
            ledgerSummaries[peer] = summary
        } else if ledgerSummaries.count < configuration.maximumLedgerCount {
            var summary = BitswapStats.LedgerSummary(peer: peer)
            update(&summary)
            ledgerSummaries[peer] = summary
        }
    }

    /// Completes every waiter of `cid`.
    func complete(_ cid: CID, with result: Result<Block, any Error>) {
        for id in waitersByCID.removeValue(forKey: cid) ?? [] { waiters.complete(id, with: result) }
    }

    /// Queues `item` for `peer` and wakes the sender; a response over the peer's byte limit is dropped.
    func enqueue(_ item: OutgoingItem, to peer: PeerID) {
        var outbox = outboxes[peer] ?? PeerOutbox()
        switch item {
        case .response(let batch):
            guard outbox.queuedResponseByteCount + batch.estimatedByteCount <= configuration.maximumQueuedResponseByteCountPerPeer
                    || outbox.queuedResponseByteCount == 0 else {
                counters.droppedResponseCount += 1
                logger.debug("response queue full", metadata: ["peer": "\(peer)"])
                return
            }
            outbox.queuedResponseByteCount += batch.estimatedByteCount
            outbox.items.append(item)
        case .wants(let entries):
            let limit = configuration.maximumWantlistEntryCountPerMessage
            if !outbox.isSending, case .wants(let queued)? = outbox.items.last, queued.count + entries.count <= limit {
                outbox.items[outbox.items.count - 1] = .wants(queued + entries)
            } else {
                for start in stride(from: 0, to: entries.count, by: limit) {
                    outbox.items.append(.wants(Array(entries[start..<min(start + limit, entries.count)])))
                }
            }
        }
        outboxes[peer] = outbox
        wake.yield()
    }

    /// Drops `peer`'s queued items; a send in progress finishes, and its sender then ends its turn.
    func clearOutbox(of peer: PeerID) {
        if outboxes[peer]?.isSending == true {
            outboxes[peer]?.items = []
            outboxes[peer]?.queuedResponseByteCount = 0
        } else {
            outboxes[peer] = nil
        }
    }

    /// Forgets everything held for `peer` after it disconnected.
    func dropPeerState(_ peer: PeerID) async {
        ledgers[peer] = nil
        ledgerSummaries[peer] = nil
        clearOutbox(of: peer)
        await perform(scheduler.removePeer(peer, now: now()))
    }

    /// Checks want and progress timeouts.
    func tick() async {
        await perform(scheduler.tick(now: now()))
    }

    /// Classifies one correctly hashed block and counts duplicates and junk.
    private func classify(_ block: Block, from peer: PeerID, now: Duration) -> [FetchScheduler.Action] {
        let (outcome, actions) = scheduler.receivedBlock(block, from: peer, now: now)
        switch outcome {
        case .wanted: break
        case .duplicate:
            counters.duplicateBlocksReceived += 1
            counters.duplicateDataReceived += block.data.count
        case .unwanted:
            counters.unwantedBlocksReceived += 1
        }
        return actions
    }

    /// Counts a block that cannot be hashed as its prefix asks against its sender.
    private func invalidBlock(from peer: PeerID, error: BitswapError, now: Duration) -> [FetchScheduler.Action] {
        counters.unwantedBlocksReceived += 1
        logger.debug("unverifiable block", metadata: ["peer": "\(peer)", "error": "\(error)"])
        return scheduler.receivedInvalidBlock(from: peer, now: now)
    }
}
