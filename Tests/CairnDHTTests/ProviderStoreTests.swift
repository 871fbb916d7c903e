import CairnCore
import Foundation
import Testing

@testable import CairnDHT

/// Provider records with an injected clock: expiry, refresh, address lifetime and limits.
@Suite struct ProviderStoreTests {
    let peers = DHTTestPeers.many(5, seed: 21)
    let key = Multihash.sha256(Array("block".utf8))
    let t0 = DHTTestPeers.epoch
    let hour: TimeInterval = 3600

    @Test func recordsExpireAfter48Hours() throws {
        var store = ProviderStore()
        let address = try Multiaddr("/ip4/10.0.0.1/tcp/4001")
        expectEqual(store.addProvider(peers[0], addresses: [address], for: key, now: t0), .added)
        #expect(store.providers(for: key.bytes, now: t0 + 1) == [DHTPeer(id: peers[0], addresses: [address])])
        // Addresses are given out for 24 h only; the record lives on.
        #expect(store.providers(for: key.bytes, now: t0 + 25 * hour) == [DHTPeer(id: peers[0])])
        #expect(store.providers(for: key.bytes, now: t0 + 48 * hour - 1).count == 1)
        #expect(store.providers(for: key.bytes, now: t0 + 48 * hour).isEmpty)
        expectEqual(store.removeExpired(now: t0 + 48 * hour), 1)
        #expect(store.keyCount == 0)
    }

    @Test func reannouncingRefreshes() {
        var store = ProviderStore()
        expectEqual(store.addProvider(peers[0], for: key, now: t0), .added)
        expectEqual(store.addProvider(peers[0], for: key, now: t0 + 40 * hour), .refreshed)
        #expect(store.providers(for: key.bytes, now: t0 + 60 * hour).map(\.id) == [peers[0]])
        #expect(store.records(for: key.bytes).count == 1)
    }

    @Test func limitsAreNamedAndEnforced() {
        let configuration = DHTConfiguration(maximumProvidersPerKey: 2, maximumProviderKeyCount: 2)
        var store = ProviderStore(configuration: configuration)
        expectEqual(store.addProvider(peers[0], for: key, now: t0), .added)
        expectEqual(store.addProvider(peers[1], for: key, now: t0), .added)
        expectEqual(store.addProvider(peers[2], for: key, now: t0), .rejectedProviderLimit)
        // Once the first two expire, room opens up again.
        expectEqual(store.addProvider(peers[2], for: key, now: t0 + 49 * hour), .added)
        expectEqual(store.addProvider(peers[0], for: [1, 2], now: t0 + 49 * hour), .added)
        expectEqual(store.addProvider(peers[0], for: [3], now: t0 + 49 * hour), .rejectedKeyLimit)
        expectEqual(store.addProvider(peers[0], for: [3], now: t0 + 98 * hour), .added)  // expired keys are purged
        expectEqual(store.addProvider(peers[0], for: [UInt8](repeating: 1, count: 81), now: t0), .rejectedInvalidKey)
        expectEqual(store.addProvider(peers[0], for: [], now: t0), .rejectedInvalidKey)
    }
}
