import CairnTestSupport
import Foundation
import Testing

/// Bad input and damaged state: each case gets a one-line error, a meaningful exit code, and a
/// repository that still verifies afterwards.
@Suite struct CLIFailureTests {
    @Test func invalidCIDSaysSo() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            for bad in ["QmNotACid", "bafy!!!", "", "zzzz", "Qm" + String(repeating: "1", count: 44)] {
                let result = try cli.run(["cat", bad])
                #expect(result.exitCode == 2, "'\(bad)': \(result.errorOutput)")
                #expect(result.errorOutput.hasPrefix("cairn: "))
                #expect(result.errorOutput.split(separator: "\n").count == 1)
            }
        }
    }

    @Test func missingFileAndMissingRepository() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            let noRepo = try cli.run(["cat", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"])
            #expect(noRepo.exitCode == 3)
            #expect(noRepo.errorOutput.contains("cairn init"))

            _ = try cli.succeed(["init"])
            let again = try cli.run(["init"])
            #expect(again.exitCode == 3, "init refuses to overwrite: \(again.errorOutput)")
            let missing = try cli.run(["add", dir.path("does-not-exist")])
            #expect(missing.exitCode == 2)
            #expect(missing.errorOutput.contains("does-not-exist"))
            let notStored = try cli.run(["cat", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"])
            #expect(notStored.exitCode == 4)
        }
    }

    @Test func corruptBlockIsNamedAndListed() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            let file = try dir.write("f", TestData.pattern(count: 300_000))
            let cid = try cli.succeed(["add", "-Q", file])
            let blockFiles = try blockFilePaths(in: dir.path("repo"))
            #expect(blockFiles.count == 3)
            // Flip one byte in the largest block (a leaf).
            let victim = try #require(blockFiles.max { fileSize($0) < fileSize($1) })
            var bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
            bytes[1000] ^= 0x40
            try bytes.write(to: URL(fileURLWithPath: victim))

            let cat = try cli.run(["cat", cid])
            #expect(cat.exitCode == 5, "\(cat.errorOutput)")
            #expect(cat.errorOutput.contains(victim), "the error names the file: \(cat.errorOutput)")
            let verify = try cli.run(["repo", "verify"])
            #expect(verify.exitCode == 5)
            #expect(verify.output.contains(victim))
            let verifyJSON = try cli.run(["repo", "verify", "--json"])
            let report = try JSONSerialization.jsonObject(with: verifyJSON.stdout) as? [String: Any]
            #expect((report?["corrupt"] as? [Any])?.count == 1)
        }
    }

    @Test func truncatedOrCorruptCARImportsNothing() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let source = CairnCLI(repository: dir.path("a"))
            _ = try source.succeed(["init"])
            let file = try dir.write("f", TestData.pattern(count: 2_000_000))
            let root = try source.succeed(["add", "-Q", file])
            _ = try source.succeed(["dag", "export", root, "-o", dir.path("full.car")])
            let car = try Data(contentsOf: URL(fileURLWithPath: dir.path("full.car")))

            var flipped = car
            flipped[car.count / 2] ^= 0x01
            let damaged: [(String, Data)] = [
                ("truncated.car", car.prefix(car.count / 2)),
                ("header-only.car", car.prefix(60)),
                ("flipped.car", flipped),
                ("garbage.car", Data(repeating: 0xff, count: 100)),
            ]
            for (name, bytes) in damaged {
                let target = CairnCLI(repository: dir.path("repo-\(name)"))
                _ = try target.succeed(["init"])
                try bytes.write(to: URL(fileURLWithPath: dir.path(name)))
                let result = try target.run(["dag", "import", dir.path(name)])
                #expect(result.exitCode != 0, "\(name) must fail")
                #expect(!result.errorOutput.isEmpty)
                let stat = try JSONSerialization.jsonObject(with: try target.run(["repo", "stat", "--json"]).stdout) as? [String: Any]
                #expect(stat?["blocks"] as? Int == 0, "\(name): nothing half-imported")
                #expect(stat?["recursivePins"] as? Int == 0)
                #expect(try target.run(["repo", "verify"]).exitCode == 0)
            }
        }
    }
}

/// Every block file under a repository's blockstore.
func blockFilePaths(in repository: String) throws -> [String] {
    let root = URL(fileURLWithPath: repository).appendingPathComponent("blocks")
    guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
    return walker.compactMap { $0 as? String }
        .filter { $0.hasSuffix(".data") && !$0.contains(".staging") }
        .map { root.appendingPathComponent($0).path }
}

/// The size of a file in bytes, or 0 when it cannot be read.
func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
}
