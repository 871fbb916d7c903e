#if canImport(Glibc)
import CairnTestSupport
import Foundation
import Testing

/// Cairn daemons and a real kubo 0.22 on one loopback network: connections both ways, Bitswap both ways
/// (byte-identical files), and the LAN DHT finding providers and peers across the two implementations.
/// Runs with `CAIRN_KUBO_INTEROP=1` inside `kubo-peer sandbox` (kubo refuses to run elsewhere).
@Suite("Cairn daemons with kubo", .serialized, .timeLimit(.minutes(5)),
       .enabled(if: ProcessInfo.processInfo.environment["CAIRN_KUBO_INTEROP"] == "1"))
struct KuboNetworkInteropTests {
    struct Kubo {
        let process: KuboPeerProcess
        let peerID: String
        let address: String
    }

    static func startKubo(in scratch: TemporaryDirectory, ed25519: Bool) async throws -> Kubo {
        let port = try DaemonProcess.freePort()
        let process = try KuboPeerProcess(repo: scratch.path("kubo-repo"), port: UInt16(port), ed25519: ed25519)
        let ready = try await process.nextObject(seconds: 120)
        guard ready["event"] as? String == "ready", let peerID = ready["peer_id"] as? String else {
            throw CommandRunner.Failure(description: "kubo did not start: \(ready)")
        }
        return Kubo(process: process, peerID: peerID, address: "/ip4/127.0.0.1/tcp/\(port)/p2p/\(peerID)")
    }

    static func kuboPeers(_ kubo: Kubo) async throws -> [String] {
        let answer = try await kubo.process.command(["cmd": "peers"])
        return (answer["peers"] as? [String]) ?? []
    }

    @Test("Cairn and kubo connect both ways and exchange multi-MiB files over Bitswap, byte-identical",
          arguments: [false, true])
    func bitswapBothWays(kuboEd25519: Bool) async throws {
        let scratch = try TemporaryDirectory(prefix: "cairn-kubo-net")
        defer { scratch.remove() }
        let kubo = try await Self.startKubo(in: scratch, ed25519: kuboEd25519)
        defer { Task { await kubo.process.stop() } }
        let cairn = try await OffPool.run { try DaemonProcess(directory: scratch.path("cairn")) }

        // Cairn dials kubo; kubo lists us.
        _ = try await OffPool.run { try cairn.cli.succeed(["swarm", "connect", kubo.address]) }
        #expect(try await Self.kuboPeers(kubo).contains { $0.contains(cairn.peerID) })

        // kubo adds, Cairn fetches over Bitswap.
        let kuboFile = try scratch.write("from-kubo.bin", TestData.pattern(count: 6 * 1024 * 1024 + 12345))
        let added = try await kubo.process.command(["cmd": "add", "path": kuboFile])
        let kuboCID = try #require(added["cid"] as? String)
        _ = try await OffPool.run { try cairn.cli.succeed(["get", kuboCID, "-o", scratch.path("got-from-kubo.bin")], timeout: .seconds(120)) }
        #expect(FileManager.default.contentsEqual(atPath: kuboFile, andPath: scratch.path("got-from-kubo.bin")))

        // Cairn adds, kubo downloads.
        let cairnFile = scratch.path("from-cairn.bin")
        try TestData.writeRandom(count: 5 * 1024 * 1024 + 777, seed: kuboEd25519 ? 7 : 8, to: cairnFile)
        let cairnCID = try await OffPool.run { try cairn.cli.succeed(["add", "-Q", cairnFile]) }
        let downloaded = try await kubo.process.command(
            ["cmd": "download", "cid": cairnCID, "dest": scratch.path("kubo-got.bin"), "timeout": 90], seconds: 120)
        #expect(downloaded["ok"] as? Bool == true, "kubo download failed: \(downloaded)")
        #expect(FileManager.default.contentsEqual(atPath: cairnFile, andPath: scratch.path("kubo-got.bin")))

        // kubo dials Cairn (a fresh daemon it has never seen).
        let second = try await OffPool.run { try DaemonProcess(directory: scratch.path("cairn2")) }
        let connected = try await kubo.process.command(["cmd": "connect", "addr": second.address])
        #expect(connected["ok"] as? Bool == true, "kubo could not dial Cairn: \(connected)")
        try await OffPool.run {
            try DaemonTestWait.until("Cairn to list kubo") {
                try second.cli.succeed(["swarm", "peers"]).contains(kubo.peerID)
            }
            second.stop()
            cairn.stop()
        }
    }

