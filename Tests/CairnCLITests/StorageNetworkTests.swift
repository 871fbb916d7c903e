import CairnCore
import CairnTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The storage network with real daemons on 127.0.0.1: an owner places a private file on providers under
/// contracts, then providers are killed, frozen, corrupted, emptied and restarted on purpose. Every test
/// asserts that no byte is lost or wrong, and prints what it measured (time to detect, time to repair).
@Suite("Storage network", .serialized, .timeLimit(.minutes(20)))
struct StorageNetworkTests {
    static let passphrase = ["CAIRN_PASSPHRASE": "storage network test passphrase"]

    /// An owner daemon and `providerCount` provider daemons (devnet timers), all bootstrapped to the owner.
    final class Network: @unchecked Sendable {
        // @unchecked Sendable: used from one test thread.
        let scratch: TemporaryDirectory
        let owner: DaemonProcess
        var providers: [DaemonProcess] = []

        init(providers count: Int, prefix: String) throws {
            scratch = try TemporaryDirectory(prefix: prefix)
            owner = try DaemonProcess(directory: scratch.path("owner"), arguments: ["--storage-profile", "devnet"])
            for index in 0..<count {
                providers.append(try DaemonProcess(directory: scratch.path("provider-\(index)"),
                                                   arguments: ["--bootstrap", owner.address, "--provide", "256MiB", "--storage-profile", "devnet"]))
            }
            try DaemonTestWait.until("the owner to know \(count) providers", seconds: 90) {
                try self.knownProviders(self.owner).count >= count
            }
        }

        func remove() {
            for daemon in providers + [owner] {
                if daemon.pid > 0 { kill(daemon.pid, SIGCONT) }
                daemon.stop()
            }
            scratch.remove()
        }

        /// The owner's provider rows, by peer ID.
        func knownProviders(_ node: DaemonProcess) throws -> [String: [String: Any]] {
            let report = try TestJSON.object(try node.cli.succeed(["providers", "--json"]))
            var rows: [String: [String: Any]] = [:]
            for row in report["providers"] as? [[String: Any]] ?? [] {
                if let peer = row["peer"] as? String, row["up"] as? Bool == true { rows[peer] = row }
            }
            return rows
        }

        /// Adds `bytes` as a private file on the owner and places it; returns the read-cap and the placement.
        func addPrivate(_ bytes: [UInt8], name: String, shares: String) throws -> (readCap: String, placement: [String: Any]) {
            let path = try scratch.write(name, bytes)
            let out = try owner.cli.succeed(Self.addArguments(path, shares: shares), environment: StorageNetworkTests.passphrase,
                                            timeout: .seconds(300))
            return try Self.parseAdd(Data(out.utf8))
        }

        /// `add --private --json` of `path` in 64 KiB segments.
        static func addArguments(_ path: String, shares: String) -> [String] {
            ["add", "--private", "--json", "--shares", shares, "--segment-size", "65536", path]
        }

