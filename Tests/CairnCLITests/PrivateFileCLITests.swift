import CairnCore
import CairnDAG
import CairnPrivate
import CairnStore
import CairnTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Private files through the real `cairn` executable: add, lose and damage shares on disk, read back,
/// check and repair with a verify-cap, keyring backup and rotation, removal, and bad input.
@Suite(.serialized) struct PrivateFileCLITests {
    static let passphrase = ["CAIRN_PASSPHRASE": "correct horse battery staple"]

    /// A repository with one private file added.
    struct Fixture {
        let dir: TemporaryDirectory
        let cli: CairnCLI
        let input: String
        let bytes: [UInt8]
        let readCap: String
        let capability: Capability

        init(size: Int = 3 << 20, shares: String = "3/7", seed: UInt64 = 1) throws {
            dir = try TemporaryDirectory()
            cli = CairnCLI(repository: dir.path("repo"))
            _ = try cli.succeed(["init"])
            var random = SeededRandom(seed: seed)
            bytes = random.bytes(size)
            input = try dir.write("secret.bin", bytes)
            readCap = try cli.succeed(["add", "--private", "-q", "--shares", shares, "--segment-size", "262144", input],
                                      environment: PrivateFileCLITests.passphrase)
            capability = try Capability(readCap)
        }

        var blockDirectory: String { dir.path("repo/blocks") }

        func blockPath(_ cid: CID) -> String {
            let name = FileBlockStore.fileName(for: cid.multihash)
            return blockDirectory + "/" + FileBlockStore.shardName(forFileName: name) + "/" + name
        }

