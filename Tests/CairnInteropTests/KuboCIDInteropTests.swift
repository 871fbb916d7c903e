import CairnTestSupport
import Foundation
import Testing

/// Compares `cairn add` with kubo 0.22's `ipfs add` (through `../shared/tools/kubo-peer hash`, run in a
/// loopback-only network namespace) on files and directories chosen to hit every importer edge:
/// empty, one byte, chunk boundaries, the 174-link boundary, multi-level trees, nested and unicode
/// directories, symlinks, dotfiles and HAMT-sharded directories.
@Suite(.serialized, .enabled(if: KuboInterop.available, "kubo-peer not found (set CAIRN_INTEROP=1 to require it)"))
struct KuboCIDInteropTests {
    static let chunk = 262_144

    /// One input: a path under the scratch directory and the cairn flags that match kubo's defaults for it.
    struct Input {
        let name: String
        let extraFlags: [String]
    }

    @Test func filesAndDirectoriesGetKubosCIDs() async throws {
        try await OffPool.run {
            let scratch = try TemporaryDirectory(prefix: "cairn-interop")
            defer { scratch.remove() }
            let inputs = try makeInputs(in: scratch)
            let kubo = try KuboInterop.hash(inputs.map { scratch.path($0.name) })
            let cairn = CairnCLI(repository: scratch.path("unused-repo"))
            var mismatches: [String] = []
            for input in inputs {
                let path = scratch.path(input.name)
                let ours = try cairn.succeed(["add", "-Q", "-n"] + input.extraFlags + [path])
                let theirs = kubo[path] ?? "<kubo printed nothing>"
                if ours != theirs { mismatches.append("\(input.name): cairn \(ours), kubo \(theirs)") }
            }
            #expect(mismatches.isEmpty, "CIDs differ from kubo:\n\(mismatches.joined(separator: "\n"))")
            #expect(kubo.count == inputs.count)
        }
    }

    private func makeInputs(in scratch: TemporaryDirectory) throws -> [Input] {
        var inputs: [Input] = []
        func file(_ name: String, _ bytes: [UInt8]) throws {
            try scratch.write(name, bytes)
            inputs.append(Input(name: name, extraFlags: []))
        }
        func randomFile(_ name: String, _ count: Int, seed: UInt64) throws {
            try TestData.writeRandom(count: count, seed: seed, to: scratch.path(name))
            inputs.append(Input(name: name, extraFlags: []))
        }
        try file("empty", [])
        try file("one-byte", [0x61])
        try file("hello", Array("hello world\n".utf8))
        try file("chunk-minus-1", TestData.pattern(count: Self.chunk - 1))
        try file("chunk", TestData.pattern(count: Self.chunk))
        try file("chunk-plus-1", TestData.pattern(count: Self.chunk + 1))
        try randomFile("random-1MB", 1_000_003, seed: 1)
        try randomFile("174-chunks", 174 * Self.chunk, seed: 2)
        try randomFile("174-chunks-plus-1", 174 * Self.chunk + 1, seed: 3)
        try randomFile("three-hundred-MiB", 300 << 20, seed: 4)

        // A nested tree with unicode names, an empty directory and a symlink.
        try scratch.write("tree/a.txt", Array("alpha\n".utf8))
        try scratch.write("tree/Zeta.txt", Array("capital sorts first\n".utf8))
        try scratch.write("tree/sub/deeper/ünïcødé-名前.txt", Array("unicode\n".utf8))
        try scratch.write("tree/sub/big.bin", TestData.pattern(count: 3 * Self.chunk + 17))
        try FileManager.default.createDirectory(atPath: scratch.path("tree/empty-dir"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("tree/sub/link"), withDestinationPath: "../a.txt")
        inputs.append(Input(name: "tree", extraFlags: ["-r"]))

        // kubo-peer's AddFile includes dotfiles, like `ipfs add -r -H`.
        try scratch.write("dotted/.hidden", Array("secret\n".utf8))
        try scratch.write("dotted/visible", Array("plain\n".utf8))
        inputs.append(Input(name: "dotted", extraFlags: ["-r", "-H"]))

        // Over kubo's 256 KiB estimated-size threshold: a HAMT-sharded directory.
        let padding = String(repeating: "x", count: 60)
        for i in 0..<4_200 {
            try scratch.write("sharded/entry-\(i)-\(padding)", Array("\(i)\n".utf8))
        }
        inputs.append(Input(name: "sharded", extraFlags: ["-r"]))

        // Just under the threshold stays a basic directory.
        for i in 0..<2_000 {
            try scratch.write("unsharded/file\(i)", Array("\(i)\n".utf8))
        }
        inputs.append(Input(name: "unsharded", extraFlags: ["-r"]))
        return inputs
    }
}

/// Access to kubo's CIDs through `kubo-peer`.
enum KuboInterop {
    /// Whether the kubo-peer tool is present (required when CAIRN_INTEROP=1).
    static var available: Bool { TestEnvironment.kuboPeer != nil || TestEnvironment.interopRequired }

    /// Returns kubo's CID for each path, from one `kubo-peer hash` run inside a loopback-only sandbox.
    static func hash(_ paths: [String]) throws -> [String: String] {
        guard let tool = TestEnvironment.kuboPeer else {
            throw CommandRunner.Failure(description: "CAIRN_INTEROP=1 but ../shared/tools/kubo-peer was not found")
        }
        let result = try CommandRunner.run(tool, ["sandbox", "--", tool, "hash"] + paths, timeout: .seconds(900))
        guard result.exitCode == 0 else {
            throw CommandRunner.Failure(description: "kubo-peer hash exited \(result.exitCode): \(result.errorOutput)")
        }
        var map: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { map[String(parts[1])] = String(parts[0]) }
        }
        return map
    }
}