        /// The read-cap and the placement report of `add --private --json` output.
        static func parseAdd(_ output: Data) throws -> (readCap: String, placement: [String: Any]) {
            let entry = try #require(try TestJSON.array(output).first)
            let file = try #require(entry["file"] as? [String: Any])
            return (try #require(file["readCap"] as? String), try #require(entry["placement"] as? [String: Any]))
        }

        /// `files status --json` on `node`.
        func status(_ cap: String, on node: DaemonProcess? = nil) throws -> [String: Any] {
            let result = try (node ?? owner).cli.run(["files", "status", "--json", cap])
            return try TestJSON.object(result.stdout)
        }

        func minimumHealthy(_ cap: String, on node: DaemonProcess? = nil) throws -> Int {
            try status(cap, on: node)["minimumHealthy"] as? Int ?? -1
        }

        /// The provider daemons holding shares of the file.
        func holders(_ cap: String) throws -> [DaemonProcess] {
            let peers = Set(try status(cap)["providers"] as? [String] ?? [])
            return providers.filter { peers.contains($0.peerID) }
        }

        /// Reads the file back through the owner's daemon and checks every byte.
        func readBack(_ cap: String, expecting bytes: [UInt8], label: String, from node: DaemonProcess? = nil) throws {
            let out = scratch.path("read-\(label).bin")
            _ = try (node ?? owner).cli.succeed(["get", cap, "-o", out], timeout: .seconds(300))
            let got = try #require(FileManager.default.contents(atPath: out))
            #expect(Array(got) == bytes, "\(label): the bytes read back differ")
        }

        /// When the owner first recorded an event of `kind` at or after `time`.
        func firstEvent(_ kind: String, after time: Date) throws -> Date? {
            let report = try TestJSON.object(try owner.cli.run(["health", "--json"]).stdout)
            let formatter = ISO8601DateFormatter()
            return (report["events"] as? [[String: Any]] ?? []).compactMap { event -> Date? in
                guard event["kind"] as? String == kind, let text = event["at"] as? String, let at = formatter.date(from: text) else { return nil }
                return at >= time.addingTimeInterval(-1) ? at : nil
            }.min()
        }

        /// The share files a provider holds on disk.
        static func shareFiles(_ provider: DaemonProcess) -> [String] {
            let root = provider.cli.repository + "/shares"
            let enumerator = FileManager.default.enumerator(atPath: root)
            var files: [String] = []
            while let path = enumerator?.nextObject() as? String {
                let full = root + "/" + path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                   path.hasSuffix(".data") || !path.contains(".") {
                    files.append(full)
                }
            }
            return files.filter { !$0.contains("/staging") && !$0.hasSuffix("SHARDING") && !$0.contains("_README") }
        }
    }

    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededRandom(seed: seed)
        return generator.bytes(count)
    }

    static func elapsed(since start: Date) -> String { String(format: "%.1f s", Date().timeIntervalSince(start)) }

