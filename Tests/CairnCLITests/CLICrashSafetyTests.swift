import CairnTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Crash safety with real processes: SIGKILL in the middle of an add, a GC racing an add, and a
/// disk that fills up. Afterwards the repository must verify clean and every pin must name a
/// complete DAG.
@Suite(.serialized) struct CLICrashSafetyTests {
    static let bigFileBytes = 384 << 20

    @Test func sigkillDuringAddLeavesAConsistentRepository() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            let small = try dir.write("small", Array("committed before the crash\n".utf8))
            let smallCID = try cli.succeed(["add", "-Q", small])
            let big = dir.path("big")
            try TestData.writeRandom(count: Self.bigFileBytes, seed: 11, to: big)

            for attempt in 0..<3 {
                let add = try cli.start(["add", big])
                // Wait (bounded) until the add has written some blocks, then kill it without warning.
                try waitUntil(seconds: 30) { try stagedFileCount(in: dir.path("repo")) > 8 || !add.isRunning }
                usleep(useconds_t(50_000 * attempt))
                kill(add.processIdentifier, SIGKILL)
                add.waitUntilExit()

                let verify = try cli.run(["repo", "verify"])
                #expect(verify.exitCode == 0, "attempt \(attempt): \(verify.output)")
                for pin in try pinnedCIDs(cli) {
                    let export = try cli.run(["dag", "export", pin, "-o", dir.path("check.car")])
                    #expect(export.exitCode == 0, "pin \(pin) must be a complete DAG: \(export.errorOutput)")
                }
            }
            #expect(try cli.succeed(["cat", smallCID]) == "committed before the crash")
            // The interrupted add can simply be run again.
            let root = try cli.succeed(["add", "-Q", big])
            #expect(try pinnedCIDs(cli).contains(root))
            #expect(try cli.run(["repo", "verify"]).exitCode == 0)
        }
    }

    @Test func garbageCollectionDuringAddKeepsTheNewDAG() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            let big = dir.path("big")
            try TestData.writeRandom(count: 200 << 20, seed: 12, to: big)
            let expected = try cli.succeed(["add", "-Q", "-n", big])

            let add = try cli.start(["add", big])
            try waitUntil(seconds: 30) { try stagedFileCount(in: dir.path("repo")) > 4 || !add.isRunning }
            let gc = try cli.run(["repo", "gc"])
            add.waitUntilExit()
            #expect(add.terminationStatus == 0)
            #expect(gc.exitCode == 0, "\(gc.errorOutput)")
            #expect(try pinnedCIDs(cli).contains(expected))
            _ = try cli.succeed(["repo", "gc"])
            #expect(try cli.run(["dag", "export", expected, "-o", dir.path("check.car")]).exitCode == 0)
            #expect(try cli.run(["repo", "verify"]).exitCode == 0)
        }
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func diskFullDuringAddFailsCleanly() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let mountPoint = dir.path("small-disk")
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            let mount = try CommandRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint])
            try #require(mount.exitCode == 0, "mount failed: \(mount.errorOutput)")
            defer { _ = try? CommandRunner.run("/bin/umount", ["-l", mountPoint]) }

            let cli = CairnCLI(repository: mountPoint + "/repo")
            _ = try cli.succeed(["init"])
            let small = try dir.write("small", Array("fits\n".utf8))
            let smallCID = try cli.succeed(["add", "-Q", small])
            let big = dir.path("big")
            try TestData.writeRandom(count: 40 << 20, seed: 13, to: big)

            let full = try cli.run(["add", big])
            #expect(full.exitCode == 6, "disk full exit code: \(full.errorOutput)")
            #expect(full.errorOutput.lowercased().contains("space") || full.errorOutput.lowercased().contains("full"))
            #expect(try cli.run(["repo", "verify"]).exitCode == 0)
            #expect(try pinnedCIDs(cli) == [smallCID])
            #expect(try stagedFileCount(in: mountPoint + "/repo") == 0, "temporary files are cleaned up")
            #expect(try cli.succeed(["cat", smallCID]) == "fits")
        }
    }
}

/// The CIDs `cairn pin ls --json` reports.
func pinnedCIDs(_ cli: CairnCLI) throws -> [String] {
    let result = try cli.run(["pin", "ls", "--json"])
    let pins = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]]
    return pins?.compactMap { $0["cid"] as? String } ?? []
}

/// The number of uncommitted temp block files (`.tmp-*` inside the shard directories) of a repository.
func stagedFileCount(in repository: String) throws -> Int {
    let blocks = URL(fileURLWithPath: repository).appendingPathComponent("blocks").path
    var count = 0
    for shard in (try? FileManager.default.contentsOfDirectory(atPath: blocks)) ?? [] where !shard.hasPrefix(".") {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: blocks + "/" + shard)) ?? []
        count += names.filter { $0.hasPrefix(".tmp-") }.count
    }
    return count
}

/// Polls `condition` every 10 ms for at most `seconds`.
func waitUntil(seconds: Double, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(10_000)
    }
}
