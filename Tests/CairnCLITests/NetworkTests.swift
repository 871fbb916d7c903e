import CairnTestSupport
import Foundation
import Testing

/// Many real `cairn daemon` processes on 127.0.0.1: content found through the DHT and fetched over
/// Bitswap, a provider killed mid-transfer, a node restarted from its saved routing table.
@Suite("Daemon network", .serialized, .timeLimit(.minutes(10)))
struct NetworkTests {
    static func json(_ text: String) throws -> [String: Any] { try TestJSON.object(text) }

    static func bitswapBytesReceived(_ daemon: DaemonProcess) throws -> Int {
        try json(try daemon.cli.succeed(["bitswap", "stat", "--json"]))["DataReceived"] as? Int ?? 0
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        FileManager.default.contentsEqual(atPath: a, andPath: b)
    }

    @Test("12 daemons bootstrapped to one seed: content added on one is found through the DHT and fetched by the others")
    func twelveNodes() async throws {
        try await OffPool.run {
            let scratch = try TemporaryDirectory(prefix: "cairn-net12")
            defer { scratch.remove() }
            let seed = try DaemonProcess(directory: scratch.path("node-0"))
            var nodes = [seed]
            for index in 1..<12 {
                nodes.append(try DaemonProcess(directory: scratch.path("node-\(index)"), arguments: ["--bootstrap", seed.address]))
            }
            let file = scratch.path("data.bin")
            try TestData.writeRandom(count: 3 * 1024 * 1024 + 4321, seed: 12, to: file)
            let cid = try nodes[5].cli.succeed(["add", "-Q", file])

            // A node that never connected to node 5 finds it as a provider through the DHT.
            let finder = nodes[11]
            try DaemonTestWait.until("node 11 to find node 5 as a provider", seconds: 60) {
                try finder.cli.succeed(["dht", "findprovs", cid, "--timeout", "5"]).contains(nodes[5].peerID)
            }
            #expect(try finder.cli.succeed(["dht", "findpeer", nodes[5].peerID]).contains("/tcp/\(nodes[5].port)"))
            for index in [11, 7, 2] {
                let out = scratch.path("got-\(index).bin")
                try nodes[index].cli.succeed(["get", cid, "-o", out], timeout: .seconds(120))
                #expect(Self.sameFile(file, out), "node \(index) got different bytes")
            }
            // Offline reads of the fetched content work (it is in node 11's repository now).
            nodes[11].stop()
            #expect(try nodes[11].cli.run(["cat", cid]).stdout.count == 3 * 1024 * 1024 + 4321)
            for node in nodes { node.stop() }
        }
    }

    @Test("a provider killed mid-transfer: the fetch completes from the second provider, byte-identical")
    func providerKilledMidTransfer() async throws {
        try await OffPool.run {
            let scratch = try TemporaryDirectory(prefix: "cairn-net-kill")
            defer { scratch.remove() }
            let first = try DaemonProcess(directory: scratch.path("first"))
            let second = try DaemonProcess(directory: scratch.path("second"), arguments: ["--bootstrap", first.address])
            let fetcher = try DaemonProcess(directory: scratch.path("fetcher"),
                                            arguments: ["--bootstrap", first.address, "--bootstrap", second.address])
            let size = 160 * 1024 * 1024
            let file = scratch.path("big.bin")
            try TestData.writeRandom(count: size, seed: 160, to: file)
            let cid = try first.cli.succeed(["add", "-Q", file], timeout: .seconds(300))
            #expect(try second.cli.succeed(["add", "-Q", file], timeout: .seconds(300)) == cid)
            try DaemonTestWait.until("the fetcher to be connected to both providers") {
                let peers = try fetcher.cli.succeed(["swarm", "peers"])
                return peers.contains(first.peerID) && peers.contains(second.peerID)
            }

            let out = scratch.path("got.bin")
            let get = try fetcher.cli.start(["get", cid, "-o", out])
            // Kill the first provider as soon as data flows, well before the end.
            var receivedAtKill = 0
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                receivedAtKill = (try? Self.bitswapBytesReceived(fetcher)) ?? 0
                if receivedAtKill > 0 { break }
                Thread.sleep(forTimeInterval: 0.01)
            }
            first.stop(kill: true)
            #expect(receivedAtKill > 0 && receivedAtKill < size, "the kill came at \(receivedAtKill) of \(size) bytes")
            get.waitUntilExit()
            #expect(get.terminationStatus == 0)
            #expect(Self.sameFile(file, out))
            second.stop()
            fetcher.stop()
        }
    }

    @Test("a node restarted without bootstrap flags rejoins from its saved routing table")
    func restartFromSavedRoutingTable() async throws {
        try await OffPool.run {
            let scratch = try TemporaryDirectory(prefix: "cairn-net-restart")
            defer { scratch.remove() }
            let seed = try DaemonProcess(directory: scratch.path("seed"))
            let others = try (0..<3).map { try DaemonProcess(directory: scratch.path("peer-\($0)"), arguments: ["--bootstrap", seed.address]) }
            let node = try DaemonProcess(directory: scratch.path("node"), arguments: ["--bootstrap", seed.address])
            try DaemonTestWait.until("the node to know the network", seconds: 60) {
                try node.cli.succeed(["swarm", "peers"]).split(separator: "\n").count >= 2
            }
            node.stop()  // graceful: the routing table is saved
            try node.start(arguments: [])
            try DaemonTestWait.until("the restarted node to reconnect without bootstrap peers", seconds: 60) {
                try node.cli.succeed(["swarm", "peers"]).contains(seed.peerID)
            }
            // And it can still find content through the DHT.
            let file = scratch.path("after.bin")
            try TestData.writeRandom(count: 300_000, seed: 3, to: file)
            let cid = try others[2].cli.succeed(["add", "-Q", file])
            try node.cli.succeed(["get", cid, "-o", scratch.path("after-got.bin")], timeout: .seconds(120))
            #expect(Self.sameFile(file, scratch.path("after-got.bin")))
            for daemon in others + [seed, node] { daemon.stop() }
        }
    }

    @Test("cat of content nobody has fails with a network error in bounded time, and the daemon stays up")
    func missingContentTimesOut() async throws {
        try await OffPool.run {
            let scratch = try TemporaryDirectory(prefix: "cairn-net-missing")
            defer { scratch.remove() }
            let node = try DaemonProcess(directory: scratch.path("node"))
            let absent = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
            let result = try node.cli.run(["cat", absent, "--timeout", "2"], timeout: .seconds(60))
            #expect(result.exitCode == 9, "exit \(result.exitCode): \(result.errorOutput)")
            #expect(node.isRunning)
            node.stop()
        }
    }
}
