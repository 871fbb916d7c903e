#if canImport(Glibc)
import Glibc
#endif
import CairnDaemon
import Foundation

extension NetworkBenchmark {
    /// At least this many `dht.findpeer` lookups are timed.
    static let minimumPeerLookups = 100
    /// How many devnet nodes issue the `dht.findpeer` lookups.
    static let querierCount = 5
    /// How long the devnet sits idle before its memory is read.
    static let idleTime: Duration = .seconds(5)
    /// The longest one `dht.findprovs` call may search.
    static let findProvidersTimeoutSeconds = 10.0
    /// How long `cairn devnet up` and `down` may take.
    static let devnetTimeout: Duration = .seconds(300)

    /// Figures 4 and 5: DHT lookup latency and idle memory in a `--dht-nodes`-node `cairn devnet`, which is
    /// stopped and deleted on every way out.
    func dhtAndMemoryFigures() async throws {
        let directory = work + "/devnet"
        do {
            try await cairn.run(["devnet", "up", "--nodes", String(options.dhtNodes), "--dir", directory],
                                timeout: Self.devnetTimeout)
            let nodes = try await devnetNodes(directory)
            try await Task.sleep(for: Self.idleTime)
            try printMemory(nodes)
            try await findPeerFigure(nodes)
            try await findProvidersFigure(nodes)
        } catch {
            await shutDownDevnet(directory)
            throw error
        }
        await shutDownDevnet(directory)
    }

    /// A devnet node with its control client.
    struct DevnetNode {
        let status: Devnet.NodeStatus
        let control: ControlClient
    }

    /// The devnet's nodes as `cairn devnet status --json` reports them, each with its control client.
    private func devnetNodes(_ directory: String) async throws -> [DevnetNode] {
        let output = try await cairn.run(["devnet", "status", "--json", "--dir", directory], timeout: .seconds(60)).output
        let statuses = try JSONDecoder().decode([Devnet.NodeStatus].self, from: Data(output.utf8))
        var nodes: [DevnetNode] = []
        for status in statuses {
            guard status.running, let control = await ControlClient.connectIfRunning(repositoryPath: status.repository) else {
                throw BenchmarkError(message: "devnet node \(status.index) is not running")
            }
            nodes.append(DevnetNode(status: status, control: control))
        }
        return nodes
    }

    /// `cairn devnet down --clean`; then SIGKILL for any daemon recorded in `devnet.json` still alive (a
    /// devnet whose `up` failed half way, or a daemon that ignored SIGTERM).
    private func shutDownDevnet(_ directory: String) async {
        let recorded = (try? Devnet(directory: directory, executable: cairn.executable).state())?.nodes.map(\.pid) ?? []
        do {
            try await cairn.run(["devnet", "down", "--clean", "--dir", directory], timeout: Self.devnetTimeout)
        } catch {
            FileHandle.standardError.write(Data("cairn-bench: devnet down failed (\(error)); killing its daemons\n".utf8))
        }
        for pid in recorded where pid > 0 && kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Memory

    /// Prints min/median/max VmRSS of the devnet's daemons.
    private func printMemory(_ nodes: [DevnetNode]) throws {
        let mebibytes = try nodes.map { Double(try residentKiB(of: $0.status.pid)) / 1024 }
        print(String(format: "%@ min %6.1f MiB  median %6.1f MiB  max %6.1f MiB  (%d daemons, after %.0f s idle)",
                     label("idle daemon RSS (VmRSS)") as NSString, mebibytes.min() ?? 0, BenchmarkStatistics.median(mebibytes),
                     mebibytes.max() ?? 0, nodes.count, Self.idleTime.seconds))
    }

    /// The `VmRSS` of `pid` from `/proc/PID/status`, in KiB.
    private func residentKiB(of pid: Int32) throws -> Int {
        let path = "/proc/\(pid)/status"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { throw BenchmarkError(message: "cannot read VmRSS from \(path)") }
        return kib
    }

    // MARK: - Lookups

    /// Times `dht.findpeer` from ``querierCount`` nodes for other nodes' peer IDs (each querier walks the
    /// others in a random order) and prints p50/p95.
    private func findPeerFigure(_ nodes: [DevnetNode]) async throws {
        let queriers = stride(from: 0, to: nodes.count, by: max(1, nodes.count / Self.querierCount))
            .prefix(Self.querierCount).map { nodes[$0] }
        let perQuerier = (Self.minimumPeerLookups + queriers.count - 1) / queriers.count
        var seconds: [Double] = []
        var failures = 0
        var alreadyConnected = 0
        for querier in queriers {
            let others = nodes.filter { $0.status.peerID != querier.status.peerID }.shuffled()
            let connected = Set(try await querier.control.call("swarm.peers", NoParams(), as: SwarmPeersReport.self).Peers.map(\.Peer))
            for lookup in 0..<perQuerier {
                let target = others[lookup % others.count].status.peerID
                if connected.contains(target) { alreadyConnected += 1 }
                let start = ContinuousClock.now
                do {
                    _ = try await querier.control.call("dht.findpeer", PeerParams(peer: target), as: PeerAddressesReport.self)
                    seconds.append((ContinuousClock.now - start).seconds)
                } catch {
                    failures += 1
                }
            }
        }
        printLatency("dht.findpeer", seconds, failures: failures,
                     detail: "\(queriers.count) querying nodes; \(alreadyConnected) targets were already connected")
    }

    /// Adds a small fresh file on the last node and times `dht.findprovs` for it from every other node.
    private func findProvidersFigure(_ nodes: [DevnetNode]) async throws {
        guard let provider = nodes.last else { return }
        let path = work + "/provided.bin"
        let bytes = (0..<4096).map { _ in UInt8.random(in: .min ... .max) }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw BenchmarkError(message: "cannot create \(path)")
        }
        let output = try await cairn.run(["add", "-Q", "--repo", provider.status.repository, path], timeout: .seconds(60)).output
        let cid = output.trimmingCharacters(in: .whitespacesAndNewlines)
        var seconds: [Double] = []
        var failures = 0
        for node in nodes.dropLast() {
            let start = ContinuousClock.now
            let report = try? await node.control.call(
                "dht.findprovs", FindProvidersParams(cid: cid, count: 1, timeoutSeconds: Self.findProvidersTimeoutSeconds),
                as: ProvidersReport.self)
            if report?.Providers.contains(where: { $0.ID == provider.status.peerID }) == true {
                seconds.append((ContinuousClock.now - start).seconds)
            } else {
                failures += 1
            }
        }
        printLatency("dht.findprovs (count 1)", seconds, failures: failures, detail: "from every other node")
    }

    /// Prints p50/p95/max of lookup latencies in milliseconds.
    private func printLatency(_ name: String, _ seconds: [Double], failures: Int, detail: String) {
        print(String(format: "%@ p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms  (%d lookups, %d not found; %@)",
                     label(name) as NSString, BenchmarkStatistics.percentile(seconds, 0.5) * 1000,
                     BenchmarkStatistics.percentile(seconds, 0.95) * 1000, (seconds.max() ?? 0) * 1000,
                     seconds.count, failures, detail as NSString))
    }
}
