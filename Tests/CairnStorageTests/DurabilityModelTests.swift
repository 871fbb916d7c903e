import CairnPrivate
import Foundation
import Testing

@testable import CairnStorage

/// The durability math against the published figures of reliability-notes §2.2 (computed there with
/// mpmath and checked by Monte Carlo): 2 %/day churn, daily repair.
@Suite struct DurabilityModelTests {
    static func close(_ value: Double, _ expected: Double, tolerance: Double = 0.1) -> Bool {
        abs(value - expected) <= expected * tolerance
    }

    @Test func eagerRepairMatchesTheNotes() {
        #expect(Self.close(DurabilityModel.eagerAnnualLoss(k: 4, n: 8, p: 0.02, intervalsPerYear: 365), 6.2e-5))
        #expect(Self.close(DurabilityModel.eagerAnnualLoss(k: 10, n: 20, p: 0.02, intervalsPerYear: 365), 1.1e-11))
    }

    @Test func lazyRepairMatchesTheNotes() {
        let cases: [(k: Int, n: Int, m: Int, r: Double, expected: Double)] = [
            (4, 8, 6, 1, 1.0e-3), (4, 8, 5, 1, 2.1e-2), (10, 20, 14, 1, 1.9e-5), (10, 20, 12, 1, 5.6e-3),
            (29, 80, 35, 1, 5.9e-6), (29, 80, 41, 1, 6.7e-13), (10, 20, 14, 0.9, 2.3e-4), (10, 20, 14, 0.5, 2.2e-2),
        ]
        for c in cases {
            let loss = DurabilityModel.lazyAnnualLoss(k: c.k, n: c.n, m: c.m, p: 0.02, intervalsPerYear: 365, repairSuccess: c.r)
            #expect(Self.close(loss, c.expected, tolerance: 0.12), "\(c.k)/\(c.n) m=\(c.m) r=\(c.r): \(loss) vs \(c.expected)")
        }
    }

    @Test func readFailureMatchesTheNotes() {
        // 10/20 at m + 1 = 15 healthy, one known down, others up with probability 0.99.
        #expect(Self.close(DurabilityModel.readFailure(k: 10, healthy: 15, down: 1, availability: 0.99), 1.9e-7, tolerance: 0.15))
        #expect(Self.close(DurabilityModel.readFailure(k: 4, healthy: 7, down: 1, availability: 0.95), 2.2e-3, tolerance: 0.15))
        #expect(DurabilityModel.readFailure(k: 3, healthy: 3, down: 1, availability: 1) == 1)
    }

    @Test func lossPerIntervalFollowsTheChurn() {
        #expect(Self.close(DurabilityModel.lossProbability(churnPerDay: 0.02, intervalSeconds: 86_400), 0.02, tolerance: 1e-9))
        #expect(Self.close(DurabilityModel.lossProbability(churnPerDay: 0.02, intervalSeconds: 3_600), 0.00084, tolerance: 0.01))
    }

    @Test func defaultPolicyAndItsEstimate() {
        let policy = RepairPolicy.standard(for: .standard)
        #expect(policy.repairThreshold == 17)
        #expect(policy.checkIntervalSeconds == 3600)
        let estimate = DurabilityEstimate.estimate(parameters: .standard, policy: policy)
        #expect(estimate.nines > 15)
        print("[durability] \(estimate.summary); annual loss \(estimate.annualLoss)")
        for (k, n) in [(3, 6), (6, 12), (29, 80)] {
            let parameters = ErasureParameters(dataShareCount: k, totalShareCount: n, segmentByteCount: 1 << 20)
            let other = DurabilityEstimate.estimate(parameters: parameters, policy: RepairPolicy.standard(for: parameters))
            print("[durability] \(other.summary); annual loss \(other.annualLoss)")
            let slow = DurabilityEstimate.estimate(parameters: parameters, policy: RepairPolicy.standard(for: parameters), churnPerDay: 0.005)
            print("[durability] at 0.5 %/day: \(slow.summary)")
        }
        let slow = DurabilityEstimate.estimate(parameters: .standard, policy: policy, churnPerDay: 0.005)
        print("[durability] at 0.5 %/day: \(slow.summary)")
        let daily = DurabilityEstimate.estimate(parameters: .standard, policy: RepairPolicy(repairThreshold: 17, checkIntervalSeconds: 86_400))
        print("[durability] daily checks: \(daily.summary)")
        let weekly = DurabilityEstimate.estimate(parameters: .standard, policy: RepairPolicy(repairThreshold: 17, checkIntervalSeconds: 7 * 86_400))
        print("[durability] weekly checks: \(weekly.summary)")
    }

    @Test func erasureChoiceShrinksWithTheNetwork() {
        #expect(ErasureChoice.choose(requested: .standard, availableProviders: 25)?.reduced == false)
        #expect(ErasureChoice.choose(requested: .standard, availableProviders: 1) == nil)
        for providers in 2..<20 {
            let choice = ErasureChoice.choose(requested: .standard, availableProviders: providers)
            let parameters = try! #require(choice?.parameters)
            #expect(parameters.totalShareCount == max(2, providers - max(1, providers / 5)))
            #expect(providers == 2 || parameters.totalShareCount < providers)
            #expect(parameters.dataShareCount >= 1 && parameters.dataShareCount < providers)
        }
    }
}
