import CairnCore
import CairnCrypto

extension BitswapService {
    /// Applies a peer's wantlist update to its ledger and queues the answers.
    func serve(_ wantlist: BitswapMessage.Wantlist, from peer: PeerID) async {
        var sizes: [CID: Int] = [:]
        for entry in wantlist.entries where !entry.cancel && sizes[entry.cid] == nil {
            if let size = await store.blockSize(entry.cid) { sizes[entry.cid] = size }
        }
        guard ledgers[peer] != nil || ledgers.count < configuration.maximumLedgerCount else {
            logger.debug("ledger limit reached; ignoring wants", metadata: ["peer": "\(peer)"])
            return
        }
        var ledger = ledgers[peer] ?? PeerLedger(configuration: configuration)
        do {
            let actions = try ledger.receive(wantlist, have: { sizes[$0] })
            ledgers[peer] = ledger
            updateSummary(of: peer) { _ in }
            enqueueResponses(actions, to: peer)
        } catch {
            logger.info("refused wantlist update", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }

    /// Batches ledger actions into messages and queues them.
    func enqueueResponses(_ actions: [PeerLedger.Action], to peer: PeerID) {
        for batch in batcher.batches(for: actions) { enqueue(.response(batch), to: peer) }
    }

    /// Marks every peer with queued items and no send in progress as sending, and returns them.
    func takeIdleOutboxes() -> [PeerID] {
        let idle = outboxes.filter { !$0.value.isSending && !$0.value.items.isEmpty }.map(\.key).sorted()
        for peer in idle { outboxes[peer]?.isSending = true }
        return idle
    }

    /// Sends `peer`'s queued items one after another until its queue is empty (run by `run()`'s group).
    func drainOutbox(of peer: PeerID) async {
        while let item = nextOutgoing(for: peer) {
            let message: BitswapMessage
            var sentBlocks: [Block] = []
            switch item {
            case .wants(let entries):
                message = BitswapMessage(wantlist: .init(entries: entries, full: false))
            case .response(let batch):
                var loaded: [CID: Block] = [:]
                for cid in batch.blocks {
                    if let block = await store.storedBlock(cid) { loaded[cid] = block }
                }
                sentBlocks = batch.blocks.compactMap { loaded[$0] }
                message = batch.message(loading: { loaded[$0] })
            }
            // Counted when handed to the messenger (as kubo counts), so stats never lag what a peer has seen.
            recordSent(sentBlocks, to: peer)
            do {
                try await messenger.send(message, to: peer)
            } catch {
                logger.debug("send failed", metadata: ["peer": "\(peer)", "error": "\(error)"])
                outboxes[peer] = nil
                await perform(scheduler.removePeer(peer, now: now()))
                return
            }
        }
    }

    /// Takes the next queued item for `peer`, or ends its sending turn when none is left.
    private func nextOutgoing(for peer: PeerID) -> OutgoingItem? {
        guard var outbox = outboxes[peer] else { return nil }
        guard !outbox.items.isEmpty else {
            outbox.isSending = false
            outboxes[peer] = outbox
            return nil
        }
        let item = outbox.items.removeFirst()
        if case .response(let batch) = item {
            outbox.queuedResponseByteCount = max(0, outbox.queuedResponseByteCount - batch.estimatedByteCount)
        }
        outboxes[peer] = outbox
        return item
    }

    /// Counts blocks sent to `peer`.
    private func recordSent(_ blocks: [Block], to peer: PeerID) {
        guard !blocks.isEmpty else { return }
        let bytes = blocks.reduce(0) { $0 + $1.data.count }
        counters.blocksSent += blocks.count
        counters.dataSent += bytes
        updateSummary(of: peer) { summary in
            summary.blocksSent += blocks.count
            summary.bytesSent += bytes
        }
    }
}