        func manifest(_ cid: CID? = nil) throws -> PrivateManifest {
            try PrivateManifest(decoding: Array(try #require(FileManager.default.contents(atPath: blockPath(cid ?? capability.manifest)))))
        }

        /// The share CIDs of every segment of the file (this fixture's by default), in order.
        func shareCIDs(of cid: CID? = nil) throws -> [[CID]] {
            let manifest = try manifest(cid)
            var rows: [[CID]] = []
            for (index, table) in manifest.tables.enumerated() {
                let bytes = Array(try #require(FileManager.default.contents(atPath: blockPath(table))))
                let parsed = try ShareTable(decoding: bytes, index: index, of: manifest)
                rows += parsed.shareDigests.indices.map { parsed.shareCIDs(row: $0) }
            }
            return rows
        }

        func readBack(_ cap: String? = nil, to name: String = "out") throws -> CommandResult {
            try cli.run(["get", cap ?? readCap, "-o", dir.path(name)])
        }

        func output(_ name: String = "out") -> [UInt8]? {
            FileManager.default.contents(atPath: dir.path(name)).map(Array.init)
        }
    }

    @Test("any n − k shares of every segment deleted from disk: get returns the same bytes; the verify-cap checks and repairs")
    func loseSharesAndRepair() async throws {
        try await OffPool.run {
            let fixture = try Fixture()
            defer { fixture.dir.remove() }
            let rows = try fixture.shareCIDs()
            #expect(rows.count >= 12)
            var random = SeededRandom(seed: 7)
            for row in rows {
                var indices = Array(0..<7)
                indices.shuffle(using: &random)
                for index in indices.prefix(4) { #expect(unlink(fixture.blockPath(row[index])) == 0) }
            }
            let get = try fixture.readBack()
            #expect(get.exitCode == 0, "\(get.errorOutput)")
            #expect(fixture.output() == fixture.bytes)
            let cat = try fixture.cli.run(["cat", fixture.readCap])
            #expect(cat.exitCode == 0 && Array(cat.stdout) == fixture.bytes)

            // The verify-cap alone (no passphrase, no key) sees the damage and repairs it.
            let verifyCap = try fixture.cli.succeed(["cap", "verify", fixture.readCap])
            #expect(try Capability(verifyCap) == .verify(manifest: fixture.capability.manifest))
            let degraded = try fixture.cli.run(["files", "check", verifyCap, "--json"])
            #expect(degraded.exitCode == 5, "\(degraded.errorOutput)")
            let report = try TestJSON.object(degraded.stdout)
            let summary = try #require(report["summary"] as? [String: Any])
            #expect(summary["degradedSegments"] as? Int == rows.count && summary["minimumValidShares"] as? Int == 3)
            let segments = try #require(report["segments"] as? [[String: Any]])
            #expect(segments.allSatisfy { ($0["valid"] as? [Int])?.count == 3 && ($0["missing"] as? [Int])?.count == 4 })
            let repair = try fixture.cli.run(["files", "check", verifyCap, "--repair"])
            #expect(repair.exitCode == 0, "\(repair.output) \(repair.errorOutput)")
            #expect(repair.output.contains("repaired \(rows.count * 4) shares"))
            #expect(try fixture.cli.run(["files", "check", verifyCap]).exitCode == 0)
            #expect(try fixture.cli.run(["repo", "verify"]).exitCode == 0)
            // A verify-cap cannot decrypt.
            let refused = try fixture.readBack(verifyCap, to: "refused")
            #expect(refused.exitCode == 2 && refused.errorOutput.contains("verify-cap cannot decrypt"))
            #expect(fixture.output("refused") == nil)
        }
    }

    @Test("one share too many lost: a clear error, exit 4, and no output file at all")
    func tooManyLost() async throws {
        try await OffPool.run {
            let fixture = try Fixture(size: 1 << 20)
            defer { fixture.dir.remove() }
            let rows = try fixture.shareCIDs()
            for index in 0..<5 { unlink(fixture.blockPath(rows[2][index])) }
            let get = try fixture.readBack()
            #expect(get.exitCode == 4)
            #expect(get.errorOutput.contains("segment 2 has 2 valid shares; 3 are needed"))
            #expect(fixture.output() == nil && fixture.output("out.partial") == nil)
            let check = try fixture.cli.run(["files", "check", fixture.readCap])
            #expect(check.exitCode == 4 && check.output.contains("UNRECOVERABLE"))
        }
    }

    @Test("flipped bits, a truncated share and another file's share on disk are read around; damage is reported")
    func damagedSharesOnDisk() async throws {
        try await OffPool.run {
            let fixture = try Fixture(size: 1 << 20)
            defer { fixture.dir.remove() }
            let other = try fixture.cli.succeed(["add", "--private", "-q", "--shares", "3/7", "--segment-size", "262144",
                                                 try fixture.dir.write("other", TestData.pattern(count: 1 << 20))],
                                                environment: Self.passphrase)
            let otherRows = try fixture.shareCIDs(of: try Capability(other).manifest)
            let rows = try fixture.shareCIDs()
            #expect(otherRows.count == rows.count)
            var random = SeededRandom(seed: 3)
            for (row, otherRow) in zip(rows, otherRows) {
                // share 0: one flipped bit; share 1: truncated; share 2: replaced by a share of the same size from elsewhere
                let flip = fixture.blockPath(row[0])
                var bytes = Array(try #require(FileManager.default.contents(atPath: flip)))
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 0x10
                #expect(FileManager.default.createFile(atPath: flip, contents: Data(bytes)))
                #expect(truncate(fixture.blockPath(row[1]), 1000) == 0)
                // The other file's share 2 of the same segment: same size, valid in its own place.
                let foreign = Array(try #require(FileManager.default.contents(atPath: fixture.blockPath(otherRow[2]))))
                #expect(FileManager.default.createFile(atPath: fixture.blockPath(row[2]), contents: Data(foreign)))
            }
            let get = try fixture.readBack()
            #expect(get.exitCode == 0, "\(get.errorOutput)")
            #expect(fixture.output() == fixture.bytes)
            let check = try fixture.cli.run(["files", "check", fixture.readCap, "--json"])
            #expect(check.exitCode == 5)
            let segments = try #require(try TestJSON.object(check.stdout)["segments"] as? [[String: Any]])
            #expect(segments.allSatisfy { $0["damaged"] as? [Int] == [0, 1, 2] })
            let verify = try fixture.cli.run(["repo", "verify"])
            #expect(verify.exitCode != 0, "repo verify reports the damaged share files too")
        }
    }

    @Test("bad caps and manifests: typo, wrong key, malformed manifest — each a clear error, never bytes")
    func badInput() async throws {
        try await OffPool.run {
            let fixture = try Fixture(size: 100_000)
            defer { fixture.dir.remove() }
            // A typo in the cap.
            var typo = Array(fixture.readCap)
            typo[30] = typo[30] == "a" ? "b" : "a"
            let typoRun = try fixture.readBack(String(typo))
            #expect(typoRun.exitCode == 2 && typoRun.errorOutput.contains("checksum"))
            // The right manifest with another key.
            let wrongKey = Capability.read(manifest: fixture.capability.manifest, key: .random()).text
            let wrong = try fixture.readBack(wrongKey)
            #expect(wrong.exitCode == 10 && wrong.errorOutput.contains("key does not belong"))
            #expect(!wrong.errorOutput.contains(String(wrongKey.dropFirst(14))))
            #expect(fixture.output() == nil)
            // A well-formed block whose manifest says k > n.
            var manifestBytes = Array(try #require(FileManager.default.contents(atPath: fixture.blockPath(fixture.capability.manifest))))
            let node = try PBNode(decoding: manifestBytes)
            var data = try #require(node.data)
            (data[10], data[11]) = (9, 7)
            manifestBytes = PBNode(links: node.links, data: data).encoded()
            let crafted = try Block(data: manifestBytes, codec: .dagPB, version: .v1)
            try FileManager.default.createDirectory(atPath: (fixture.blockPath(crafted.cid) as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: fixture.blockPath(crafted.cid), contents: Data(manifestBytes)))
            guard case .read(_, let key) = fixture.capability else { Issue.record("not a read-cap"); return }
            let malformed = try fixture.readBack(Capability.read(manifest: crafted.cid, key: key).text)
            #expect(malformed.exitCode == 5 && malformed.errorOutput.contains("malformed manifest"), "\(malformed.errorOutput)")
            // Not a cap at all, and a verify-cap given to cat.
            #expect(try fixture.cli.run(["cat", "cairn-read-v2-abc"]).exitCode == 2)
            // Standard input and directories are refused with a reason.
            let stdin = try fixture.cli.run(["add", "--private", "-"], environment: Self.passphrase)
            #expect(stdin.exitCode == 2 && stdin.errorOutput.contains("needs files"))
            let bad = try fixture.cli.run(["add", "--private", "--shares", "7/3", fixture.input], environment: Self.passphrase)
            #expect(bad.exitCode == 2 && bad.errorOutput.contains("1 ≤ K < N ≤ 255"), "\(bad.errorOutput)")
        }
    }

    @Test("the keyring survives export → wipe → import; rotation keeps files readable; wrong passphrases are refused")
    func keyringLifecycle() async throws {
        try await OffPool.run {
            let fixture = try Fixture(size: 200_000)
            defer { fixture.dir.remove() }
            let second = try fixture.cli.succeed(["add", "--private", "-q", try fixture.dir.write("two", TestData.pattern(count: 50_000))],
                                                 environment: Self.passphrase)
            let keyring = fixture.dir.path("repo/keyring")
            let mode = try #require(FileManager.default.attributesOfItem(atPath: keyring)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0)
            let listed = try fixture.cli.succeed(["files", "ls"], environment: Self.passphrase)
            #expect(listed.contains(fixture.readCap) && listed.contains(second))

            let backup = fixture.dir.path("backup.keyring")
            _ = try fixture.cli.succeed(["key", "export", "-o", backup], environment: Self.passphrase)
            #expect(unlink(keyring) == 0)
            #expect(try fixture.cli.run(["files", "ls"], environment: Self.passphrase).exitCode == 4)
            let wrong = try fixture.cli.run(["key", "import", backup], environment: ["CAIRN_PASSPHRASE": "wrong"])
            #expect(wrong.exitCode == 10)
            _ = try fixture.cli.succeed(["key", "import", backup], environment: Self.passphrase)
            #expect(try fixture.cli.run(["key", "import", backup], environment: Self.passphrase).exitCode == 2, "needs --force")
            let restored = try TestJSON.array(try fixture.cli.run(["files", "ls", "--json"], environment: Self.passphrase).stdout)
            #expect(Set(restored.compactMap { $0["readCap"] as? String }) == [fixture.readCap, second])
            for (index, cap) in [fixture.readCap, second].enumerated() {
                #expect(try fixture.readBack(cap, to: "restored\(index)").exitCode == 0)
            }
            #expect(fixture.output("restored0") == fixture.bytes)

            // Rotation: new root key and passphrase; the same caps come back out and read.
            let sealedBefore = try #require(FileManager.default.contents(atPath: keyring))
            let rotate = try fixture.cli.run(["key", "rotate"], environment: Self.passphrase.merging(["CAIRN_NEW_PASSPHRASE": "new one"]) { $1 })
            #expect(rotate.exitCode == 0 && rotate.output.contains("re-wrapped 2"), "\(rotate.errorOutput)")
            #expect(FileManager.default.contents(atPath: keyring) != sealedBefore)
            #expect(try fixture.cli.run(["files", "ls"], environment: Self.passphrase).exitCode == 10)
            let after = try fixture.cli.succeed(["files", "ls"], environment: ["CAIRN_PASSPHRASE": "new one"])
            #expect(after.contains(fixture.readCap) && after.contains(second))
            // The passphrase can also come from a file descriptor.
            let viaFD = try CommandRunner.run("/bin/sh", ["-c", "\"$0\" files ls --passphrase-fd 3 3<<EOF\nnew one\nEOF", fixture.cli.binary],
                                              environment: ["CAIRN_PATH": fixture.cli.repository])
            #expect(viaFD.exitCode == 0 && viaFD.output.contains(second), "\(viaFD.errorOutput)")
        }
    }

    @Test("files rm forgets the key and unpins; after gc the shares are gone from this disk")
    func remove() async throws {
        try await OffPool.run {
            let fixture = try Fixture(size: 300_000)
            defer { fixture.dir.remove() }
            let rows = try fixture.shareCIDs()
            let removed = try fixture.cli.run(["files", "rm", fixture.readCap, "--json"], environment: Self.passphrase)
            #expect(removed.exitCode == 0, "\(removed.errorOutput)")
            let report = try TestJSON.object(removed.stdout)
            #expect(report["forgotten"] as? Bool == true && report["unpinned"] as? Bool == true)
            #expect(try fixture.cli.succeed(["files", "ls"], environment: Self.passphrase).isEmpty)
            _ = try fixture.cli.succeed(["repo", "gc"])
            #expect(rows.joined().allSatisfy { !FileManager.default.fileExists(atPath: fixture.blockPath($0)) })
            let get = try fixture.readBack()
            #expect(get.exitCode == 4)
            #expect(try fixture.cli.run(["files", "rm", fixture.readCap], environment: Self.passphrase).exitCode == 4)
        }
    }
}
