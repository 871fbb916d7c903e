import CairnCore
import CairnTestSupport
import Foundation
import Testing

@testable import CairnDHT

/// Bucket placement, exact k-closest selection, the full-bucket check and persistence.
@Suite struct RoutingTableTests {
    let local = DHTTestPeers.many(1, seed: 1000)[0]

    @Test func peersLandInTheirCommonPrefixBucket() {
        var table = RoutingTable(localPeer: local)
        for (index, peer) in DHTTestPeers.many(300, seed: 1).enumerated() {
            _ = table.insert(peer, now: DHTTestPeers.epoch.addingTimeInterval(Double(index)))
        }
        for index in 0..<KademliaKey.bitCount {
            #expect(table.bucket(index).count <= 20)
            for entry in table.bucket(index) {
                #expect(local.kademliaKey.commonPrefixLength(with: entry.peer.kademliaKey) == index)
            }
        }
        // About half of all peers share no prefix bit with us: bucket 0 is full.
        #expect(table.bucket(0).count == 20)
        expectEqual(table.insert(local, now: DHTTestPeers.epoch), .rejectedSelf)
    }

    /// `closest(to:count:)` equals a brute-force sort of everything in the table.
    @Test(arguments: UInt64(0)..<5)
    func closestMatchesBruteForce(seed: UInt64) {
        var table = RoutingTable(localPeer: local, configuration: DHTConfiguration(bucketSize: 400))
        let peers = DHTTestPeers.many(300, seed: seed)
        for peer in peers { expectEqual(table.insert(peer, now: DHTTestPeers.epoch), .added) }
        #expect(table.count == 300)
        var rng = SeededRandom(seed: seed + 77)
        for _ in 0..<20 {
            let target = KademliaKey(hashing: rng.bytes(16))
            let expected = peers.sorted { $0.kademliaKey.distance(to: target) < $1.kademliaKey.distance(to: target) }
            for count in [1, 20, 299, 400] {
                #expect(table.closest(to: target, count: count).map(\.peer) == Array(expected.prefix(count)))
            }
        }
        #expect(table.closest(to: local.kademliaKey, count: 0).isEmpty)
    }

    /// With k = 20, `closest` is the brute-force answer over the peers the table actually kept.
    @Test func closestOverBoundedTable() {
        var table = RoutingTable(localPeer: local)
        for peer in DHTTestPeers.many(400, seed: 5) { _ = table.insert(peer, now: DHTTestPeers.epoch) }
        let kept = table.entries.map(\.peer)
        let target = KademliaKey(hashing: [1, 2, 3])
        let expected = kept.sorted { $0.kademliaKey.distance(to: target) < $1.kademliaKey.distance(to: target) }
        #expect(table.closest(to: target, count: 20).map(\.peer) == Array(expected.prefix(20)))
    }

    /// A full bucket asks for a check of its oldest peer; only a failed check lets the candidate in.
    @Test func fullBucketReplacesOnlyAFailedOldest() throws {
        var table = RoutingTable(localPeer: local, configuration: DHTConfiguration(bucketSize: 2))
        let bucketZero = DHTTestPeers.many(200, seed: 3).filter { table.bucketIndex(for: $0) == 0 }
        let (a, b, c, d) = (bucketZero[0], bucketZero[1], bucketZero[2], bucketZero[3])
        let t0 = DHTTestPeers.epoch
        expectEqual(table.insert(a, now: t0), .added)
        expectEqual(table.insert(b, now: t0 + 1), .added)
        expectEqual(table.insert(a, now: t0 + 2), .updated)  // a is now the most recently seen
        expectEqual(table.insert(c, now: t0 + 3), .checkOldest(b))
        expectEqual(table.insert(d, now: t0 + 4), .bucketFull)  // one check per bucket at a time
        expectEqual(table.oldestCheckCompleted(b, responded: true, now: t0 + 5), nil)
        #expect(table.bucket(0).map(\.peer) == [a, b])
        expectEqual(table.insert(c, now: t0 + 6), .checkOldest(a))
        expectEqual(table.oldestCheckCompleted(c, responded: false, now: t0 + 7), nil)  // not the peer asked about
        expectEqual(table.oldestCheckCompleted(a, responded: false, now: t0 + 7), c)
        #expect(table.bucket(0).map(\.peer) == [b, c])
        #expect(table.entry(for: c)?.lastSeen == t0 + 6)
        expectEqual(table.touch(b, now: t0 + 8), true)
        #expect(table.bucket(0).map(\.peer) == [c, b])
        expectEqual(table.remove(c), true)
        expectEqual(table.remove(c), false)
        #expect(!table.contains(c))
        // A checked peer that left the table meanwhile makes room for the candidate even if it "responded".
        expectEqual(table.insert(a, now: t0 + 9), .added)
        expectEqual(table.insert(d, now: t0 + 10), .checkOldest(b))
        expectEqual(table.remove(b), true)
        expectEqual(table.oldestCheckCompleted(b, responded: true, now: t0 + 11), d)
        #expect(table.bucket(0).map(\.peer) == [a, d])
    }

    /// A snapshot survives JSON encoding and restores the same table.
    @Test func snapshotRoundTrip() throws {
        var table = RoutingTable(localPeer: local)
        let address = try Multiaddr("/ip4/127.0.0.1/tcp/4001")
        for (index, peer) in DHTTestPeers.many(120, seed: 8).enumerated() {
            _ = table.insert(peer, addresses: index % 2 == 0 ? [address] : [], now: DHTTestPeers.epoch.addingTimeInterval(Double(index)))
        }
        let data = try JSONEncoder().encode(table.snapshot())
        let snapshot = try JSONDecoder().decode(RoutingTableSnapshot.self, from: data)
        let restored = try RoutingTable(localPeer: local, snapshot: snapshot)
        #expect(restored.entries == table.entries)  // pending bucket checks are not persisted

        var damaged = snapshot
        damaged.entries.append(.init(peerID: [0x12], addresses: [], lastSeen: DHTTestPeers.epoch, addedAt: DHTTestPeers.epoch))
        damaged.entries[0].addresses = [[0xff, 0xff]]
        let tolerant = try RoutingTable(localPeer: local, snapshot: damaged)
        #expect(tolerant.count == table.count)
        damaged.version = 2
        #expect(throws: DHTError.unsupportedSnapshotVersion(2)) { try RoutingTable(localPeer: local, snapshot: damaged) }
    }

    /// Restoring into a smaller bucket size keeps the most recently seen peers of each bucket.
    @Test func restoreKeepsNewestWhenOverfull() throws {
        var table = RoutingTable(localPeer: local, configuration: DHTConfiguration(bucketSize: 50))
        for (index, peer) in DHTTestPeers.many(100, seed: 9).enumerated() {
            _ = table.insert(peer, now: DHTTestPeers.epoch.addingTimeInterval(Double(index)))
        }
        let restored = try RoutingTable(localPeer: local, snapshot: table.snapshot(), configuration: DHTConfiguration(bucketSize: 5))
        #expect(restored.bucket(0).map(\.peer) == Array(table.bucket(0).suffix(5).map(\.peer)))
    }
}
