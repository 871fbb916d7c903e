import Foundation

/// How an owner (or repair agent) places, audits, repairs and reads. `.standard` suits a real network;
/// `.devnet` uses short timers so a local network shows detection and repair within seconds.
public struct OwnerConfiguration: Sendable, Equatable {
    /// Levels and forgetting factors of provider scores.
    public var reputation: ReputationPolicy
    /// Failure-domain rules for placement.
    public var placement: PlacementPolicy
    /// How long new contracts run.
    public var contractDuration: TimeInterval
    /// Time between audits of each live contract.
    public var auditInterval: Duration
    /// Time between contacts (offer requests) with each provider holding our shares.
    public var contactInterval: Duration
    /// Time between health checks (and repairs) of each file.
    public var checkInterval: Duration
    /// Time between provider discoveries through the DHT.
    public var discoveryInterval: Duration
    /// How long a provider may go unanswered before its shares count as unavailable (Ceph's down→out).
    public var downGrace: TimeInterval
    /// Deadline of a small request (offer, propose, audit, cancel).
    public var requestTimeout: Duration
    /// Deadline of one share upload or download.
    public var transferTimeout: Duration
    /// Providers asked beyond n at placement, to replace ones that fail or stall.
    public var spareProviders: Int
    /// Shares fetched beyond k at once when reading (the slowest are cancelled).
    public var extraFetches: Int
    /// Share uploads in flight per provider.
    public var uploadsPerProvider: Int
    /// A column still uploading when this many times as long as half the columns took has passed is
    /// raced by a spare provider (long-tail cancellation); 1.5 races only clear stragglers.
    public var stragglerFactor: Double
    /// The least time a column gets beyond the half-way mark before it is raced.
    public var stragglerGrace: Duration

    /// Creates a configuration.
    public init(reputation: ReputationPolicy, placement: PlacementPolicy, contractDuration: TimeInterval, auditInterval: Duration,
                contactInterval: Duration, checkInterval: Duration, discoveryInterval: Duration, downGrace: TimeInterval,
                requestTimeout: Duration, transferTimeout: Duration, spareProviders: Int, extraFetches: Int, uploadsPerProvider: Int,
                stragglerFactor: Double, stragglerGrace: Duration) {
        self.reputation = reputation
        self.placement = placement
        self.contractDuration = contractDuration
        self.auditInterval = auditInterval
        self.contactInterval = contactInterval
        self.checkInterval = checkInterval
        self.discoveryInterval = discoveryInterval
        self.downGrace = downGrace
        self.requestTimeout = requestTimeout
        self.transferTimeout = transferTimeout
        self.spareProviders = spareProviders
        self.extraFetches = extraFetches
        self.uploadsPerProvider = uploadsPerProvider
        self.stragglerFactor = stragglerFactor
        self.stragglerGrace = stragglerGrace
    }

    /// A real network: hourly checks (the durability note's choice), audits every 10 minutes, a provider
    /// counts as down after 10 minutes of silence, 30-day contracts.
    public static let standard = OwnerConfiguration(
        reputation: .standard, placement: PlacementPolicy(), contractDuration: 30 * 86_400, auditInterval: .seconds(600),
        contactInterval: .seconds(60), checkInterval: .seconds(3600), discoveryInterval: .seconds(300), downGrace: 600,
        requestTimeout: .seconds(10), transferTimeout: .seconds(60), spareProviders: 4, extraFetches: 2, uploadsPerProvider: 4,
        stragglerFactor: 1.5, stragglerGrace: .seconds(5))

    /// A devnet on one machine: everything within seconds, several providers per 127.0.0.1 allowed.
    public static let devnet = OwnerConfiguration(
        reputation: .devnet, placement: .devnet, contractDuration: 30 * 86_400, auditInterval: .seconds(2),
        contactInterval: .seconds(1), checkInterval: .seconds(2), discoveryInterval: .seconds(3), downGrace: 3,
        requestTimeout: .seconds(3), transferTimeout: .seconds(10), spareProviders: 4, extraFetches: 2, uploadsPerProvider: 4,
        stragglerFactor: 1.5, stragglerGrace: .seconds(1))
}
