import Foundation
import Histogram

/// Storj-style Beta reputation with forgetting: α ← λα + w(1+v)/2, β ← λβ + w(1−v)/2 (v = +1 for a
/// success, −1 for a failure); the score is α/(α+β). From a perfect record, j failures in a row give λ^j.
public struct BetaReputation: Sendable, Codable, Equatable {
    public var alpha: Double
    public var beta: Double

    /// A new provider starts with a perfect score (α = 1, β = 0).
    public init(alpha: Double = 1, beta: Double = 0) {
        self.alpha = alpha
        self.beta = beta
    }

    /// Folds in one outcome.
    public mutating func record(success: Bool, lambda: Double, weight: Double = 1) {
        let v: Double = success ? 1 : -1
        alpha = lambda * alpha + weight * (1 + v) / 2
        beta = lambda * beta + weight * (1 - v) / 2
    }

    /// α/(α+β), 1 when nothing is known.
    public var score: Double { alpha + beta > 0 ? alpha / (alpha + beta) : 1 }
}

/// A latency distribution (HdrHistogram, 1 µs … 10 min, 3 significant digits), persisted compactly as
/// its non-empty buckets.
public struct LatencyHistogram: Sendable, Codable, Equatable {
    private var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    /// An empty distribution.
    public init() {}

    /// Records one latency (clamped to the tracked range).
    public mutating func record(_ duration: Duration) {
        let micros = max(1, min(600_000_000, duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000))
        _ = histogram.record(UInt64(micros))
    }

    /// Latencies recorded.
    public var count: Int { Int(histogram.totalCount) }

    /// The latency at percentile `p` (0…100), nil when empty.
    public func percentile(_ p: Double) -> Duration? {
        guard histogram.totalCount > 0 else { return nil }
        return .microseconds(Int64(histogram.valueAtPercentile(p)))
    }

    /// The median.
    public var p50: Duration? { percentile(50) }
    /// The 95th percentile.
    public var p95: Duration? { percentile(95) }

    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        lhs.count == rhs.count && lhs.p50 == rhs.p50 && lhs.p95 == rhs.p95
    }

    private struct Bucket: Codable {
        var v: UInt64
        var n: UInt64
    }

    public init(from decoder: any Decoder) throws {
        let buckets = try decoder.singleValueContainer().decode([Bucket].self)
        for bucket in buckets.prefix(100_000) where bucket.v > 0 && bucket.v <= 600_000_000 {
            _ = histogram.record(bucket.v, count: bucket.n)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(histogram.recordedValues().map { Bucket(v: $0.value, n: $0.count) })
    }
}

/// An exponentially weighted transfer rate (weight 0.2 for each new transfer).
public struct ThroughputEstimate: Sendable, Codable, Equatable {
    public private(set) var bytesPerSecond: Double?

    public init() {}

    /// Folds in one transfer.
    public mutating func record(byteCount: Int, duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        guard seconds > 0, byteCount > 0 else { return }
        let rate = Double(byteCount) / seconds
        bytesPerSecond = bytesPerSecond.map { 0.8 * $0 + 0.2 * rate } ?? rate
    }
}

/// Reachability from periodic contact: a forgetting-weighted fraction of answered contacts.
public struct UptimeTracker: Sendable, Codable, Equatable {
    private var answered: Double = 0
    private var asked: Double = 0
    public private(set) var lastSeen: Date?
    public private(set) var lastContact: Date?
    public private(set) var consecutiveFailures = 0
    public private(set) var contacts = 0

    public init() {}

    /// Folds in one contact attempt.
    public mutating func record(reachable: Bool, at time: Date, lambda: Double) {
        answered = lambda * answered + (reachable ? 1 : 0)
        asked = lambda * asked + 1
        lastContact = time
        contacts += 1
        if reachable {
            lastSeen = time
            consecutiveFailures = 0
        } else {
            consecutiveFailures += 1
        }
    }

    /// The weighted fraction of contacts answered; 1 before any contact.
    public var ratio: Double { asked > 0 ? answered / asked : 1 }
}

/// Score levels and forgetting factors.
public struct ReputationPolicy: Sendable, Codable, Equatable {
    public var auditLambda: Double
    public var uptimeLambda: Double
    public var auditWarning: Double
    public var auditExclusion: Double
    public var uptimeWarning: Double
    public var uptimeExclusion: Double
    public var minimumContactsForUptimeExclusion: Int

