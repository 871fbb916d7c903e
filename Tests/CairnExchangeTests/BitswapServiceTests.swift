import CairnCore
import CairnCrypto
import Testing

@testable import CairnExchange

/// A messenger that hands every sent message to the test, in order.
struct CapturingMessenger: BitswapMessenger {
    let sent: AsyncStream<(PeerID, BitswapMessage)>
    private let continuation: AsyncStream<(PeerID, BitswapMessage)>.Continuation

    init() { (sent, continuation) = AsyncStream.makeStream(of: (PeerID, BitswapMessage).self) }

    func send(_ message: BitswapMessage, to peer: PeerID) async throws { continuation.yield((peer, message)) }
}

/// One `BitswapService` against a capturing messenger: server answers and client want bookkeeping.
@Suite struct BitswapServiceTests {
    static let peers = ExchangeTestPeers.many(2, seed: 5)
    static let small = ExchangeTestPeers.block(1, byteCount: 100)
    static let large = ExchangeTestPeers.block(2, byteCount: 5000)
    static let missing = ExchangeTestPeers.block(3, byteCount: 200)

    /// Runs `body` with a running service over `store`, then stops it.
    static func withService(
        store: DictionaryBlockStore, configuration: BitswapConfiguration = .default,
        _ body: (BitswapService, AsyncStream<(PeerID, BitswapMessage)>.AsyncIterator) async throws -> Void
    ) async throws {
        let messenger = CapturingMessenger()
        let service = BitswapService(messenger: messenger, store: store, configuration: configuration, clock: ContinuousClock())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await service.run() }
            do {
                try await body(service, messenger.sent.makeAsyncIterator())
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    @Test func answersWantsAsKuboDoes() async throws {
        let store = DictionaryBlockStore([Self.small, Self.large])
        try await Self.withService(store: store) { service, sent in
            var sent = sent
            await service.receive(BitswapMessage(wantlist: .init(entries: [
                .init(cid: Self.small.cid, priority: 9, wantType: .have),
                .init(cid: Self.large.cid, priority: 8, wantType: .have),
                .init(cid: Self.missing.cid, priority: 7, wantType: .block, sendDontHave: true),
                .init(cid: ExchangeTestPeers.block(4).cid, priority: 6, wantType: .have),
            ])), from: Self.peers[0])
            let (peer, message) = try #require(await sent.next())
            #expect(peer == Self.peers[0])
            #expect(message == BitswapMessage(
                wantlist: .init(), payload: [.init(Self.small)],
                blockPresences: [.init(cid: Self.large.cid, type: .have), .init(cid: Self.missing.cid, type: .dontHave)]))
            let stats = await service.stats()
            #expect(stats.blocksSent == 1 && stats.dataSent == 100)
            #expect(stats.ledgers.map(\.wantlistCount) == [2])   // the two unanswered wants stay
        }
    }

    @Test func aBlockStoredLaterIsSentToThePeerThatWantedIt() async throws {
        let store = DictionaryBlockStore()
        try await Self.withService(store: store) { service, sent in
            var sent = sent
            await service.receive(BitswapMessage(wantlist: .init(entries: [
                .init(cid: Self.missing.cid, wantType: .block, sendDontHave: true),
            ])), from: Self.peers[0])
            #expect(await sent.next()?.1.blockPresences == [.init(cid: Self.missing.cid, type: .dontHave)])
            store.put(Self.missing)
            await service.notifyNewBlocks([Self.missing.cid])
            #expect(await sent.next()?.1.payload == [.init(Self.missing)])
        }
    }

    @Test func aCancelledFetchSendsCancelAndALocalBlockNeedsNoNetwork() async throws {
        let store = DictionaryBlockStore([Self.small])
        try await Self.withService(store: store) { service, sent in
            var sent = sent
            #expect(try await service.block(Self.small.cid) == Self.small)
            await service.handle(.connected(Self.peers[1]))
            let fetch = Task { try await service.block(Self.missing.cid) }
            let (_, wants) = try #require(await sent.next())
            #expect(wants.wantlist?.entries == [
                .init(cid: Self.missing.cid, priority: FetchScheduler.priority(0), wantType: .block, sendDontHave: true),
            ])
            fetch.cancel()
            await #expect(throws: CancellationError.self) { try await fetch.value }
            #expect(await sent.next()?.1.wantlist?.entries == [FetchScheduler.cancelEntry(Self.missing.cid)])
            #expect(await service.stats().wantlist.isEmpty)
        }
    }

    @Test func aBlockStoredLocallyCompletesAPendingFetch() async throws {
        let store = DictionaryBlockStore()
        try await Self.withService(store: store) { service, sent in
            var sent = sent
            await service.handle(.connected(Self.peers[1]))
            async let fetched = service.block(Self.missing.cid)
            _ = await sent.next()   // the want went out
            store.put(Self.missing)
            await service.notifyNewBlocks([Self.missing.cid])
            let block = try await fetched
            #expect(block == Self.missing)
        }
    }

    @Test func responsesOverThePeersQueueLimitAreDropped() async throws {
        let blocks = (10..<14).map { ExchangeTestPeers.block($0, byteCount: 5000) }
        let configuration = BitswapConfiguration(targetOutgoingMessageByteCount: 6000,
                                                 maximumQueuedResponseByteCountPerPeer: 12000)
        try await Self.withService(store: DictionaryBlockStore(blocks), configuration: configuration) { service, sent in
            var sent = sent
            await service.receive(BitswapMessage(wantlist: .init(entries: blocks.map { .init(cid: $0.cid, wantType: .block) })),
                                  from: Self.peers[0])
            // Each block is its own ~5 kB batch; two fit under 12 kB, the other two are dropped.
            #expect(await sent.next()?.1.payload == [.init(blocks[0])])
            #expect(await sent.next()?.1.payload == [.init(blocks[1])])
            let stats = await service.stats()
            #expect(stats.droppedResponseCount == 2 && stats.blocksSent == 2)
        }
    }

    /// The next `count` captured messages, keyed by peer (their order across peers is not defined).
    static func next(_ count: Int, from sent: inout AsyncStream<(PeerID, BitswapMessage)>.AsyncIterator)
        async -> [PeerID: [BitswapMessage.WantlistEntry]] {
        var result: [PeerID: [BitswapMessage.WantlistEntry]] = [:]
        for _ in 0..<count {
            guard let (peer, message) = await sent.next() else { break }
            result[peer, default: []] += message.wantlist?.entries ?? []
        }
        return result
    }

    @Test func timeoutsReAskThenStallOnAManualClock() async throws {
        let clock = ManualClock()
        let messenger = CapturingMessenger()
        let configuration = FetchConfiguration(wantTimeout: .seconds(5), progressTimeout: .seconds(12), tickInterval: .seconds(1))
        let service = BitswapService(messenger: messenger, store: DictionaryBlockStore(), fetchConfiguration: configuration, clock: clock)
        let (a, b) = (Self.peers[0], Self.peers[1])
        let cid = Self.missing.cid
        let wantBlock = BitswapMessage.WantlistEntry(cid: cid, priority: FetchScheduler.priority(0), wantType: .block, sendDontHave: true)
        let wantHave = BitswapMessage.WantlistEntry(cid: cid, priority: FetchScheduler.priority(0), wantType: .have, sendDontHave: true)
        let cancel = FetchScheduler.cancelEntry(cid)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await service.run() }
            var sent = messenger.sent.makeAsyncIterator()
            await service.handle(.connected(a))
            await service.handle(.connected(b))
            let fetch = Task { try await service.block(cid) }
            #expect(await Self.next(2, from: &sent) == [a: [wantBlock], b: [wantHave]])

            await clock.waitForSleeper()
            clock.advance(by: .seconds(5))   // a let it time out: b is asked
            #expect(await Self.next(2, from: &sent) == [a: [cancel], b: [wantBlock]])

            await clock.waitForSleeper()
            clock.advance(by: .seconds(5))   // b too: everyone was tried, so a gets another chance
            #expect(await Self.next(2, from: &sent) == [a: [wantBlock], b: [cancel]])

            await clock.waitForSleeper()
            clock.advance(by: .seconds(2))   // twelve seconds without a block: the fetch fails naming the CID
            await #expect(throws: BitswapError.fetchStalled(cid: cid, after: .seconds(12))) { try await fetch.value }
            group.cancelAll()
        }
    }
}
