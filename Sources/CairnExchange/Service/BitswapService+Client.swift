import CairnCore
import CairnCrypto

extension BitswapService {
    /// Returns the block `cid`: from the local store when held, else fetched from the session's peers and
    /// verified by hashing (the caller stores it).
    ///
    /// Several callers may wait for the same CID; it is asked for once. Cancelling the calling task withdraws
    /// its want (peers are sent a Cancel when nobody else waits).
    /// - Throws: `BitswapError.fetchStalled` naming `cid` when no wanted block arrived for `progressTimeout`,
    ///   `.wantlistFull` when too many blocks are wanted at once, `CancellationError` when cancelled.
    public func block(_ cid: CID) async throws -> Block {
        if let local = await store.storedBlock(cid) { return local }
        try Task.checkCancellation()
        let id = waiters.register()
        waitersByCID[cid, default: []].insert(id)
        if !scheduler.isWanted(cid) {
            do {
                await perform(try scheduler.addWants([cid], now: now()))
            } catch {
                await withdraw(id, from: cid)
                throw error
            }
        }
        let waiters = self.waiters
        do {
            return try await withTaskCancellationHandler {
                try await waiters.wait(id)
            } onCancel: {
                waiters.complete(id, with: .failure(CancellationError()))
            }
        } catch {
            await withdraw(id, from: cid)
            throw error
        }
    }

    /// Tells the engine that `cids` were just stored locally: peers whose wantlists hold them are sent them
    /// (or a Have), and our own callers waiting for them get them without waiting for a peer.
    public func notifyNewBlocks(_ cids: [CID]) async {
        var sizes: [CID: Int] = [:]
        for cid in cids where sizes[cid] == nil {
            if let size = await store.blockSize(cid) { sizes[cid] = size }
        }
        for peer in ledgers.keys.sorted() {
            guard var ledger = ledgers[peer] else { continue }
            let actions = ledger.blocksArrived(cids, have: { sizes[$0] })
            ledgers[peer] = ledger
            enqueueResponses(actions, to: peer)
        }
        for cid in cids where scheduler.isWanted(cid) {
            guard let block = await store.storedBlock(cid) else { continue }
            complete(cid, with: .success(block))
            await perform(scheduler.cancelWants([cid], now: now()))
        }
    }

    /// Removes one waiter of `cid`; the want itself is cancelled when it was the last.
    func withdraw(_ id: UInt64, from cid: CID) async {
        waiters.remove(id)
        guard var ids = waitersByCID[cid] else { return }
        ids.remove(id)
        if ids.isEmpty {
            waitersByCID[cid] = nil
            await perform(scheduler.cancelWants([cid], now: now()))
        } else {
            waitersByCID[cid] = ids
        }
    }
}