    @Test("the LAN DHT finds providers and peers across Cairn and kubo")
    func dhtAcrossImplementations() async throws {
        let scratch = try TemporaryDirectory(prefix: "cairn-kubo-dht")
        defer { scratch.remove() }
        let kubo = try await Self.startKubo(in: scratch, ed25519: true)
        defer { Task { await kubo.process.stop() } }
        // A Cairn DHT server that kubo and a second Cairn node both know; the two never connect directly first.
        let hub = try await OffPool.run { try DaemonProcess(directory: scratch.path("hub")) }
        let connected = try await kubo.process.command(["cmd": "connect", "addr": hub.address])
        #expect(connected["ok"] as? Bool == true)
        let leaf = try await OffPool.run { try DaemonProcess(directory: scratch.path("leaf"), arguments: ["--bootstrap", hub.address]) }

        // kubo adds (and provides to its LAN DHT, whose only server is the hub); the leaf finds kubo as a
        // provider through the hub, then fetches from it.
        let kuboFile = try scratch.write("kubo.bin", TestData.pattern(count: 3 * 1024 * 1024))
        let kuboCID = try #require(try await kubo.process.command(["cmd": "add", "path": kuboFile])["cid"] as? String)
        try await OffPool.run {
            try DaemonTestWait.until("the leaf to find kubo as a provider", seconds: 60) {
                try leaf.cli.succeed(["dht", "findprovs", kuboCID, "--timeout", "10"]).contains(kubo.peerID)
            }
            try leaf.cli.succeed(["get", kuboCID, "-o", scratch.path("leaf-got.bin")], timeout: .seconds(120))
        }
        #expect(FileManager.default.contentsEqual(atPath: kuboFile, andPath: scratch.path("leaf-got.bin")))

        // kubo finds the leaf's addresses through the hub.
        let found = try await kubo.process.command(["cmd": "findpeer", "peer_id": leaf.peerID, "timeout": 30], seconds: 60)
        #expect(found["ok"] as? Bool == true, "kubo findpeer failed: \(found)")
        #expect(((found["addrs"] as? [String]) ?? []).contains { $0.contains("127.0.0.1/tcp/\(leaf.port)") })

        // A third Cairn node adds a file and provides it; kubo (not connected to it) downloads it by
        // finding the provider record on the hub.
        let sourceFile = scratch.path("source.bin")
        try TestData.writeRandom(count: 2 * 1024 * 1024 + 5, seed: 99, to: sourceFile)
        let (source, sourceCID) = try await OffPool.run {
            let source = try DaemonProcess(directory: scratch.path("source"), arguments: ["--bootstrap", hub.address])
            let sourceCID = try source.cli.succeed(["add", "-Q", sourceFile])
            try DaemonTestWait.until("the hub to know the source as provider", seconds: 60) {
                try hub.cli.succeed(["dht", "findprovs", sourceCID, "--timeout", "10"]).contains(source.peerID)
            }
            return (source, sourceCID)
        }
        let downloaded = try await kubo.process.command(
            ["cmd": "download", "cid": sourceCID, "dest": scratch.path("kubo-from-source.bin"), "timeout": 90], seconds: 120)
        #expect(downloaded["ok"] as? Bool == true, "kubo download through the DHT failed: \(downloaded)")
        #expect(FileManager.default.contentsEqual(atPath: sourceFile, andPath: scratch.path("kubo-from-source.bin")))
        try await OffPool.run { for daemon in [source, leaf, hub] { daemon.stop() } }
    }
}
#endif
