import CairnTestSupport
import Testing

@testable import CairnDHT

/// The iterative lookup driven synchronously against a simulated network of seeded peers.
@Suite struct LookupStateMachineTests {
    /// 200 peers, each with a k = 20 routing table filled with every other peer (in a seeded order).
    struct SimulatedNetwork {
        let peers: [DHTPeerID]
        var tables: [DHTPeerID: RoutingTable] = [:]

        init(count: Int, seed: UInt64) {
            peers = DHTTestPeers.many(count, seed: seed)
            var rng = SeededRandom(seed: seed ^ 0xfeed)
            for peer in peers {
                var table = RoutingTable(localPeer: peer)
                for other in peers.shuffled(using: &rng) { _ = table.insert(other, now: DHTTestPeers.epoch) }
                tables[peer] = table
            }
        }

        func closerPeers(at peer: DHTPeerID, to target: KademliaKey) -> [DHTPeerID] {
            (tables[peer]?.closest(to: target, count: 20) ?? []).map(\.peer)
        }

        func trueClosest(to target: KademliaKey, excluding: Set<DHTPeerID>, count: Int = 20) -> [DHTPeerID] {
            Array(peers.filter { !excluding.contains($0) }.sorted { $0.kademliaKey.distance(to: target) < $1.kademliaKey.distance(to: target) }.prefix(count))
        }
    }

    /// Runs a lookup to completion, answering queries in a seeded random order; `failing` peers time out.
    static func run(
        _ lookup: inout LookupStateMachine, network: SimulatedNetwork, seeds: [DHTPeerID], failing: Set<DHTPeerID> = [],
        rng: inout SeededRandom, maximumInFlightSeen: inout Int
    ) -> [DHTPeerID]? {
        var pending: [DHTPeerID] = []
        var result: [DHTPeerID]?
        func apply(_ actions: [LookupStateMachine.Action]) {
            for action in actions {
                switch action {
                case .sendQuery(let peer): pending.append(peer)
                case .finished(let peers): result = peers
                }
            }
            maximumInFlightSeen = max(maximumInFlightSeen, pending.count)
        }
        apply(lookup.handle(.start(seeds: seeds)))
        while result == nil, !pending.isEmpty {
            let peer = pending.remove(at: Int.random(in: 0..<pending.count, using: &rng))
            if failing.contains(peer) {
                apply(lookup.handle(.failure(peer)))
            } else {
                apply(lookup.handle(.response(from: peer, closerPeers: network.closerPeers(at: peer, to: lookup.target))))
            }
        }
        return result
    }

    @Test(arguments: UInt64(0)..<6)
    func convergesOnTheTrueClosest(seed: UInt64) throws {
        let network = SimulatedNetwork(count: 200, seed: seed)
        var rng = SeededRandom(seed: seed + 500)
        for _ in 0..<4 {
            let origin = try #require(network.peers.randomElement(using: &rng))
            let target = KademliaKey(hashing: rng.bytes(20))
            var lookup = LookupStateMachine(target: target, excluding: [origin])
            var inFlight = 0
            let seeds = network.closerPeers(at: origin, to: target)
            let result = Self.run(&lookup, network: network, seeds: seeds, rng: &rng, maximumInFlightSeen: &inFlight)
            #expect(result == network.trueClosest(to: target, excluding: [origin]))
            #expect(inFlight <= 3)
            #expect(lookup.isFinished)
            #expect(lookup.queryCount < 200)
        }
    }

    /// Unresponsive peers are left out and the lookup still finds the closest responsive ones.
    @Test(arguments: UInt64(10)..<14)
    func convergesDespiteFailures(seed: UInt64) throws {
        let network = SimulatedNetwork(count: 200, seed: seed)
        var rng = SeededRandom(seed: seed)
        let failing = Set(network.peers.shuffled(using: &rng).prefix(20))
        let origin = try #require(network.peers.first { !failing.contains($0) })
        let target = KademliaKey(hashing: rng.bytes(20))
        var lookup = LookupStateMachine(target: target, excluding: [origin])
        var inFlight = 0
        let resultOrNil = Self.run(&lookup, network: network, seeds: network.closerPeers(at: origin, to: target), failing: failing, rng: &rng, maximumInFlightSeen: &inFlight)
        // A responder returns its k closest including dead peers, so a live peer ranked past k overall may be
        // named by nobody: the result is the true closest live peers up to that horizon, never a dead one.
        let result = try #require(resultOrNil)
        let expected = network.trueClosest(to: target, excluding: failing.union([origin]))
        #expect(result.count >= 15)
        #expect(Set(result).isDisjoint(with: failing))
        #expect(Array(result.prefix(15)) == Array(expected.prefix(15)))
        #expect(result == result.sorted { $0.kademliaKey.distance(to: target) < $1.kademliaKey.distance(to: target) })
    }

