import CairnCore
import CairnCrypto
import Foundation
import Testing

@testable import CairnStorage

@Suite struct ReputationPlacementTests {
    @Test func betaScoreFallsAsLambdaToTheFailureCount() {
        // From the steady state of a perfect record, j failures give λ^j (notes §2 G): 41 at λ = 0.999 to DQ < 0.96.
        var reputation = BetaReputation(alpha: 1 / (1 - 0.999), beta: 0)
        var failures = 0
        while reputation.score >= 0.96 {
            reputation.record(success: false, lambda: 0.999)
            failures += 1
        }
        #expect(failures == 41)
    }

    @Test func policiesExcludeAfterTheDocumentedFailures() {
        for (policy, warnAt, excludeAt) in [(ReputationPolicy.standard, 3, 11), (.devnet, 1, 3)] {
            var card = ProviderScorecard(peer: "p")
            for _ in 0..<1000 { card.recordAudit(passed: true, latency: .milliseconds(5), at: Date(), policy: policy) }
            #expect(card.standing(policy) == .good)
            var failures = 0
            var warned: Int?
            while card.standing(policy) != .excluded, failures < 100 {
                card.recordAudit(passed: false, latency: nil, at: Date(), policy: policy)
                failures += 1
                if warned == nil, card.standing(policy) == .warning { warned = failures }
            }
            #expect(warned == warnAt)
            #expect(failures == excludeAt)
            // A provider that behaves again climbs back.
            for _ in 0..<300 { card.recordAudit(passed: true, latency: nil, at: Date(), policy: policy) }
            #expect(card.standing(policy) == .good)
        }
    }

    @Test func latencyHistogramPercentilesAndCompactCoding() throws {
        var histogram = LatencyHistogram()
        #expect(histogram.p50 == nil)
        for ms in 1...1000 { histogram.record(.milliseconds(ms)) }
        let p50 = try #require(histogram.p50)
        let p95 = try #require(histogram.p95)
        let p50ms: Double = Double(p50.components.seconds) * 1000 + Double(p50.components.attoseconds) / 1e15
        let p95ms: Double = Double(p95.components.seconds) * 1000 + Double(p95.components.attoseconds) / 1e15
        #expect(abs(p50ms - 500) < 5)
        #expect(abs(p95ms - 950) < 10)
        let data = try JSONEncoder().encode(histogram)
        #expect(data.count < 40_000)
        let decoded = try JSONDecoder().decode(LatencyHistogram.self, from: data)
        #expect(decoded == histogram)
        #expect(throws: (any Error).self) { _ = try JSONDecoder().decode(LatencyHistogram.self, from: Data("{\"x\":1}".utf8)) }
    }

    @Test func uptimeCountsContactsAndFailures() {
        var uptime = UptimeTracker()
        #expect(uptime.ratio == 1)
        let now = Date()
        for index in 0..<10 { uptime.record(reachable: index % 2 == 0, at: now, lambda: 1) }
        #expect(abs(uptime.ratio - 0.5) < 1e-9)
        #expect(uptime.consecutiveFailures == 1)
        #expect(uptime.lastSeen == now)
    }

    static func candidate(_ address: String, score: Double = 1, free: UInt64 = 1 << 30, standing: ProviderStanding = .good) throws -> ProviderCandidate {
        let peer = PrivateKey.generateEd25519().publicKey.peerID
        return ProviderCandidate(peer: peer, domain: FailureDomain.of([try Multiaddr(address)], peer: peer), freeByteCount: free,
                                 score: score, standing: standing)
    }

    @Test func failureDomainsAreSlash24AndSlash64() throws {
        let peer = PrivateKey.generateEd25519().publicKey.peerID
        #expect(FailureDomain.of([try Multiaddr("/ip4/10.1.2.3/tcp/1")], peer: peer) == FailureDomain.of([try Multiaddr("/ip4/10.1.2.200/tcp/9")], peer: peer))
        #expect(FailureDomain.of([try Multiaddr("/ip4/10.1.2.3/tcp/1")], peer: peer) != FailureDomain.of([try Multiaddr("/ip4/10.1.3.3/tcp/1")], peer: peer))
        #expect(FailureDomain.of([try Multiaddr("/ip6/2001:db8:1:2::1/tcp/1")], peer: peer) == FailureDomain.of([try Multiaddr("/ip6/2001:db8:1:2:ffff::9/tcp/1")], peer: peer))
        #expect(FailureDomain.of([try Multiaddr("/ip6/2001:db8:1:2::1/tcp/1")], peer: peer) != FailureDomain.of([try Multiaddr("/ip6/2001:db8:1:3::1/tcp/1")], peer: peer))
    }

    @Test func placementRespectsDomainsStandingSpaceAndExclusions() throws {
        var candidates: [ProviderCandidate] = []
        for subnet in 0..<6 {
            for host in 1...3 { candidates.append(try Self.candidate("/ip4/10.0.\(subnet).\(host)/tcp/4001")) }
        }
        candidates.append(try Self.candidate("/ip4/10.9.0.1/tcp/1", standing: .excluded))
        candidates.append(try Self.candidate("/ip4/10.9.1.1/tcp/1", free: 10))
        var generator = SplitMix(seed: 11)
        for _ in 0..<200 {
            let chosen = PlacementSelector.choose(count: 10, from: candidates, byteCount: 1 << 20, excludedPeers: [candidates[0].peer],
                                                  usedDomains: [candidates[3].domain], policy: PlacementPolicy(), using: &generator)
            // 6 subnets, one already used: at most 5, one per /24.
            #expect(chosen.count == 5)
            #expect(Set(chosen.map(\.domain)).count == chosen.count)
            #expect(!chosen.contains { $0.domain == candidates[3].domain || $0.standing == .excluded || $0.freeByteCount < 1 << 20 })
            #expect(!chosen.contains { $0.peer == candidates[0].peer })
        }
        let shared = PlacementSelector.choose(count: 10, from: candidates, byteCount: 1 << 20, excludedPeers: [], usedDomains: [],
                                              policy: .devnet, using: &generator)
        #expect(shared.count == 10)
        #expect(Set(shared.map(\.peer)).count == 10)
    }

    @Test func placementFavoursHigherScores() throws {
        let good = try Self.candidate("/ip4/10.0.0.1/tcp/1", score: 1.0)
        let poor = try Self.candidate("/ip4/10.0.1.1/tcp/1", score: 0.25)
        var generator = SplitMix(seed: 12)
        var goodFirst = 0
        for _ in 0..<10_000 {
            let chosen = PlacementSelector.choose(count: 1, from: [good, poor], byteCount: 0, excludedPeers: [], usedDomains: [],
                                                  policy: PlacementPolicy(), using: &generator)
            if chosen.first?.peer == good.peer { goodFirst += 1 }
        }
        // Efraimidis–Spirakis: P(first = good) = w_good / (w_good + w_poor) = 0.8.
        #expect(abs(Double(goodFirst) / 10_000 - 0.8) < 0.02)
    }
}
