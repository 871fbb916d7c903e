import CairnCore
import Testing

@testable import CairnExchange

/// The server decision and wantlist rules, driven synchronously.
@Suite struct PeerLedgerTests {
    typealias V = BitswapTestVectors
    typealias Entry = BitswapMessage.WantlistEntry

    static let small = V.helloRawCID       // held, 12 bytes
    static let exact = V.syntheticCID(1)   // held, exactly 1024 bytes
    static let large = V.syntheticCID(2)   // held, 1025 bytes
    static let missing = V.emptyRawCID     // not held

    static func have(_ cid: CID) -> Int? {
        switch cid {
        case small: 12
        case exact: 1024
        case large: 1025
        default: nil
        }
    }

    @Test func wantHaveOfSmallBlockIsAnsweredWithTheBlock() throws {
        var ledger = PeerLedger()
        let actions = try ledger.receive(.init(entries: [
            Entry(cid: Self.small, priority: 10, wantType: .have),
            Entry(cid: Self.exact, priority: 9, wantType: .have),
            Entry(cid: Self.large, priority: 8, wantType: .have),
        ]), have: Self.have)
        #expect(actions == [.sendBlock(Self.small, byteCount: 12), .sendBlock(Self.exact, byteCount: 1024), .sendHave(Self.large)])
        #expect(ledger.wantlist.isEmpty)
    }

    @Test func wantBlockSendsTheBlock() throws {
        var ledger = PeerLedger()
        let actions = try ledger.receive(.init(entries: [Entry(cid: Self.large, wantType: .block)]), have: Self.have)
        #expect(actions == [.sendBlock(Self.large, byteCount: 1025)])
    }

    @Test func dontHaveOnlyWhenAsked() throws {
        var ledger = PeerLedger()
        // Kubo's broadcast: want-have, priority Int32.max, no sendDontHave → silence.
        let broadcast = try ledger.receive(.init(entries: [Entry(cid: Self.missing, priority: .max, wantType: .have)]), have: Self.have)
        #expect(broadcast.isEmpty)
        let asked = try ledger.receive(.init(entries: [
            Entry(cid: Self.missing, wantType: .block, sendDontHave: true),
        ]), have: Self.have)
        #expect(asked == [.sendDontHave(Self.missing)])
        // The unanswered want stays, and is served once the block arrives (without a second DontHave first).
        #expect(ledger.wantlist.want(for: Self.missing)?.wantType == .block)
        #expect(ledger.blocksArrived([Self.missing], have: { _ in nil }).isEmpty)
        #expect(ledger.blocksArrived([Self.missing], have: { _ in 5 }) == [.sendBlock(Self.missing, byteCount: 5)])
        #expect(ledger.wantlist.isEmpty)
    }

    @Test func cancelRemovesTheWant() throws {
        var ledger = PeerLedger()
        _ = try ledger.receive(.init(entries: [Entry(cid: Self.missing)]), have: Self.have)
        #expect(ledger.wantlist.count == 1)
        let actions = try ledger.receive(.init(entries: [Entry(cid: Self.missing, cancel: true)]), have: Self.have)
        #expect(actions.isEmpty)
        #expect(ledger.wantlist.isEmpty)
        #expect(ledger.blocksArrived([Self.missing], have: { _ in 5 }).isEmpty)
    }

    @Test func fullUpdateReplacesTheWantlist() throws {
        var wantlist = PeerWantlist(maximumEntryCount: 10)
        _ = try wantlist.apply(.init(entries: [Entry(cid: V.syntheticCID(10)), Entry(cid: V.syntheticCID(11))]))
        _ = try wantlist.apply(.init(entries: [Entry(cid: V.syntheticCID(12))], full: false))
        #expect(wantlist.count == 3)
        _ = try wantlist.apply(.init(entries: [Entry(cid: V.syntheticCID(13))], full: true))
        #expect(wantlist.wantsByPriority.map(\.cid) == [V.syntheticCID(13)])
        _ = try wantlist.apply(.init(entries: [], full: true))
        #expect(wantlist.isEmpty)
    }

    @Test func wantBlockSupersedesWantHave() throws {
        var wantlist = PeerWantlist(maximumEntryCount: 10)
        let cid = Self.missing
        _ = try wantlist.apply(.init(entries: [Entry(cid: cid, priority: 1, wantType: .have)]))
        _ = try wantlist.apply(.init(entries: [Entry(cid: cid, priority: 2, wantType: .block)]))
        #expect(wantlist.want(for: cid)?.wantType == .block)
        // A later want-have does not downgrade it, and the recorded want-block is what gets answered.
        let touched = try wantlist.apply(.init(entries: [Entry(cid: cid, priority: 3, wantType: .have)]))
        #expect(touched.map(\.wantType) == [.block])
        #expect(wantlist.want(for: cid)?.priority == 2)
    }

