import CairnCore
import CairnCrypto
import Testing

@testable import CairnExchange

/// The client's fetch decisions, driven synchronously with explicit times.
@Suite struct FetchSchedulerTests {
    typealias Action = FetchScheduler.Action
    typealias Entry = BitswapMessage.WantlistEntry

    static let peers = ExchangeTestPeers.many(4, seed: 7)
    static let (a, b, c) = (peers[0], peers[1], peers[2])

    static func blocks(_ count: Int) -> [Block] { (0..<count).map { ExchangeTestPeers.block($0) } }

    /// The want-blocks each action sends, per peer.
    static func wantBlocks(_ actions: [Action]) -> [PeerID: [CID]] {
        var result: [PeerID: [CID]] = [:]
        for case .sendWants(let peer, let entries) in actions {
            result[peer, default: []] += entries.filter { !$0.cancel && $0.wantType == .block }.map(\.cid)
        }
        return result
    }

    static func entries(_ actions: [Action], to peer: PeerID) -> [Entry] {
        actions.flatMap { action -> [Entry] in
            if case .sendWants(peer, let entries) = action { return entries }
            return []
        }
    }

    static func scheduler(_ configuration: FetchConfiguration = .init(), peers: [PeerID]) -> FetchScheduler {
        var scheduler = FetchScheduler(configuration: configuration)
        for peer in peers { _ = scheduler.addPeer(peer, now: .zero) }
        return scheduler
    }

    @Test func wantsAreSpreadOverPeersWithWantHaveToTheOthers() throws {
        var scheduler = Self.scheduler(peers: [Self.a, Self.b, Self.c])
        let cids = Self.blocks(6).map(\.cid)
        let actions = try scheduler.addWants(cids, now: .zero)
        let assigned = Self.wantBlocks(actions)
        #expect(assigned.values.map(\.count).sorted() == [2, 2, 2])
        #expect(Set(assigned.values.flatMap { $0 }) == Set(cids))
        for peer in [Self.a, Self.b, Self.c] {
            let entries = Self.entries(actions, to: peer)
            // Every CID reaches every peer once: a want-block to its chosen peer, a want-have to the others.
            #expect(Set(entries.map(\.cid)) == Set(cids) && entries.count == 6)
            #expect(entries.allSatisfy { $0.sendDontHave && !$0.cancel })
        }
    }

    @Test func inFlightPerPeerIsBounded() throws {
        var scheduler = Self.scheduler(.init(maximumInFlightPerPeer: 4), peers: [Self.a])
        let blocks = Self.blocks(10)
        let actions = try scheduler.addWants(blocks.map(\.cid), now: .zero)
        #expect(Self.wantBlocks(actions)[Self.a] == blocks.prefix(4).map(\.cid))
        let (outcome, next) = scheduler.receivedBlock(blocks[0], from: Self.a, now: .milliseconds(5))
        #expect(outcome == .wanted)
        #expect(next.first == .deliver(blocks[0], from: Self.a))
        #expect(Self.wantBlocks(next)[Self.a] == [blocks[4].cid])
        #expect(scheduler.inFlight(at: Self.a).count == 4)
    }

    @Test func fastPeersGetMoreWork() throws {
        let configuration = FetchConfiguration(maximumInFlightPerPeer: 32, averagingWeight: 1)
        var scheduler = Self.scheduler(configuration, peers: [Self.a, Self.b])
        let warmUp = Self.blocks(2)
        let first = Self.wantBlocks(try scheduler.addWants(warmUp.map(\.cid), now: .zero))
        #expect(first[Self.a] == [warmUp[0].cid] && first[Self.b] == [warmUp[1].cid])
        _ = scheduler.receivedBlock(warmUp[1], from: Self.b, now: .milliseconds(10))   // b: 10 ms
        _ = scheduler.receivedBlock(warmUp[0], from: Self.a, now: .seconds(1))         // a: 1 s
        let work = (100..<140).map { ExchangeTestPeers.block($0).cid }
        let assigned = Self.wantBlocks(try scheduler.addWants(work, now: .seconds(1)))
        #expect(assigned[Self.b]?.count == 32)   // the fast peer fills up first
        #expect(assigned[Self.a]?.count == 8)    // the slow one only gets the overflow
        #expect(assigned[Self.b] == Array(work.prefix(32)))
    }

    @Test func aTimedOutWantIsCancelledAndReAskedElsewhere() throws {
        var scheduler = Self.scheduler(.init(wantTimeout: .seconds(5)), peers: [Self.a, Self.b])
        let cid = Self.blocks(1)[0].cid
        #expect(Self.wantBlocks(try scheduler.addWants([cid], now: .zero))[Self.a] == [cid])
        #expect(scheduler.tick(now: .seconds(4)).isEmpty)
        let actions = scheduler.tick(now: .seconds(5))
        #expect(Self.entries(actions, to: Self.a) == [FetchScheduler.cancelEntry(cid)])
        #expect(Self.wantBlocks(actions)[Self.b] == [cid])
        #expect(scheduler.blockPeer(for: cid) == Self.b)
        // When every peer timed out, the first is tried again rather than waiting for the stall timeout.
        #expect(Self.wantBlocks(scheduler.tick(now: .seconds(10)))[Self.a] == [cid])
    }