    /// The same inputs give the same actions (so a failing simulation replays from its seed).
    @Test func deterministic() {
        let network = SimulatedNetwork(count: 60, seed: 42)
        func trace() -> [LookupStateMachine.Action] {
            var lookup = LookupStateMachine(target: KademliaKey(hashing: [9]))
            var actions = lookup.handle(.start(seeds: Array(network.peers.prefix(5))))
            var index = 0
            while index < actions.count {
                if case .sendQuery(let peer) = actions[index] {
                    actions += lookup.handle(.response(from: peer, closerPeers: network.closerPeers(at: peer, to: lookup.target)))
                }
                index += 1
            }
            return actions
        }
        let first = trace()
        #expect(first == trace())
        #expect(first.last.map { if case .finished = $0 { true } else { false } } == true)
    }

    /// The query budget bounds a lookup; events after the end and from unknown peers are ignored.
    @Test func budgetAndIgnoredEvents() {
        let peers = DHTTestPeers.many(100, seed: 77)
        var lookup = LookupStateMachine(target: KademliaKey(hashing: [1]), configuration: DHTConfiguration(lookupConcurrency: 2, maximumQueriesPerLookup: 4))
        var actions = lookup.handle(.start(seeds: [peers[0], peers[1]]))
        #expect(actions.count == 2)
        expectEqual(lookup.handle(.response(from: peers[50], closerPeers: Array(peers[50...]))), [])  // not asked
        #expect(lookup.state(of: peers[50]) == nil)
        var round = 0
        while !lookup.isFinished && round < 8 {
            let queried = actions.compactMap { if case .sendQuery(let p) = $0 { p } else { nil } }
            actions = []
            for peer in queried { actions += lookup.handle(.response(from: peer, closerPeers: Array(peers[(round * 10 + 2)..<(round * 10 + 12)]))) }
            round += 1
        }
        #expect(lookup.isFinished)
        #expect(lookup.queryCount == 4)
        expectEqual(lookup.handle(.failure(peers[0])), [])
    }

    /// A small candidate cap evicts the farthest unqueried candidates and the lookup still ends correctly.
    @Test func candidateCapIsRespected() {
        let network = SimulatedNetwork(count: 120, seed: 8)
        let configuration = DHTConfiguration(maximumLookupCandidateCount: 25)
        var lookup = LookupStateMachine(target: KademliaKey(hashing: [4]), configuration: configuration)
        var rng = SeededRandom(seed: 8)
        var inFlight = 0
        let result = Self.run(&lookup, network: network, seeds: Array(network.peers.prefix(40)), rng: &rng, maximumInFlightSeen: &inFlight)
        #expect(result == network.trueClosest(to: lookup.target, excluding: []))
    }

    /// A lookup with no seeds finishes at once with nothing.
    @Test func noSeeds() {
        var lookup = LookupStateMachine(target: KademliaKey(hashing: [1]))
        expectEqual(lookup.handle(.start(seeds: [])), [.finished([])])
    }

    /// When every peer fails the result is empty.
    @Test func allFail() {
        let peers = DHTTestPeers.many(3, seed: 4)
        var lookup = LookupStateMachine(target: KademliaKey(hashing: [1]))
        let actions = lookup.handle(.start(seeds: peers))
        #expect(actions.count == 3)
        expectEqual(lookup.handle(.failure(peers[0])), [])
        expectEqual(lookup.handle(.failure(peers[1])), [])
        expectEqual(lookup.handle(.failure(peers[2])), [.finished([])])
    }
}