    public init(auditLambda: Double, uptimeLambda: Double, auditWarning: Double, auditExclusion: Double, uptimeWarning: Double,
                uptimeExclusion: Double, minimumContactsForUptimeExclusion: Int) {
        self.auditLambda = auditLambda
        self.uptimeLambda = uptimeLambda
        self.auditWarning = auditWarning
        self.auditExclusion = auditExclusion
        self.uptimeWarning = uptimeWarning
        self.uptimeExclusion = uptimeExclusion
        self.minimumContactsForUptimeExclusion = minimumContactsForUptimeExclusion
    }

    /// A real network. Audit λ = 0.99 (memory of ~100 audits): from a long perfect record a provider is
    /// warned after 3 failed audits in a row (0.99³ ≈ 0.970 < 0.975) and excluded after 11 (0.99¹¹ ≈ 0.895
    /// < 0.90); at a steady failure rate x its score tends to 1 − x, so losing more than ~10 % of what it
    /// holds excludes it. Uptime λ = 0.995 over minute-scale contacts: warned below 90 %, excluded below 60 %.
    public static let standard = ReputationPolicy(auditLambda: 0.99, uptimeLambda: 0.995, auditWarning: 0.975, auditExclusion: 0.90,
                                                  uptimeWarning: 0.90, uptimeExclusion: 0.60, minimumContactsForUptimeExclusion: 60)

    /// A devnet: audit λ = 0.8, so a provider with a short good record is warned after 1–2 failed audits and
    /// excluded after about 3 (score < 0.6), within seconds at devnet audit rates.
    public static let devnet = ReputationPolicy(auditLambda: 0.8, uptimeLambda: 0.9, auditWarning: 0.85, auditExclusion: 0.6,
                                                uptimeWarning: 0.8, uptimeExclusion: 0.3, minimumContactsForUptimeExclusion: 20)
}

/// Where a provider stands.
public enum ProviderStanding: String, Sendable, Codable {
    /// Gets new shares.
    case good
    /// Still gets shares; logged and counted so operators see it before exclusion.
    case warning
    /// No new shares; its shares are repaired elsewhere.
    case excluded
}

/// Everything a node knows about one provider.
public struct ProviderScorecard: Sendable, Codable, Equatable {
    public var peer: String
    public var audit: BetaReputation
    public var auditsPassed: Int
    public var auditsFailed: Int
    /// Times it served wrong bytes to a reader.
    public var badData: Int
    public var uptime: UptimeTracker
    public var latency: LatencyHistogram
    public var throughput: ThroughputEstimate
    public var lastAudit: Date?

    /// A blank scorecard.
    public init(peer: String) {
        self.peer = peer
        audit = BetaReputation()
        auditsPassed = 0
        auditsFailed = 0
        badData = 0
        uptime = UptimeTracker()
        latency = LatencyHistogram()
        throughput = ThroughputEstimate()
        lastAudit = nil
    }

    /// One audit's outcome.
    public mutating func recordAudit(passed: Bool, latency: Duration?, at time: Date, policy: ReputationPolicy) {
        audit.record(success: passed, lambda: policy.auditLambda)
        if passed { auditsPassed += 1 } else { auditsFailed += 1 }
        if let latency { self.latency.record(latency) }
        lastAudit = time
    }

    /// One contact attempt.
    public mutating func recordContact(reachable: Bool, latency: Duration?, at time: Date, policy: ReputationPolicy) {
        uptime.record(reachable: reachable, at: time, lambda: policy.uptimeLambda)
        if reachable, let latency { self.latency.record(latency) }
    }

    /// One completed transfer.
    public mutating func recordTransfer(byteCount: Int, duration: Duration) {
        throughput.record(byteCount: byteCount, duration: duration)
    }

    /// Wrong bytes served to a reader: a failed audit, counted twice.
    public mutating func recordBadData(at time: Date, policy: ReputationPolicy) {
        badData += 1
        audit.record(success: false, lambda: policy.auditLambda, weight: 2)
        auditsFailed += 1
        lastAudit = time
    }

    /// Placement weight in 0…1: audit score × uptime ratio.
    public var score: Double { max(0, min(1, audit.score * uptime.ratio)) }

    /// The provider's standing under `policy`.
    public func standing(_ policy: ReputationPolicy) -> ProviderStanding {
        let uptimeCounts = uptime.contacts >= policy.minimumContactsForUptimeExclusion
        if audit.score < policy.auditExclusion || (uptimeCounts && uptime.ratio < policy.uptimeExclusion) { return .excluded }
        if audit.score < policy.auditWarning || (uptimeCounts && uptime.ratio < policy.uptimeWarning) { return .warning }
        return .good
    }
}
