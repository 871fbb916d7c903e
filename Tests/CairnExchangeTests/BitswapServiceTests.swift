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
}