    @Test func dontHaveReAsksAndHaveIsPreferred() throws {
        var scheduler = Self.scheduler(peers: [Self.a, Self.b, Self.c])
        let cid = Self.blocks(1)[0].cid
        #expect(Self.wantBlocks(try scheduler.addWants([cid], now: .zero))[Self.a] == [cid])
        #expect(scheduler.receivedPresence(.init(cid: cid, type: .have), from: Self.c, now: .milliseconds(1)).isEmpty)
        let actions = scheduler.receivedPresence(.init(cid: cid, type: .dontHave), from: Self.a, now: .milliseconds(2))
        // b would be next by score, but c said Have.
        #expect(Self.wantBlocks(actions) == [Self.c: [cid]])
        #expect(scheduler.inFlight(at: Self.a).isEmpty)
    }

    @Test func junkBlocksDropAndBanThePeerAndItsWantsMove() throws {
        var scheduler = Self.scheduler(.init(maximumUnwantedBlockCountPerPeer: 2), peers: [Self.a, Self.b])
        let cid = Self.blocks(1)[0].cid
        _ = try scheduler.addWants([cid], now: .zero)
        #expect(scheduler.blockPeer(for: cid) == Self.a)
        let junk = (50..<53).map { ExchangeTestPeers.block($0) }
        #expect(scheduler.receivedBlock(junk[0], from: Self.a, now: .zero) == (.unwanted, []))
        #expect(scheduler.receivedInvalidBlock(from: Self.a, now: .zero).isEmpty)
        let (outcome, actions) = scheduler.receivedBlock(junk[2], from: Self.a, now: .zero)
        #expect(outcome == .unwanted)
        #expect(actions.first == .dropPeer(Self.a, .unwantedBlocks(count: 3)))
        #expect(Self.wantBlocks(actions)[Self.b] == [cid])
        #expect(scheduler.isBanned(Self.a) && scheduler.sessionPeers == [Self.b])
        #expect(scheduler.addPeer(Self.a, now: .zero).isEmpty && scheduler.sessionPeers == [Self.b])
    }

    @Test func aDeliveredBlockCancelsTheOthersAndLateCopiesAreDuplicates() throws {
        var scheduler = Self.scheduler(peers: [Self.a, Self.b, Self.c])
        let block = Self.blocks(1)[0]
        _ = try scheduler.addWants([block.cid], now: .zero)
        let (outcome, actions) = scheduler.receivedBlock(block, from: Self.b, now: .milliseconds(3))
        #expect(outcome == .wanted)
        #expect(actions == [
            .deliver(block, from: Self.b),
            .sendWants(Self.a, [FetchScheduler.cancelEntry(block.cid)]),
            .sendWants(Self.c, [FetchScheduler.cancelEntry(block.cid)]),
        ])
        #expect(scheduler.inFlight(at: Self.a).isEmpty && scheduler.wantCount == 0)
        #expect(scheduler.receivedBlock(block, from: Self.a, now: .milliseconds(4)) == (.duplicate, []))
        #expect(scheduler.peerSummaries.allSatisfy { $0.unwantedBlockCount == 0 })
    }

    @Test func callerCancelsAreSentToEveryPeerAsked() throws {
        var scheduler = Self.scheduler(peers: [Self.a, Self.b])
        let cid = Self.blocks(1)[0].cid
        _ = try scheduler.addWants([cid], now: .zero)
        #expect(scheduler.cancelWants([cid], now: .zero) == [
            .sendWants(Self.a, [FetchScheduler.cancelEntry(cid)]), .sendWants(Self.b, [FetchScheduler.cancelEntry(cid)]),
        ])
    }

    @Test func aVanishedPeersWantsMoveAndNewPeersAreAsked() throws {
        var scheduler = Self.scheduler(peers: [Self.a, Self.b])
        let cids = Self.blocks(2).map(\.cid)
        _ = try scheduler.addWants(cids, now: .zero)
        let moved = scheduler.removePeer(Self.a, now: .zero)
        #expect(Self.wantBlocks(moved)[Self.b] == [cids[0]])
        let joined = scheduler.addPeer(Self.c, now: .zero)
        #expect(Self.entries(joined, to: Self.c).map(\.wantType) == [.have, .have])
    }

    @Test func wantsWithoutProgressStallNamingTheCID() throws {
        var scheduler = Self.scheduler(.init(wantTimeout: .seconds(100), progressTimeout: .seconds(30)), peers: [Self.a])
        let blocks = Self.blocks(2)
        _ = try scheduler.addWants([blocks[0].cid], now: .zero)
        _ = try scheduler.addWants([blocks[1].cid], now: .seconds(20))
        let actions = scheduler.tick(now: .seconds(30))
        #expect(actions.last == .stalled([blocks[0].cid], after: .seconds(30)))
        #expect(scheduler.wantedCIDs == [blocks[1].cid])
        #expect(scheduler.tick(now: .seconds(50)).last == .stalled([blocks[1].cid], after: .seconds(50)))
    }

    @Test func theWantlistIsBounded() throws {
        var scheduler = Self.scheduler(.init(maximumWantCount: 3), peers: [Self.a])
        #expect(throws: BitswapError.wantlistFull(limit: 3)) {
            _ = try scheduler.addWants(Self.blocks(4).map(\.cid), now: .zero)
        }
        #expect(scheduler.wantCount == 0)
    }

    @Test func aBlockSentUnderAnotherCIDVersionIsDeliveredAsWanted() throws {
        var scheduler = Self.scheduler(peers: [Self.a])
        let data = Array("same bytes".utf8)
        let v1 = try Block(data: data, codec: .dagPB, version: .v1)
        let v0 = Block(hashed: data, cid: try #require(v1.cid.v0))
        _ = try scheduler.addWants([v0.cid], now: .zero)
        let (outcome, actions) = scheduler.receivedBlock(v1, from: Self.a, now: .zero)
        #expect(outcome == .wanted)
        #expect(actions.first == .deliver(v0, from: Self.a))
    }
}
