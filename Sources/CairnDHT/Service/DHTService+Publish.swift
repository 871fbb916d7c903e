import CairnCore
import Foundation

/// Announcing content and storing records.
extension DHTService {
    /// Announces that this node provides the content named by `cid`: stores the record locally, looks up
    /// the k peers closest to its multihash and sends each an ADD_PROVIDER with our addresses (no reply is
    /// awaited, as go-libp2p-kad-dht sends none).
    /// - Returns: how many peers the announcement was written to.
    @discardableResult
    public func provide(_ cid: CID) async -> Int {
        await provide(cid.multihash)
    }

    /// Announces that this node provides the content with `multihash` (see `provide(_:)` for a CID).
    /// - Returns: how many peers the announcement was written to (0 for a key over 80 bytes).
    @discardableResult
    public func provide(_ multihash: Multihash) async -> Int {
        guard multihash.bytes.count <= configuration.dht.maximumProviderKeyByteCount else { return 0 }
        let me = await selfEntry()
        let announcement = DHTMessage.addProvider(multihash, provider: me)
        _ = server.handle(announcement, from: localPeer, routingTable: routingTable, now: clock.now())
        let closest = await lookup(key: multihash.bytes, request: DHTMessage(type: .findNode, key: multihash.bytes))
        return await deliver(announcement, to: closest, expectingReply: false)
    }

    /// Stores `record` locally and at the k peers closest to its key with PUT_VALUE.
    /// - Returns: how many peers echoed the record back (kubo's acknowledgement).
    /// - Throws: `DHTError` when the record fails validation (`.unsupportedRecordNamespace`,
    ///   `.publicKeyDoesNotMatchPeerID`, …) or our own record store is full.
    @discardableResult
    public func putValue(_ record: DHTRecord) async throws(DHTError) -> Int {
        let request = DHTMessage.putValue(DHTRecord(key: record.key, value: record.value))
        if case .reject(let error) = server.handle(request, from: localPeer, routingTable: routingTable, now: clock.now()) {
            throw error
        }
        let closest = await closestPeers(to: record.key)
        return await deliver(request, to: closest, expectingReply: true)
    }

    /// Announces every key `reprovideKeys` lists (at most `maximumReprovideKeyCount`, duplicates once),
    /// `maximumConcurrentProvides` at a time; `run()` calls it every `reprovideInterval`.
    /// - Returns: the number of keys announced.
    @discardableResult
    public func reprovide() async -> Int {
        var seen: Set<[UInt8]> = []
        let keys = await reprovideKeys().map(\.multihash).filter { seen.insert($0.bytes).inserted }
            .prefix(configuration.maximumReprovideKeyCount)
        var pending = keys.makeIterator()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<configuration.maximumConcurrentProvides {
                guard let key = pending.next() else { break }
                group.addTask { _ = await self.provide(key) }
            }
            while await group.next() != nil {
                if let key = pending.next() { group.addTask { _ = await self.provide(key) } }
            }
        }
        logger.debug("reprovided", metadata: ["keys": "\(keys.count)"])
        return keys.count
    }

    /// Sends `message` to every peer in `peers` at once (at most k), each under the request deadline.
    /// - Returns: how many succeeded (written, or answered with the echo when `expectingReply`).
    func deliver(_ message: DHTMessage, to peers: [DHTPeer], expectingReply: Bool) async -> Int {
        let (messenger, clock, timeout) = (messenger, clock, configuration.requestTimeout)
        let results = await withTaskGroup(of: (DHTPeer, Result<Bool, DHTError>).self) { group in
            for peer in peers.prefix(configuration.dht.bucketSize) {
                group.addTask {
                    guard expectingReply else {
                        do throws(DHTError) {
                            try await DHTDeadline.run(
                                clock: clock, limit: timeout, expiredError: .requestTimedOut(peer: peer.id, limit: timeout), abort: {}
                            ) { () async throws(DHTError) in try await messenger.send(message, to: peer) }
                            return (peer, .success(true))
                        } catch {
                            return (peer, .failure(error))
                        }
                    }
                    let reply = await Self.query(message, to: peer, messenger: messenger, clock: clock, timeout: timeout)
                    // kubo echoes the request (adding timeReceived); the echoed value is the acknowledgement.
                    return (peer, reply.map { $0.record?.value == message.record?.value })
                }
            }
            var results: [(DHTPeer, Result<Bool, DHTError>)] = []
            for await result in group { results.append(result) }
            return results
        }
        var delivered = 0
        for (peer, result) in results {
            switch result {
            case .success(let accepted):
                if expectingReply { noteResponded(peer) }
                if accepted { delivered += 1 }
            case .failure(let error):
                noteFailed(peer.id, error: error)
            }
        }
        return delivered
    }
}
