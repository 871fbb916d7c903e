import CairnCore
import Foundation

/// The provider records this node holds for others: which peers announced (ADD_PROVIDER) that they have
/// the content named by a multihash.
///
/// A plain value with injected time: every operation takes `now`. Records expire
/// `providerRecordLifetime` (48 h) after their last announcement; a provider's addresses are returned only
/// for `providerAddressLifetime` (24 h). Bounded by `maximumProvidersPerKey`, `maximumProviderKeyCount`
/// and `maximumProviderKeyByteCount`; announcements over a limit are refused, never stored.
public struct ProviderStore: Sendable, Equatable {
    /// One provider of one key.
    public struct ProviderRecord: Sendable, Equatable {
        /// The providing peer.
        public var provider: DHTPeerID
        /// The addresses it announced.
        public var addresses: [Multiaddr]
        /// When the announcement was received.
        public var receivedAt: Date
        /// When the record stops being valid.
        public var expiresAt: Date
    }

    /// What `addProvider` did; refusals are expected outcomes, not errors.
    public enum AddResult: Sendable, Equatable {
        /// A new provider was recorded for the key.
        case added
        /// The provider was already recorded; its expiry and addresses were renewed.
        case refreshed
        /// The key is longer than `maximumProviderKeyByteCount` (or empty).
        case rejectedInvalidKey
        /// The key already has `maximumProvidersPerKey` unexpired providers.
        case rejectedProviderLimit
        /// The store already holds `maximumProviderKeyCount` keys with unexpired providers.
        case rejectedKeyLimit
    }

    private let configuration: DHTConfiguration
    private var records: [[UInt8]: [ProviderRecord]] = [:]

    /// Creates an empty store with the configuration's lifetimes and limits.
    public init(configuration: DHTConfiguration = .default) {
        self.configuration = configuration
    }

    /// The number of keys with at least one stored provider (expired ones count until removed).
    public var keyCount: Int { records.count }

    /// Records `provider` (with `addresses`) as a provider of `key` (multihash bytes), announced at `now`.
    public mutating func addProvider(_ provider: DHTPeerID, addresses: [Multiaddr] = [], for key: [UInt8], now: Date) -> AddResult {
        guard !key.isEmpty, key.count <= configuration.maximumProviderKeyByteCount else { return .rejectedInvalidKey }
        let expiresAt = now.addingTimeInterval(Self.seconds(configuration.providerRecordLifetime))
        let record = ProviderRecord(provider: provider, addresses: addresses, receivedAt: now, expiresAt: expiresAt)
        guard var list = records[key] else {
            if records.count >= configuration.maximumProviderKeyCount { removeExpired(now: now) }
            guard records.count < configuration.maximumProviderKeyCount else { return .rejectedKeyLimit }
            records[key] = [record]
            return .added
        }
        list.removeAll { $0.expiresAt <= now }
        if let index = list.firstIndex(where: { $0.provider == provider }) {
            list[index] = record
            records[key] = list
            return .refreshed
        }
        guard list.count < configuration.maximumProvidersPerKey else {
            records[key] = list
            return .rejectedProviderLimit
        }
        list.append(record)
        records[key] = list
        return .added
    }

    /// Records a provider of the content with this multihash (the DHT key of content is its multihash).
    public mutating func addProvider(_ provider: DHTPeerID, addresses: [Multiaddr] = [], for multihash: Multihash, now: Date) -> AddResult {
        addProvider(provider, addresses: addresses, for: multihash.bytes, now: now)
    }

    /// The unexpired providers of `key` at `now`, oldest announcement first, as GET_PROVIDERS returns them;
    /// addresses older than `providerAddressLifetime` are left out.
    public func providers(for key: [UInt8], now: Date) -> [DHTPeer] {
        let addressLifetime = Self.seconds(configuration.providerAddressLifetime)
        return (records[key] ?? []).filter { $0.expiresAt > now }.map { record in
            let fresh = now.timeIntervalSince(record.receivedAt) < addressLifetime
            return DHTPeer(id: record.provider, addresses: fresh ? record.addresses : [])
        }
    }

    /// The stored records of `key`, expired ones included until `removeExpired` runs.
    public func records(for key: [UInt8]) -> [ProviderRecord] { records[key] ?? [] }

    /// Drops every record expired at `now` and every key left without providers.
    /// - Returns: the number of records dropped.
    @discardableResult
    public mutating func removeExpired(now: Date) -> Int {
        var removed = 0
        for (key, list) in records {
            let kept = list.filter { $0.expiresAt > now }
            removed += list.count - kept.count
            records[key] = kept.isEmpty ? nil : kept
        }
        return removed
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
