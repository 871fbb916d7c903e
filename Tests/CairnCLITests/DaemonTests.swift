import CairnTestSupport
import Foundation
import Testing

/// Real `cairn daemon` processes on 127.0.0.1: the control API, swarm commands, restarts, errors.
@Suite("Daemon processes", .serialized)
struct DaemonTests {
    static func json(_ text: String) throws -> [String: Any] { try TestJSON.object(text) }

    static func peers(of daemon: DaemonProcess) throws -> Set<String> {
        let report = try json(try daemon.cli.succeed(["swarm", "peers", "--json"]))
        return Set((report["Peers"] as? [[String: Any]] ?? []).compactMap { $0["Peer"] as? String })
    }

    static func waitFor(_ what: String, seconds: Double = 30, _ condition: () throws -> Bool) throws {
        try DaemonTestWait.until(what, seconds: seconds, condition)
    }

    @Test("id, swarm connect/peers/disconnect across two daemons; commands without a daemon exit 8")
    func swarmCommands() async throws {
        try await OffPool.run {
            let directory = try TemporaryDirectory(prefix: "daemons")
            defer { directory.remove() }
            let a = try DaemonProcess(directory: directory.path("a"))
            let b = try DaemonProcess(directory: directory.path("b"))
            let id = try Self.json(try a.cli.succeed(["id", "--json"]))
            #expect(id["ID"] as? String == a.peerID)
            #expect((id["Addresses"] as? [String]) == [a.address])

            #expect(try b.cli.succeed(["swarm", "connect", a.address]) == "connect \(a.peerID) success")
            try Self.waitFor("a to see b") { try Self.peers(of: a) == [b.peerID] }
            #expect(try Self.peers(of: b) == [a.peerID])
            let agent = try Self.json(try b.cli.succeed(["swarm", "peers", "--json"]))
            #expect((agent["Peers"] as? [[String: Any]])?.first?["Agent"] as? String == "cairn/0.1.0")

            try a.cli.succeed(["swarm", "disconnect", b.peerID])
            try Self.waitFor("b to notice the disconnect") { try Self.peers(of: b).isEmpty }

            // Errors: a bad address is bad input (2), an unreachable peer a network failure (9),
            // disconnecting a stranger not found (4).
            #expect(try b.cli.run(["swarm", "connect", "/ip4/127.0.0.1/tcp/notaport"]).exitCode == 2)
            let closedPort = try DaemonProcess.freePort()
            let unreachable = try b.cli.run(["swarm", "connect", "/ip4/127.0.0.1/tcp/\(closedPort)/p2p/\(a.peerID)"])
            #expect(unreachable.exitCode == 9)
            #expect(unreachable.errorOutput.contains("could not connect"))
            #expect(try b.cli.run(["swarm", "disconnect", a.peerID]).exitCode == 4)

            a.stop()
            #expect(a.terminationStatus == 0)
            #expect(!FileManager.default.fileExists(atPath: directory.path("a/api")))
            let offline = try a.cli.run(["swarm", "peers"])
            #expect(offline.exitCode == 8)
            #expect(offline.errorOutput.contains("cairn daemon"))
            // Offline `id` still works, without addresses.
            #expect((try Self.json(try a.cli.succeed(["id", "--json"]))["Addresses"] as? [String]) == [])
            b.stop()
        }
    }

    @Test("a second daemon on the same repository is refused with exit 7; a killed daemon's stale api file is ignored")
    func oneDaemonPerRepository() async throws {
        try await OffPool.run {
            let directory = try TemporaryDirectory(prefix: "daemons")
            defer { directory.remove() }
            let a = try DaemonProcess(directory: directory.path("a"))
            let second = try a.cli.run(["daemon", "--listen", "/ip4/127.0.0.1/tcp/0"], timeout: .seconds(30))
            #expect(second.exitCode == 7)
            #expect(second.errorOutput.contains("already runs"))
            a.stop(kill: true)
            #expect(FileManager.default.fileExists(atPath: directory.path("a/api")))
            #expect(try a.cli.run(["swarm", "peers"]).exitCode == 8)
            try a.start()
            #expect(try Self.peers(of: a).isEmpty)
            a.stop()
        }
    }

    @Test("a killed and restarted node rejoins through its bootstrap peer")
    func restartRejoins() async throws {
        try await OffPool.run {
            let directory = try TemporaryDirectory(prefix: "daemons")
            defer { directory.remove() }
            let seed = try DaemonProcess(directory: directory.path("seed"))
            let node = try DaemonProcess(directory: directory.path("node"), arguments: ["--bootstrap", seed.address])
            try Self.waitFor("node to reach the seed") { try Self.peers(of: node).contains(seed.peerID) }
            node.stop(kill: true)
            try Self.waitFor("the seed to drop the node") { !(try Self.peers(of: seed)).contains(node.peerID) }
            try node.start()
            try Self.waitFor("the restarted node to rejoin") { try Self.peers(of: seed).contains(node.peerID) }
            node.stop()
            seed.stop()
        }
    }

    @Test("devnet up/status/stop/start/down through the CLI (run as a child process whose pipes must not leak to the daemons)")
    func devnetLifecycle() async throws {
        try await OffPool.run {
            let directory = try TemporaryDirectory(prefix: "devnet")
            defer { directory.remove() }
            let cli = CairnCLI(repository: directory.path("unused"))
            let dir = directory.path("net")
            defer { _ = try? cli.run(["devnet", "down", "--clean", "--dir", dir], timeout: .seconds(60)) }
            let up = try cli.run(["devnet", "up", "--nodes", "3", "--dir", dir, "--json"], timeout: .seconds(120))
            #expect(up.exitCode == 0, "devnet up: \(up.errorOutput)")
            try DaemonTestWait.until("every node to have two peers") {
                let statuses = try JSONSerialization.jsonObject(with: try cli.run(["devnet", "status", "--json", "--dir", dir]).stdout) as? [[String: Any]]
                return statuses?.count == 3 && statuses?.allSatisfy { ($0["connectedPeers"] as? Int) == 2 } == true
            }
            #expect(try cli.run(["devnet", "stop", "1", "--dir", dir]).exitCode == 0)
            let afterStop = try JSONSerialization.jsonObject(with: try cli.run(["devnet", "status", "--json", "--dir", dir]).stdout) as? [[String: Any]]
            #expect(afterStop?.map { $0["running"] as? Bool } == [true, false, true])
            #expect(try cli.run(["devnet", "start", "1", "--dir", dir]).exitCode == 0)
            // Node 1 talks to the others again, and content moves between nodes.
            let node0 = CairnCLI(repository: dir + "/node-0")
            let node1 = CairnCLI(repository: dir + "/node-1")
            let file = directory.path("f.bin")
            try TestData.writeRandom(count: 700_000, seed: 5, to: file)
            let cid = try node0.succeed(["add", "-Q", file])
            try node1.succeed(["get", cid, "-o", directory.path("g.bin")], timeout: .seconds(120))
            #expect(FileManager.default.contentsEqual(atPath: file, andPath: directory.path("g.bin")))
            let down = try cli.run(["devnet", "down", "--clean", "--dir", dir], timeout: .seconds(60))
            #expect(down.output.contains("stopped 3 nodes"))
            #expect(!FileManager.default.fileExists(atPath: dir))
        }
    }
}