    @Test func servedInPriorityOrderTiesInArrivalOrder() throws {
        var wantlist = PeerWantlist(maximumEntryCount: 10)
        let cids = (20..<25).map(V.syntheticCID)
        _ = try wantlist.apply(.init(entries: [
            Entry(cid: cids[0], priority: 1), Entry(cid: cids[1], priority: 5), Entry(cid: cids[2], priority: 1),
            Entry(cid: cids[3], priority: .max), Entry(cid: cids[4], priority: -3),
        ]))
        #expect(wantlist.wantsByPriority.map(\.cid) == [cids[3], cids[1], cids[0], cids[2], cids[4]])
    }

    @Test func overflowingUpdateIsRefusedWhole() throws {
        var wantlist = PeerWantlist(maximumEntryCount: 2)
        _ = try wantlist.apply(.init(entries: [Entry(cid: V.syntheticCID(30))]))
        let before = wantlist
        #expect(throws: BitswapError.wantlistTooLarge(count: 3, limit: 2)) {
            try wantlist.apply(.init(entries: [Entry(cid: V.syntheticCID(31)), Entry(cid: V.syntheticCID(32))]))
        }
        #expect(wantlist == before)
        // A full update may bring a long list down under the limit.
        _ = try wantlist.apply(.init(entries: [Entry(cid: V.syntheticCID(31)), Entry(cid: V.syntheticCID(32))], full: true))
        #expect(wantlist.count == 2)
    }

    @Test func blocksOverTheLimitAreTreatedAsAbsent() throws {
        var ledger = PeerLedger(configuration: .init(maximumBlockByteCount: 1000))
        let actions = try ledger.receive(.init(entries: [
            Entry(cid: Self.large, wantType: .block, sendDontHave: true),
        ]), have: Self.have)
        #expect(actions == [.sendDontHave(Self.large)])
    }

    @Test func batchesAboutTwoMiB() {
        let batcher = ResponseBatcher()
        let mebibyte = 1 << 20
        let actions: [PeerLedger.Action] = (0..<5).map { .sendBlock(V.syntheticCID($0), byteCount: mebibyte) }
            + [.sendHave(V.syntheticCID(40)), .sendDontHave(V.syntheticCID(41))]
        let batches = batcher.batches(for: actions)
        // Two 1 MiB blocks plus overhead exceed 2 MiB, so each message carries one block; presences ride along.
        #expect(batches.map(\.blocks.count) == [1, 1, 1, 1, 1])
        #expect(batches.last?.presences.map(\.type) == [.have, .dontHave])
        #expect(batches.allSatisfy { $0.estimatedByteCount <= BitswapConfiguration.default.targetOutgoingMessageByteCount })
        let smallBlocks: [PeerLedger.Action] = (0..<1000).map { .sendBlock(V.syntheticCID($0), byteCount: 4096) }
        let smallBatches = batcher.batches(for: smallBlocks)
        #expect(smallBatches.count == 2)
        #expect(smallBatches.flatMap(\.blocks) == (0..<1000).map(V.syntheticCID))
        #expect(batcher.batches(for: []).isEmpty)
    }

    @Test func wantHaveForHelloWorldGetsKubosExactResponse() throws {
        // The same exchange kubo 0.22 answered: a want-have for the 12-byte raw block comes back as the block.
        var ledger = PeerLedger()
        let hello = try Block(cid: V.helloRawCID, data: V.helloData)
        let actions = try ledger.receive(.init(entries: [Entry(cid: hello.cid, priority: .max, wantType: .have)]),
                                         have: { $0 == hello.cid ? hello.data.count : nil })
        let batches = ResponseBatcher().batches(for: actions)
        #expect(batches.count == 1)
        let message = try #require(batches.first).message(loading: { $0 == hello.cid ? hello : nil })
        #expect(message.encoded() == BitswapMessageTests.kuboSmallBlockPayload)
        #expect(ResponseBatcher.Batch().message(loading: { _ in nil }).encoded() == [0x0a, 0x00])
    }

    @Test func batchedMessagesRespectTheReceiveLimit() throws {
        // Build real messages from batches of maximal blocks and check each decodes under the default limits.
        let data = Array(repeating: UInt8(7), count: 2 << 20)
        let block = try Block(data: data, codec: .raw, version: .v1)
        let batches = ResponseBatcher().batches(for: [.sendBlock(block.cid, byteCount: data.count),
                                                       .sendBlock(block.cid, byteCount: data.count)])
        #expect(batches.count == 2)
        for batch in batches {
            let message = BitswapMessage(wantlist: .init(), payload: batch.blocks.map { _ in .init(block) })
            let decoded = try BitswapMessage(decoding: message.encoded())
            #expect(try decoded.payload.first?.verifiedBlock(wanted: block.cid) == block)
        }
    }
}