    @Test("SIGKILL n−k providers of a file: it reads back exactly, repair restores full health; time to detect and to repair")
    func killProvidersAndRepair() async throws {
        try await OffPool.run {
            let net = try Network(providers: 9, prefix: "cairn-storage-kill")
            defer { net.remove() }
            let bytes = Self.random(600_000, seed: 51)
            let (cap, placement) = try net.addPrivate(bytes, name: "kill.bin", shares: "3/6")
            #expect(placement["unplacedColumns"] as? Int == 0)
            #expect(try net.minimumHealthy(cap) == 6)
            // Contracts and shares really are on the providers; the owner kept no share.
            let holders = try net.holders(cap)
            #expect(holders.count == 6)
            for holder in holders { #expect(!Network.shareFiles(holder).isEmpty) }

            let killed = Array(holders.prefix(3))
            let start = Date()
            for provider in killed { provider.stop(kill: true) }
            try net.readBack(cap, expecting: bytes, label: "three-down")
            try DaemonTestWait.until("the owner to repair the file to full health on other providers", seconds: 120) {
                let status = try net.status(cap)
                return status["minimumHealthy"] as? Int == 6
                    && Set(status["providers"] as? [String] ?? []).isDisjoint(with: killed.map(\.peerID))
            }
            let repaired = Date()
            // Detection time from the owner's own record: its first OBJECT_DEGRADED event after the kill.
            let detectedAt = try net.firstEvent("OBJECT_DEGRADED", after: start)
            print("[storage] 3/6, 3 of 6 providers SIGKILLed: detected in \(detectedAt.map { String(format: "%.1f", $0.timeIntervalSince(start)) } ?? "?") s, fully repaired in \(String(format: "%.1f", repaired.timeIntervalSince(start))) s")
            #expect(detectedAt != nil)
            let newHolders = Set(try net.holders(cap).map(\.peerID))
            #expect(newHolders.isDisjoint(with: killed.map(\.peerID)))
            #expect(newHolders.count == 6)
            try net.readBack(cap, expecting: bytes, label: "after-repair")
            let health = try net.owner.cli.run(["health", "--json"])
            let report = try TestJSON.object(health.stdout)
            #expect((report["recentEvents"] as? [String: Int])?["REPAIR_DONE"] ?? 0 >= 1)
        }
    }

    @Test("a provider silently deletes its shares: audits catch it, it is excluded, its shares are repaired elsewhere")
    func silentDeletionCaughtByAudit() async throws {
        try await OffPool.run {
            let net = try Network(providers: 8, prefix: "cairn-storage-delete")
            defer { net.remove() }
            let bytes = Self.random(400_000, seed: 52)
            let (cap, _) = try net.addPrivate(bytes, name: "delete.bin", shares: "3/6")
            let cheat = try #require(try net.holders(cap).first)
            let files = Network.shareFiles(cheat)
            #expect(!files.isEmpty)
            let start = Date()
            for file in files { try FileManager.default.removeItem(atPath: file) }
            // It keeps answering offers (it claims the space) but fails audits.
            try DaemonTestWait.until("audits to exclude the provider", seconds: 120) {
                let row = try net.knownProviders(net.owner)[cheat.peerID]
                return row?["standing"] as? String == "excluded"
            }
            let excludedAt = Date()
            try DaemonTestWait.until("its shares to be repaired elsewhere", seconds: 120) {
                let status = try net.status(cap)
                return status["minimumHealthy"] as? Int == 6 && !(status["providers"] as? [String] ?? []).contains(cheat.peerID)
            }
            print("[storage] provider deleted its shares: excluded after \(String(format: "%.1f", excludedAt.timeIntervalSince(start))) s, repaired after \(Self.elapsed(since: start))")
            let row = try #require(try net.knownProviders(net.owner)[cheat.peerID])
            #expect((row["auditsFailed"] as? Int ?? 0) >= 1)
            try net.readBack(cap, expecting: bytes, label: "after-deletion")
        }
    }

    @Test("a provider serves corrupted bytes: no wrong byte reaches the reader and the provider is penalised")
    func corruptedProviderPenalised() async throws {
        try await OffPool.run {
            let net = try Network(providers: 6, prefix: "cairn-storage-corrupt")
            defer { net.remove() }
            let bytes = Self.random(500_000, seed: 53)
            let (cap, _) = try net.addPrivate(bytes, name: "corrupt.bin", shares: "3/6")
            // Flip a bit in every share the first two (data) holders keep.
            let holders = try net.holders(cap)
            for holder in holders.prefix(2) {
                for file in Network.shareFiles(holder) {
                    var data = try #require(FileManager.default.contents(atPath: file))
                    data[data.count / 2] ^= 0x10
                    try data.write(to: URL(fileURLWithPath: file))
                }
            }
            for round in 0..<3 { try net.readBack(cap, expecting: bytes, label: "corrupt-\(round)") }
            let rows = try net.knownProviders(net.owner)
            let penalised = holders.prefix(2).filter { holder in
                let row = rows[holder.peerID] ?? [:]
                return (row["badData"] as? Int ?? 0) + (row["auditsFailed"] as? Int ?? 0) > 0
            }
            #expect(penalised.count == 2, "both corrupting providers are penalised")
        }
    }

    @Test("providers frozen (SIGSTOP) mid-download: the download completes from the others in bounded time")
    func frozenProviderDuringDownload() async throws {
        try await OffPool.run {
            let net = try Network(providers: 6, prefix: "cairn-storage-freeze")
            defer { net.remove() }
            let bytes = Self.random(24 << 20, seed: 54)
            let (cap, _) = try net.addPrivate(bytes, name: "freeze.bin", shares: "3/6")
            let holders = try net.holders(cap)
            let out = net.scratch.path("frozen.bin")
            let start = Date()
            let get = try net.owner.cli.start(["get", cap, "-o", out])
            // Freeze two holders once the download is under way (the .partial file has bytes).
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, get.isRunning {
                let size = (try? FileManager.default.attributesOfItem(atPath: out + ".partial")[.size] as? Int) ?? 0
                if size > 0 { break }
                Thread.sleep(forTimeInterval: 0.005)
            }
            let frozenAt = Date()
            for provider in holders.prefix(2) { kill(provider.pid, SIGSTOP) }
            get.waitUntilExit()
            let seconds = Date().timeIntervalSince(start)
            for provider in holders.prefix(2) { kill(provider.pid, SIGCONT) }
            #expect(get.terminationStatus == 0)
            let got = try #require(FileManager.default.contents(atPath: out))
            #expect(Array(got) == bytes)
            print("[storage] 24 MiB read, 2 of 6 providers frozen \(String(format: "%.2f", frozenAt.timeIntervalSince(start))) s in: done in \(String(format: "%.2f", seconds)) s")
            #expect(seconds < 90)
        }
    }

    @Test("a provider freezes (SIGSTOP) mid-upload: a spare races it and the add completes; back, it is told the contract is cancelled and frees the space")
    func frozenProviderDuringUpload() async throws {
        try await OffPool.run {
            let net = try Network(providers: 10, prefix: "cairn-storage-upload-freeze")
            defer { net.remove() }
            let bytes = Self.random(24 << 20, seed: 57)
            let path = try net.scratch.write("upload-freeze.bin", bytes)
            let finished = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var outcome: Result<CommandResult, any Error>?
            let start = Date()
            DispatchQueue.global().async {
                outcome = Result {
                    try net.owner.cli.run(Network.addArguments(path, shares: "3/6"), environment: StorageNetworkTests.passphrase,
                                          timeout: .seconds(300))
                }
                finished.signal()
            }
            // Freeze the first provider that receives a share (spares are only asked when a column needs them).
            var frozen: DaemonProcess?
            let deadline = Date().addingTimeInterval(120)
            while frozen == nil, Date() < deadline, finished.wait(timeout: .now() + .milliseconds(5)) == .timedOut {
                frozen = net.providers.first { !Network.shareFiles($0).isEmpty }
            }
            let straggler = try #require(frozen, "no provider received a share")
            kill(straggler.pid, SIGSTOP)
            let frozenAt = Date().timeIntervalSince(start)
            finished.wait()
            let seconds = Date().timeIntervalSince(start)
            let result = try #require(try outcome?.get())
            #expect(result.exitCode == 0, "add failed: \(result.errorOutput)")
            let (cap, placement) = try Network.parseAdd(result.stdout)
            let placedOn = placement["providers"] as? [String] ?? []
            #expect(!placedOn.contains(straggler.peerID), "the frozen provider still holds a column")
            #expect(placement["reassignedColumns"] as? Int ?? 0 >= 1)
            #expect(try net.minimumHealthy(cap) == 6)
            print("[storage] 24 MiB add, 1 of 6 providers frozen \(String(format: "%.2f", frozenAt)) s in: placed in \(String(format: "%.2f", seconds)) s")
            kill(straggler.pid, SIGCONT)
            let resumed = Date()
            try DaemonTestWait.until("the thawed provider to release its shares", seconds: 60) {
                Network.shareFiles(straggler).isEmpty
            }
            print("[storage] thawed provider released its shares \(Self.elapsed(since: resumed)) after SIGCONT")
            try net.readBack(cap, expecting: bytes, label: "after-upload-freeze")
        }
    }

    @Test("restart of every node: contracts, scorecards and share locations survive; the file reads back")
    func restartEveryNode() async throws {
        try await OffPool.run {
            let net = try Network(providers: 6, prefix: "cairn-storage-restart")
            defer { net.remove() }
            let bytes = Self.random(300_000, seed: 55)
            let (cap, _) = try net.addPrivate(bytes, name: "restart.bin", shares: "3/6")
            try DaemonTestWait.until("a first round of audits", seconds: 60) {
                try net.knownProviders(net.owner).values.contains { ($0["auditsPassed"] as? Int ?? 0) > 0 }
            }
            let before = try net.status(cap)
            let auditsBefore = try net.knownProviders(net.owner).values.reduce(0) { $0 + ($1["auditsPassed"] as? Int ?? 0) }
            for daemon in net.providers + [net.owner] { daemon.stop() }
            try net.owner.start()
            for provider in net.providers { try provider.start() }
            let after = try net.status(cap)
            #expect(after["providers"] as? [String] == before["providers"] as? [String])
            let auditsAfter = try net.knownProviders(net.owner).values.reduce(0) { $0 + ($1["auditsPassed"] as? Int ?? 0) }
            #expect(auditsAfter >= auditsBefore)
            try DaemonTestWait.until("the file to be fully healthy again", seconds: 60) { try net.minimumHealthy(cap) == 6 }
            try net.readBack(cap, expecting: bytes, label: "after-restart")
        }
    }

    @Test("the owner is offline while a delegated repair agent repairs the file")
    func delegatedRepairWhileOwnerOffline() async throws {
        try await OffPool.run {
            let net = try Network(providers: 9, prefix: "cairn-storage-delegate")
            defer { net.remove() }
            let agent = try DaemonProcess(directory: net.scratch.path("agent"), arguments: ["--bootstrap", net.owner.address, "--storage-profile", "devnet"])
            defer { agent.stop() }
            let bytes = Self.random(400_000, seed: 56)
            let (cap, _) = try net.addPrivate(bytes, name: "delegate.bin", shares: "3/6")
            _ = try net.owner.cli.succeed(["files", "delegate", cap, agent.peerID])
            try DaemonTestWait.until("the agent to know the providers", seconds: 60) { try net.knownProviders(agent).count >= 6 }
            #expect(try net.minimumHealthy(cap, on: agent) == 6)
            net.owner.stop()
            let agentProviders = Set(try net.status(cap, on: agent)["providers"] as? [String] ?? [])
            let doomed = net.providers.filter { agentProviders.contains($0.peerID) }.prefix(3)
            for provider in doomed { provider.stop(kill: true) }
            let start = Date()
            try DaemonTestWait.until("the agent to repair the file", seconds: 120) {
                let healthy = try net.minimumHealthy(cap, on: agent)
                let providers = try net.status(cap, on: agent)["providers"] as? [String] ?? []
                return healthy == 6 && Set(providers).isDisjoint(with: doomed.map(\.peerID))
            }
            print("[storage] delegated agent repaired 3 lost providers with the owner offline in \(Self.elapsed(since: start))")
            try net.owner.start()
            try net.readBack(cap, expecting: bytes, label: "after-delegated-repair")
        }
    }

    @Test("a reader holding only the read-cap reads with the owner offline: holders from the DHT, the index from the providers")
    func readCapOnlyReaderWithTheOwnerOffline() async throws {
        try await OffPool.run {
            let net = try Network(providers: 7, prefix: "cairn-storage-reader")
            defer { net.remove() }
            // A plain node that never saw the file: no contracts, no locations, no delegation.
            let reader = try DaemonProcess(directory: net.scratch.path("reader"),
                                           arguments: ["--bootstrap", net.providers[0].address, "--storage-profile", "devnet"])
            defer { reader.stop() }
            let bytes = Self.random(700_000, seed: 77)
            let placed = Date()
            let (cap, _) = try net.addPrivate(bytes, name: "shared.bin", shares: "3/6")
            let manifest = try #require(try net.status(cap)["manifest"] as? String)
            let holders = try net.holders(cap)
            #expect(holders.count == 6)
            try DaemonTestWait.until("every holder to pin the file's manifest", seconds: 60) {
                try holders.allSatisfy { holder in
                    let pins = try TestJSON.array(Data(try holder.cli.succeed(["pin", "ls", "--json"]).utf8))
                    return pins.contains { $0["cid"] as? String == manifest }
                }
            }
            print("[storage] every holder kept the file's index \(Self.elapsed(since: placed)) after the add began")
            // The holders' announcements have reached the DHT as the reader sees it.
            try DaemonTestWait.until("the reader to find the holders in the DHT", seconds: 60) {
                let found = try reader.cli.succeed(["dht", "findprovs", manifest, "--timeout", "5"])
                return holders.filter { found.contains($0.peerID) }.count == holders.count
            }
            net.owner.stop()
            let start = Date()
            try net.readBack(cap, expecting: bytes, label: "reader-owner-offline", from: reader)
            print("[storage] read-cap-only reader, owner offline: read in \(Self.elapsed(since: start))")
            // n − k holders gone as well: the reader still gets every byte from the other three.
            for holder in holders.prefix(3) { holder.stop(kill: true) }
            try net.readBack(cap, expecting: bytes, label: "reader-owner-and-3-holders-offline", from: reader)
        }
    }

    @Test("files rm on the owner cancels the file's contracts and revokes its delegation: every holder frees its shares and drops the file's index")
    func removingAFileReleasesItsStorage() async throws {
        try await OffPool.run {
            let net = try Network(providers: 6, prefix: "cairn-storage-rm")
            defer { net.remove() }
            let agent = try DaemonProcess(directory: net.scratch.path("agent"), arguments: ["--bootstrap", net.owner.address, "--storage-profile", "devnet"])
            defer { agent.stop() }
            let bytes = Self.random(300_000, seed: 88)
            let (cap, _) = try net.addPrivate(bytes, name: "gone.bin", shares: "3/6")
            _ = try net.owner.cli.succeed(["files", "delegate", cap, agent.peerID])
            #expect(try net.minimumHealthy(cap, on: agent) == 6)
            let manifest = try #require(try net.status(cap)["manifest"] as? String)
            let holders = try net.holders(cap)
            #expect(holders.count == 6)
            func pins(_ node: DaemonProcess) throws -> [[String: Any]] {
                try TestJSON.array(Data(try node.cli.succeed(["pin", "ls", "--json"]).utf8))
            }
            try DaemonTestWait.until("every holder to pin the file's index", seconds: 60) {
                try holders.allSatisfy { try pins($0).contains { $0["cid"] as? String == manifest } }
            }
            let out = try net.owner.cli.succeed(["files", "rm", "--json", cap], environment: StorageNetworkTests.passphrase)
            let report = try TestJSON.object(Data(out.utf8))
            let storage = try #require(report["storage"] as? [String: Any])
            let contracts = try #require(storage["contracts"] as? Int)
            #expect(contracts >= 6)
            #expect(storage["cancelled"] as? Int == contracts)
            #expect(storage["agentsRevoked"] as? Int == 1)
            #expect(report["forgotten"] as? Bool == true)
            // The agent was told: it no longer looks after the file either.
            #expect(try agent.cli.run(["files", "status", "--json", cap]).exitCode == 4)
            let start = Date()
            try DaemonTestWait.until("every holder to free the shares and drop the index", seconds: 60) {
                try holders.allSatisfy { holder in
                    try Network.shareFiles(holder).isEmpty && !pins(holder).contains { $0["cid"] as? String == manifest }
                }
            }
            print("[storage] files rm: \(contracts) contracts cancelled; holders freed the space and dropped the index within \(Self.elapsed(since: start))")
            // The owner no longer looks after it, and keeps no pin of it.
            #expect(try net.owner.cli.run(["files", "status", "--json", cap]).exitCode == 4)
            #expect(try pins(net.owner).isEmpty, "the owner still pins blocks of the removed file")
        }
    }

    @Test("files rm while the owner's daemon is stopped: the cancellations go out when it runs again")
    func removingAFileOfflineReleasesItsStorageOnTheNextRun() async throws {
        try await OffPool.run {
            let net = try Network(providers: 6, prefix: "cairn-storage-rm-offline")
            defer { net.remove() }
            let bytes = Self.random(200_000, seed: 89)
            let (cap, _) = try net.addPrivate(bytes, name: "later.bin", shares: "3/6")
            let holders = try net.holders(cap)
            #expect(holders.count == 6)
            net.owner.stop()
            let out = try net.owner.cli.succeed(["files", "rm", "--json", cap], environment: StorageNetworkTests.passphrase)
            let storage = try #require(try TestJSON.object(Data(out.utf8))["storage"] as? [String: Any])
            #expect(storage["cancelled"] as? Int == 0)
            #expect(storage["pending"] as? Int ?? 0 >= 6)
            #expect(holders.allSatisfy { !Network.shareFiles($0).isEmpty }, "nothing is cancelled before the daemon runs")
            try net.owner.start()
            let start = Date()
            try DaemonTestWait.until("every holder to free the shares", seconds: 60) {
                holders.allSatisfy { Network.shareFiles($0).isEmpty }
            }
            print("[storage] files rm offline: holders freed the space \(Self.elapsed(since: start)) after the daemon started")
        }
    }

    @Test("churn: providers are killed and new ones join while files are added and read; at the end every file reads back exactly and is fully healthy")
    func churn() async throws {
        try await OffPool.run {
            let net = try Network(providers: 8, prefix: "cairn-storage-churn")
            defer { net.remove() }
            let seconds = Double(ProcessInfo.processInfo.environment["CAIRN_CHURN_SECONDS"] ?? "") ?? 120
            var files: [(cap: String, bytes: [UInt8])] = []
            var generator = SeededRandom(seed: 57)
            var killed = 0
            var joined = 0
            var reads = 0
            let start = Date()
            var round = 0
            while Date().timeIntervalSince(start) < seconds {
                round += 1
                let bytes = Self.random(150_000 + round * 7_919, seed: 570 + UInt64(round))
                files.append((try net.addPrivate(bytes, name: "churn-\(round).bin", shares: "3/6").readCap, bytes))
                // A provider that holds shares dies for good; a new one joins.
                let alive = net.providers.filter(\.isRunning)
                if let victim = alive.randomElement(using: &generator) {
                    victim.stop(kill: true)
                    killed += 1
                }
                net.providers.append(try DaemonProcess(directory: net.scratch.path("provider-join-\(round)"),
                                                       arguments: ["--bootstrap", net.owner.address, "--provide", "256MiB", "--storage-profile", "devnet"]))
                joined += 1
                // Read an earlier file while the network changes.
                if let pick = files.randomElement(using: &generator) {
                    try net.readBack(pick.cap, expecting: pick.bytes, label: "churn-read-\(round)")
                    reads += 1
                }
                Thread.sleep(forTimeInterval: 6)
            }
            let churnEnded = Date()
            try DaemonTestWait.until("every file to be fully healthy after the churn", seconds: 180) {
                try files.allSatisfy { try net.minimumHealthy($0.cap) == 6 }
            }
            print("[storage] churn for \(String(format: "%.0f", churnEnded.timeIntervalSince(start))) s: \(files.count) files added, \(killed) providers killed, \(joined) joined, \(reads) reads during churn; all healthy \(Self.elapsed(since: churnEnded)) after it stopped")
            for (index, file) in files.enumerated() { try net.readBack(file.cap, expecting: file.bytes, label: "churn-final-\(index)") }
        }
    }

    @Test("a provider asked to offer more than its disk has offers only what the disk holds, and reports used and free truthfully")
    func providerNeverOffersMoreThanItsDisk() async throws {
        try await OffPool.run {
            let scratch = try TemporaryDirectory(prefix: "cairn-storage-space")
            defer { scratch.remove() }
            let owner = try DaemonProcess(directory: scratch.path("owner"), arguments: ["--storage-profile", "devnet"])
            defer { owner.stop() }
            let provider = try DaemonProcess(directory: scratch.path("provider"),
                                             arguments: ["--bootstrap", owner.address, "--provide", "1000000TiB", "--storage-profile", "devnet"])
            defer { provider.stop() }
            var info = statvfs()
            #expect(statvfs(scratch.path("provider"), &info) == 0)
            let diskFree = UInt64(info.f_bavail) * UInt64(info.f_frsize)
            var row: [String: Any] = [:]
            try DaemonTestWait.until("the owner to see the provider's offer", seconds: 60) {
                let report = try TestJSON.object(try owner.cli.succeed(["providers", "--json"]))
                row = (report["providers"] as? [[String: Any]] ?? []).first { $0["peer"] as? String == provider.peerID } ?? [:]
                return row["capacityByteCount"] != nil
            }
            let offered = try #require(row["capacityByteCount"] as? UInt64)
            #expect(offered <= diskFree, "offered \(offered) bytes with \(diskFree) free on the disk")
            #expect(offered > 0)
            // The provider's own view: promised 0, stored 0, free = what it offers.
            let local = try #require(TestJSON.object(try provider.cli.succeed(["providers", "--json"]))["local"] as? [String: Any])
            #expect(local["committedByteCount"] as? Int == 0)
            #expect(local["storedByteCount"] as? Int == 0)
            #expect((local["freeByteCount"] as? UInt64 ?? .max) <= diskFree)
        }
    }
}
