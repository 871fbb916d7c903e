import Foundation
import Testing
@testable import CairnStore

/// Two `RepoLock`s on one file have separate descriptors, so they contend exactly as two processes do.
@Suite("RepoLock")
struct RepoLockTests {
    @Test func sharedHoldersExcludeGarbageCollection() throws {
        let directory = try TemporaryDirectory("lock")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let writer = try RepoLock(repositoryDirectory: directory.path)
        let collector = try RepoLock(repositoryDirectory: directory.path)
        #expect(writer.path == directory.path + "/repo.lock")

        try writer.lockShared()
        guard case .busy(let reason) = try collector.tryExclusive() else {
            Issue.record("exclusive lock granted while a writer holds it shared")
            return
        }
        #expect(reason.contains("an add is in progress"))
        #expect(try collector.tryShared() == .acquired)  // Two writers may add at once.
        collector.unlock()
        writer.unlock()
        #expect(try collector.tryExclusive() == .acquired)
        guard case .busy(let writerReason) = try writer.tryShared() else {
            Issue.record("shared lock granted during garbage collection")
            return
        }
        #expect(writerReason.contains("garbage collection is running"))
        collector.unlock()
        #expect(try writer.tryShared() == .acquired)
        writer.unlock()
    }

    @Test func scopedHelpersRelease() throws {
        let directory = try TemporaryDirectory("lock")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let first = try RepoLock(repositoryDirectory: directory.path)
        let second = try RepoLock(repositoryDirectory: directory.path)
        let inside = try first.withExclusive { try second.tryShared() }
        #expect(inside == .busy(reason: "garbage collection is running; retry when it finishes"))
        #expect(try second.tryExclusive() == .acquired)
        second.unlock()
        struct Failure: Error {}
        #expect(throws: Failure.self) { try first.withShared { throw Failure() } }
        #expect(try second.tryExclusive() == .acquired)
        second.unlock()
    }

    @Test func closingReleases() throws {
        let directory = try TemporaryDirectory("lock")
        defer { withExtendedLifetime(directory) {} }  // Keep the temp dir until the end.
        let other = try RepoLock(repositoryDirectory: directory.path)
        do {
            let holder = try RepoLock(repositoryDirectory: directory.path)
            try holder.lockExclusive()
            #expect(try other.tryShared() != .acquired)
            withExtendedLifetime(holder) {}
        }
        #expect(try other.tryShared() == .acquired)
        other.unlock()
    }
}
