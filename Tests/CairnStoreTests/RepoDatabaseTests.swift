import CairnCore
import Foundation
import GRDB
import Testing
@testable import CairnStore

@Suite("RepoDatabase")
struct RepoDatabaseTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func migratesFromEmptyWithDurableSettings() throws {
        let directory = try TemporaryDirectory("db")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let database = try RepoDatabase(repositoryDirectory: directory.path)
        #expect(database.path == directory.path + "/cairn.sqlite")
        #expect(try database.appliedMigrations() == ["v1-pins-files-downloads", "v2-known-peers"])
        let (journal, synchronous, tables) = try database.queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' AND name NOT LIKE 'sqlite%' ORDER BY name"))
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)  // FULL
        #expect(tables == ["downloads", "files", "known_peers", "pins"])
    }

    @Test func knownPeersSurviveReopenNewestFirstAndBounded() throws {
        let directory = try TemporaryDirectory("db")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let peers = (0..<5).map { index in
            KnownPeerRecord(peerID: "peer\(index)", addresses: ["/ip4/127.0.0.1/tcp/\(4000 + index)", "/ip6/::1/tcp/1"],
                            lastSeen: t0.addingTimeInterval(Double(index)))
        }
        try RepoDatabase(repositoryDirectory: directory.path).replaceKnownPeers(peers, limit: 3)
        let reopened = try RepoDatabase(repositoryDirectory: directory.path).knownPeers()
        #expect(reopened == Array(peers.reversed().prefix(3)))
    }

    @Test func pinsRoundTrip() throws {
        let directory = try TemporaryDirectory("db")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let database = try RepoDatabase(repositoryDirectory: directory.path)
        let root = try rawBlock(seed: 1).cid
        let other = try Block(data: [0x0a, 0x02, 0x08, 0x01], codec: .dagPB, version: .v0).cid
        #expect(try database.pin(for: root) == nil)
        try database.addPin(root, kind: .recursive, name: "photos", at: t0)
        try database.addPin(other, kind: .direct, at: t0.addingTimeInterval(1))
        let pin = try #require(try database.pin(for: root))
        #expect(pin == PinRecord(cid: root, kind: .recursive, name: "photos", createdAt: t0))
        #expect(try pin.parsedCID() == root)
        #expect(try database.pins().map(\.cid) == [root.description, other.description])
        #expect(try database.pins(kind: .direct).map(\.cid) == [other.description])

        let updated = try database.addPin(other, kind: .recursive, name: "now recursive", at: t0.addingTimeInterval(50))
        #expect(updated.kind == .recursive)
        #expect(updated.createdAt == t0.addingTimeInterval(1))
        #expect(try database.pins(kind: .direct).isEmpty)

        #expect(try database.removePin(root).name == "photos")
        #expect(try database.pin(for: root) == nil)
        #expect(throws: StoreError.notPinned(cid: root)) { try database.removePin(root) }
        #expect(StoreError.notPinned(cid: root).description.contains("is not pinned"))
    }

    @Test func filesAndDownloadsRoundTrip() throws {
        let directory = try TemporaryDirectory("db")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let database = try RepoDatabase(repositoryDirectory: directory.path)
        let a = try rawBlock(seed: 1).cid
        let b = try rawBlock(seed: 2).cid
        let first = try database.recordFile(name: "a.txt", size: 12, rootCID: a, addedAt: t0)
        try database.recordFile(name: "b.bin", size: 1 << 40, rootCID: b, addedAt: t0.addingTimeInterval(2))
        try database.recordFile(name: "a-again.txt", size: 12, rootCID: a, addedAt: t0.addingTimeInterval(3))
        #expect(first.id != nil)
        #expect(try database.files().map(\.name) == ["a.txt", "b.bin", "a-again.txt"])
        #expect(try database.files().first == first)
        #expect(try database.files(rootCID: a).map(\.name) == ["a.txt", "a-again.txt"])

        for index in 0..<5 {
            try database.recordDownload(
                cid: a, destination: "/tmp/out\(index)", bytes: Int64(index * 100),
                startedAt: t0.addingTimeInterval(Double(index)), finishedAt: t0.addingTimeInterval(Double(index) + 0.5),
                outcome: index == 4 ? "failed: no providers" : "completed")
        }
        let recent = try database.downloads(limit: 2)
        #expect(recent.map(\.destination) == ["/tmp/out4", "/tmp/out3"])
        #expect(recent.first?.outcome == "failed: no providers")
        #expect(recent.first?.finishedAt == t0.addingTimeInterval(4.5))
        #expect(try database.downloads().count == 5)
    }

    @Test func reopeningKeepsData() throws {
        let directory = try TemporaryDirectory("db")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let root = try rawBlock(seed: 7).cid
        do {
            let database = try RepoDatabase(repositoryDirectory: directory.path)
            try database.addPin(root, kind: .recursive, name: nil, at: t0)
            try database.recordFile(name: "kept", size: 1, rootCID: root, addedAt: t0)
        }
        let reopened = try RepoDatabase(repositoryDirectory: directory.path)
        #expect(try reopened.appliedMigrations() == ["v1-pins-files-downloads", "v2-known-peers"])
        #expect(try reopened.pin(for: root)?.kind == .recursive)
        #expect(try reopened.files().map(\.name) == ["kept"])
    }

    @Test func unopenableDatabaseIsTypedError() throws {
        let directory = try TemporaryDirectory("db")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        #expect {
            try RepoDatabase(path: directory.path + "/missing/dir/cairn.sqlite")
        } throws: { error in
            guard case .database = error as? StoreError else { return false }
            return true
        }
    }
}
