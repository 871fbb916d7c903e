import CairnPrivate
import Foundation

/// The durability math of reliability-notes §2: loss per interval from churn, eager repair (formula A),
/// lazy repair at a threshold as an exact Markov chain (formula B), read failure (formula D).
public enum DurabilityModel {
    /// p = 1 − e^(−λT): the chance a provider is lost within one check interval.
    public static func lossProbability(churnPerDay: Double, intervalSeconds: Double) -> Double {
        // "churn per day" c means a provider survives a day with probability 1 − c.
        let lambda = -log(max(1e-300, 1 - churnPerDay))
        return 1 - exp(-lambda * intervalSeconds / 86_400)
    }

    /// log C(n, i).
    static func logChoose(_ n: Int, _ i: Int) -> Double { lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)) }

    /// P(Binomial(n, q) = i).
    static func binomial(_ n: Int, _ i: Int, _ q: Double) -> Double {
        if q <= 0 { return i == 0 ? 1 : 0 }
        if q >= 1 { return i == n ? 1 : 0 }
        return exp(logChoose(n, i) + Double(i) * log(q) + Double(n - i) * log1p(-q))
    }

    /// Formula A: annual loss with eager repair each interval.
    public static func eagerAnnualLoss(k: Int, n: Int, p: Double, intervalsPerYear: Double) -> Double {
        var perInterval = 0.0
        if n - k + 1 <= n { for i in (n - k + 1)...n { perInterval += binomial(n, i, p) } }
        return -expm1(intervalsPerYear * log1p(-min(perInterval, 1 - 1e-16)))
    }

    /// Formula B: annual loss with repair to n when healthy shares are ≤ m (repair succeeds with
    /// `repairSuccess`): the chain over states k…n plus an absorbing LOST, advanced `intervalsPerYear`
    /// steps by repeated squaring of its transition matrix (so a 2-second check interval costs ~25
    /// squarings, not 16 million steps).
    public static func lazyAnnualLoss(k: Int, n: Int, m: Int, p: Double, intervalsPerYear: Int, repairSuccess: Double) -> Double {
        guard k >= 1, n > k, m >= k, m < n else { return 1 }
        let size = n - k + 2
        let lostIndex = size - 1
        // transition[from][to]; state h is index h − k.
        var transition = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
        transition[lostIndex][lostIndex] = 1
        for h in k...n {
            for s in 0...h {
                let probability = binomial(h, s, 1 - p)
                guard probability > 0 else { continue }
                if s < k {
                    transition[h - k][lostIndex] += probability
                } else if s <= m {
                    transition[h - k][n - k] += probability * repairSuccess
                    transition[h - k][s - k] += probability * (1 - repairSuccess)
                } else {
                    transition[h - k][s - k] += probability
                }
            }
        }
        var distribution = [Double](repeating: 0, count: size)
        distribution[n - k] = 1
        var power = transition
        var steps = max(1, intervalsPerYear)
        while steps > 0 {
            if steps & 1 == 1 { distribution = multiply(distribution, power) }
            steps >>= 1
            if steps > 0 { power = multiply(power, power) }
        }
        return min(1, max(0, distribution[lostIndex]))
    }

    private static func multiply(_ vector: [Double], _ matrix: [[Double]]) -> [Double] {
        var result = [Double](repeating: 0, count: vector.count)
        for (i, weight) in vector.enumerated() where weight != 0 {
            for (j, value) in matrix[i].enumerated() where value != 0 { result[j] += weight * value }
        }
        return result
    }

    private static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        a.map { multiply($0, b) }
    }

    /// Formula D: the chance a read fails with `healthy` shares, `down` of them known down, and every
    /// other provider answering with probability `availability`.
    public static func readFailure(k: Int, healthy: Int, down: Int, availability: Double) -> Double {
        let reachable = healthy - down
        guard reachable >= k else { return 1 }
        var success = 0.0
        for i in k...reachable { success += binomial(reachable, i, availability) }
        return max(0, 1 - success)
    }

    /// −log10(loss), capped at 30 for a loss too small to mean anything.
    public static func nines(annualLoss: Double) -> Double {
        annualLoss <= 1e-30 ? 30 : min(30, -log10(annualLoss))
    }
}

/// A file's repair policy: repair when healthy shares are ≤ `repairThreshold`, checked every interval.
public struct RepairPolicy: Sendable, Codable, Equatable {
    public var repairThreshold: Int
    public var checkIntervalSeconds: Double

    public init(repairThreshold: Int, checkIntervalSeconds: Double) {
        self.repairThreshold = repairThreshold
        self.checkIntervalSeconds = checkIntervalSeconds
    }

    /// The default: checked hourly, repaired as soon as a segment has lost 30 % of its redundancy,
    /// m = n − ⌈0.3·(n − k)⌉ (10/20 → 17, 6/12 → 10, 3/6 → 5, 29/80 → 64). At 2 %/day provider loss and
    /// hourly checks, 10/20 loses about 3e-20 of its segments a year (19.5 nines); the figures and the
    /// reasoning are in docs/specs/storage-durability.md.
    public static func standard(for parameters: ErasureParameters) -> RepairPolicy {
        let (k, n) = (parameters.dataShareCount, parameters.totalShareCount)
        let margin = max(1, Int((Double(n - k) * 0.3).rounded(.up)))
        return RepairPolicy(repairThreshold: max(k, n - margin), checkIntervalSeconds: 3600)
    }
}

/// A file's durability estimate under a policy and a churn rate.
public struct DurabilityEstimate: Sendable, Codable, Equatable {
    public var dataShares: Int
    public var totalShares: Int
    public var repairThreshold: Int
    public var checkIntervalSeconds: Double
    public var churnPerDay: Double
    public var repairSuccess: Double
    public var annualLoss: Double
    public var nines: Double

    /// Formula B for `parameters` under `policy`.
    public static func estimate(parameters: ErasureParameters, policy: RepairPolicy, churnPerDay: Double = 0.02,
                                repairSuccess: Double = 1) -> DurabilityEstimate {
        let (k, n) = (parameters.dataShareCount, parameters.totalShareCount)
        let p = DurabilityModel.lossProbability(churnPerDay: churnPerDay, intervalSeconds: policy.checkIntervalSeconds)
        let intervals = Int((365 * 86_400 / policy.checkIntervalSeconds).rounded())
        let loss = n > k && policy.repairThreshold < n
            ? DurabilityModel.lazyAnnualLoss(k: k, n: n, m: min(max(k, policy.repairThreshold), n - 1), p: p, intervalsPerYear: intervals,
                                             repairSuccess: repairSuccess)
            : 1
        return DurabilityEstimate(dataShares: k, totalShares: n, repairThreshold: policy.repairThreshold,
                                  checkIntervalSeconds: policy.checkIntervalSeconds, churnPerDay: churnPerDay, repairSuccess: repairSuccess,
                                  annualLoss: loss, nines: DurabilityModel.nines(annualLoss: loss))
    }

    /// One line for people.
    public var summary: String {
        let interval = checkIntervalSeconds >= 3600 ? String(format: "%g h", checkIntervalSeconds / 3600) : String(format: "%g s", checkIntervalSeconds)
        let nineText = nines >= 30 ? "more than 30 nines" : String(format: "about %.1f nines", nines)
        return "\(dataShares)-of-\(totalShares), repair at ≤\(repairThreshold) healthy, checked every \(interval): \(nineText) a year at \(String(format: "%g", churnPerDay * 100)) %/day provider loss (independent failures)"
    }
}
