import CairnTestSupport
import Foundation
import Testing

/// End-to-end tests of the `cairn` executable: each test makes its own repository and drives the
/// real binary, checking output, JSON and exit codes.
@Suite struct CLIRoundTripTests {
    @Test func knownCIDsMatchIPFS() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            let hello = try dir.write("hello.txt", Array("hello world\n".utf8))
            let empty = try dir.write("empty", [])
            #expect(try cli.succeed(["add", "-Q", hello]) == "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")
            #expect(try cli.succeed(["add", "-Q", empty]) == "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")
            #expect(try cli.succeed(["add", "-Q", "--cid-version", "1", hello])
                == "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4")
            #expect(try cli.succeed(["cat", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"]) == "hello world")
        }
    }

    @Test func identityIsCreatedByInitAndKeptPrivate() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            let id = try cli.succeed(["id"])
            #expect(id.hasPrefix("12D3KooW"), "an Ed25519 identity: \(id)")
            let json = try JSONSerialization.jsonObject(with: try cli.run(["id", "--json"]).stdout) as? [String: Any]
            #expect(json?["ID"] as? String == id)
            #expect((json?["PublicKey"] as? String)?.isEmpty == false)
            let keyPath = dir.path("repo/identity.key")
            let mode = (try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int) ?? 0
            #expect(mode == 0o600)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyPath)
            let exposed = try cli.run(["id"])
            #expect(exposed.exitCode == 3, "a readable key file is refused: \(exposed.errorOutput)")
            #expect(exposed.errorOutput.contains("chmod"))
        }
    }

    @Test func addFromStandardInput() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            let piped = try cli.run(["add", "-Q"], stdin: Data("hello world\n".utf8))
            #expect(piped.exitCode == 0, "\(piped.errorOutput)")
            #expect(piped.output == "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o\n")
            let big = Data(TestData.pattern(count: 1_000_000))
            let dash = try cli.run(["add", "-Q", "-"], stdin: big)
            #expect(dash.output == "QmVUbzigHKQR2y8wSt2KwZp92AC9Utfms5nEUHwttK4Yq9\n", "the 'pat' 1 MB CID from the notes' table")
            #expect(try cli.run(["cat", "QmVUbzigHKQR2y8wSt2KwZp92AC9Utfms5nEUHwttK4Yq9"]).stdout == big)
        }
    }

    @Test func addCatGetAndRanges() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            let path = dir.path("data.bin")
            try TestData.writeRandom(count: 3_000_017, seed: 7, to: path)
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            let cid = try cli.succeed(["add", "-Q", path])

            let cat = try cli.run(["cat", cid])
            #expect(cat.exitCode == 0)
            #expect(cat.stdout == original)

            for (offset, length) in [(0, 1), (262_143, 2), (1_000_000, 524_288), (3_000_000, 100), (2_999_999, 1)] {
                let part = try cli.run(["cat", cid, "--offset", "\(offset)", "--length", "\(length)"])
                #expect(part.exitCode == 0)
                let end = min(offset + length, original.count)
                #expect(part.stdout == original[offset..<end], "range \(offset)+\(length)")
            }

            _ = try cli.succeed(["get", cid, "-o", dir.path("copy.bin")])
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("copy.bin"))) == original)
        }
    }

    @Test func directoriesListGetAndPaths() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            try dir.write("album/hello.txt", Array("hello world\n".utf8))
            try dir.write("album/sub/naïve café.txt", Array("unicode name\n".utf8))
            try dir.write("album/.hidden", Array("skipped without -H\n".utf8))

            let noRecursive = try cli.run(["add", dir.path("album")])
            #expect(noRecursive.exitCode == 2)
            #expect(noRecursive.errorOutput.contains("-r"))

            let added = try cli.succeed(["add", "-r", dir.path("album")])
            let lines = added.split(separator: "\n")
            #expect(lines.count == 4, "every file and directory is reported: \(added)")
            #expect(!added.contains(".hidden"))
            let root = try cli.succeed(["add", "-r", "-Q", dir.path("album")])

            #expect(try cli.succeed(["cat", "\(root)/sub/naïve café.txt"]) == "unicode name")
            let listing = try cli.run(["ls", "--json", root])
            #expect(listing.exitCode == 0)
            let entries = try JSONSerialization.jsonObject(with: listing.stdout) as? [[String: Any]]
            #expect(entries?.compactMap { $0["name"] as? String }.sorted() == ["hello.txt", "sub"])

            _ = try cli.succeed(["get", root, "-o", dir.path("album-copy")])
            #expect(try String(contentsOfFile: dir.path("album-copy/sub/naïve café.txt"), encoding: .utf8) == "unicode name\n")
            #expect(!FileManager.default.fileExists(atPath: dir.path("album-copy/.hidden")))
        }
    }

    @Test func jsonOutputsParse() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init", "--json"])
            let file = try dir.write("f", Array("json\n".utf8))
            for command in [["add", "--json", file], ["pin", "ls", "--json"], ["repo", "stat", "--json"],
                            ["repo", "verify", "--json"], ["repo", "gc", "--json"]] {
                let result = try cli.run(command)
                #expect(result.exitCode == 0, "\(command): \(result.errorOutput)")
                #expect((try? JSONSerialization.jsonObject(with: result.stdout)) != nil, "\(command) printed \(result.output)")
            }
        }
    }

    @Test func pinsAndGarbageCollection() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            let keep = try dir.write("keep", TestData.pattern(count: 600_000))
            let drop = try dir.write("drop", Array(repeating: 7, count: 700_000))
            let keptCID = try cli.succeed(["add", "-Q", keep])
            let droppedCID = try cli.succeed(["add", "-Q", "--pin=false", drop])

            _ = try cli.succeed(["repo", "gc"])
            #expect(try cli.run(["cat", keptCID]).exitCode == 0)
            let gone = try cli.run(["cat", droppedCID])
            #expect(gone.exitCode == 4, "unpinned content is collected: \(gone.errorOutput)")

            _ = try cli.succeed(["pin", "rm", keptCID])
            #expect(try cli.run(["pin", "rm", keptCID]).exitCode == 4)
            _ = try cli.succeed(["repo", "gc"])
            let stat = try JSONSerialization.jsonObject(with: try cli.run(["repo", "stat", "--json"]).stdout) as? [String: Any]
            #expect(stat?["blocks"] as? Int == 0)

            #expect(try cli.run(["pin", "add", keptCID]).exitCode == 4, "cannot pin a DAG that is not present")
        }
    }

    @Test func carExportImportRoundTrip() async throws {
        try await OffPool.run {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let source = CairnCLI(repository: dir.path("a"))
            let target = CairnCLI(repository: dir.path("b"))
            _ = try source.succeed(["init"])
            _ = try target.succeed(["init"])
            try dir.write("tree/one", TestData.pattern(count: 1_000_000))
            try dir.write("tree/two/three", Array("three\n".utf8))
            let root = try source.succeed(["add", "-r", "-Q", dir.path("tree")])
            _ = try source.succeed(["dag", "export", root, "-o", dir.path("tree.car")])
            let viaStdout = try source.run(["dag", "export", root])
            #expect(viaStdout.stdout == (try Data(contentsOf: URL(fileURLWithPath: dir.path("tree.car")))))

            let imported = try target.succeed(["dag", "import", dir.path("tree.car")])
            #expect(imported.contains("pinned root \(root)"))
            #expect(try target.succeed(["cat", "\(root)/two/three"]) == "three")
            #expect(try target.run(["cat", "\(root)/one"]).stdout == Data(TestData.pattern(count: 1_000_000)))
            #expect(try target.succeed(["pin", "ls"]).contains(root))
        }
    }
}
