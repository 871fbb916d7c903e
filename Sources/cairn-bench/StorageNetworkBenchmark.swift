#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `cairn-bench storage-network`: the storage network end to end with real `cairn daemon` processes on
/// 127.0.0.1 — upload to providers, download from them, retrieval latency healthy and degraded, and the
/// time and traffic of a repair (see `docs/benchmarks.md`, section Storage network).
///
///     cairn-bench storage-network [--size-mib 1024] [--providers 12] [--shares 6/12] [--reads 20] [--keep]
///
/// One owner daemon and `--providers` provider daemons (devnet storage profile, all bootstrapped to the
/// owner); the owner adds a random file with `add --private --json --shares K/N --segment-size 1048576`,
/// which places the shares on the providers. Every daemon is stopped on every way out, and the work
/// directory (repositories, daemon logs) is deleted unless `--keep`.
struct StorageNetworkBenchmark {
    let options: StorageNetworkOptions
    let cairn: CairnCommand
    let fleet: DaemonFleet
    let work: String

    /// The passphrase of the owner's keyring (handed to `cairn add --private` and `get` in the environment).
    static let passphrase = "cairn-bench storage-network passphrase"
    /// How long the owner may take to see every provider up after they start (a DHT announce every 5 s).
    static let discoveryTimeout: Duration = .seconds(120)
    /// How long one `add` or `get` of the large file may take.
    static let transferTimeout: Duration = .seconds(1800)
    /// How long detection plus repair may take before the benchmark gives up.
    static let repairTimeout: Duration = .seconds(1800)
    /// How often `files status` is polled while waiting for detection and repair.
    static let statusPollInterval: Duration = .milliseconds(200)
    /// Bytes of the small file read `--reads` times for the latency figures.
    static let smallFileByteCount = 1 << 20
    /// The segment size of both files: 1 MiB, as the task specifies.
    static let segmentByteCount = 1 << 20

    /// Parses the arguments after `storage-network` and runs every figure in order.
    static func main(arguments: ArraySlice<String>) async throws {
        guard let options = StorageNetworkOptions(arguments: arguments) else {
            FileHandle.standardError.write(Data(StorageNetworkOptions.usage.utf8))
            exit(64)
        }
        let executable = try cairnExecutable()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-bench-storage-network-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer {
            if options.keep { print("kept work directory \(work)") } else { removeWorkDirectory(work) }
        }
        // `cairn` children get the bench's environment (`environ`), so the keyring passphrase goes there.
        setenv("CAIRN_PASSPHRASE", passphrase, 1)
        let cairn = CairnCommand(executable: executable, scratchDirectory: work)
        let fleet = DaemonFleet(cairn: cairn, directory: work)
        let benchmark = StorageNetworkBenchmark(options: options, cairn: cairn, fleet: fleet, work: work)
        let interrupt = InterruptCleanup(processIDs: fleet.processIDs, work: options.keep ? nil : work)
        defer { interrupt.cancel() }
        do {
            try await benchmark.run()
        } catch {
            await fleet.stopAll()
            throw error
        }
        await fleet.stopAll()
    }

    private func run() async throws {
        print("cairn-bench storage-network: \(options.sizeMiB) MiB file, \(options.providerCount) providers, shares "
              + "\(options.dataShares)/\(options.totalShares), \(options.reads) reads, "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores, all on 127.0.0.1, work dir \(work)")
        let owner = try await fleet.start("owner", extraArguments: ["--storage-profile", "devnet"])
        var providers: [BenchmarkDaemon] = []
        for index in 0..<options.providerCount {
            providers.append(try await startProvider("provider-\(index)", owner: owner))
        }
        let discovery = try await waitForProviders(on: owner, count: providers.count)
        print(label("providers up (owner sees all)") + String(format: "%6.1f s after the last provider started", discovery))

        let big = try await uploadAndDownload(owner: owner, providers: providers)
        try await readCapOnlyDownload(big, bootstrap: providers[0])
        let small = try await addFile(name: "small.bin", byteCount: Self.smallFileByteCount, seed: 0x5a11, on: owner)
        let healthyReads = try await timedReads(small, on: owner)
        printLatency("read 1 MiB, all providers up", healthyReads)

        let spares = try await repairFigures(big, owner: owner, providers: &providers)
        providers += spares
        try await degradedReadFigures(small, owner: owner, providers: providers)
    }

    /// Starts one provider daemon offering enough space for its column of both files, plus a repaired column.
    func startProvider(_ name: String, owner: BenchmarkDaemon) async throws -> BenchmarkDaemon {
        try await fleet.start(name, bootstrap: [owner],
                              extraArguments: ["--provide", "\(options.provideMiB)MiB", "--storage-profile", "devnet"])
    }

    // MARK: - Figures 2 and 3: upload and download

    /// Adds the large file (timed), reports the placement and peak RSS, gets it back (timed) and checks it.
    private func uploadAndDownload(owner: BenchmarkDaemon, providers: [BenchmarkDaemon]) async throws -> PlacedFile {
        let file = try await addFile(name: "input.bin", byteCount: options.sizeMiB << 20, seed: 0x5eed, on: owner)
        let megabytes = Double(file.byteCount) / 1e6
        let mebibytes = Double(file.byteCount) / 1_048_576
        print(label("upload: add --private (wall)") + String(format: "%7.1f MB/s  %7.1f MiB/s  (%.2f s for %d MiB, %d segments)",
                                                           megabytes / file.addSeconds, mebibytes / file.addSeconds,
                                                           file.addSeconds, options.sizeMiB, file.segments))
        print(label("upload: placement only") + String(format: "%7.1f MB/s of shares  (%.1f MB uploaded in %.2f s to %d providers, %.2fx the plaintext)",
                                                     Double(file.bytesUploaded) / 1e6 / file.placementSeconds,
                                                     Double(file.bytesUploaded) / 1e6, file.placementSeconds,
                                                     file.placementProviders, Double(file.bytesUploaded) / Double(file.byteCount)))
        if file.unplacedColumns > 0 { print("  warning: \(file.unplacedColumns) columns found no provider") }

        let output = work + "/download.bin"
        let seconds = try await cairn.run(["get", "--repo", owner.repository, file.readCap, "-o", output],
                                          timeout: Self.transferTimeout).seconds
        guard try BenchmarkStatistics.filesAreIdentical(file.path, output) else {
            throw BenchmarkError(message: "MISMATCH: the downloaded file differs from the input")
        }
        try? FileManager.default.removeItem(atPath: output)
        print(label("download: get READ-CAP -o OUT") + String(format: "%7.1f MB/s  %7.1f MiB/s  (%.2f s, byte-identical: verified)",
                                                            megabytes / seconds, mebibytes / seconds, seconds))
        let providerPeaks = providers.compactMap { Self.peakResidentKiB(pid: $0.process.processIdentifier) }
        if let ownerPeak = Self.peakResidentKiB(pid: owner.process.processIdentifier), let providerPeak = providerPeaks.max() {
            print(label("peak RSS (VmHWM) after add + get") + String(format: "owner %6.1f MiB  providers max %6.1f MiB  median %6.1f MiB",
                                                                    Double(ownerPeak) / 1024, Double(providerPeak) / 1024,
                                                                    BenchmarkStatistics.median(providerPeaks.map(Double.init)) / 1024))
        }
        return file
    }

    /// The large file read by a plain node that holds only the read-cap: no contracts, no locations, so it
    /// finds the holders through the DHT and asks each which shares it holds.
    private func readCapOnlyDownload(_ file: PlacedFile, bootstrap: BenchmarkDaemon) async throws {
        let reader = try await fleet.start("reader", bootstrap: [bootstrap], extraArguments: ["--storage-profile", "devnet"])
        let output = work + "/reader-download.bin"
        let seconds = try await cairn.run(["get", "--repo", reader.repository, file.readCap, "-o", output],
                                          timeout: Self.transferTimeout).seconds
        await fleet.stop(reader)
        guard try BenchmarkStatistics.filesAreIdentical(file.path, output) else {
            throw BenchmarkError(message: "MISMATCH: the file read on the read-cap-only node differs from the input")
        }
        try? FileManager.default.removeItem(atPath: output)
        let megabytes = Double(file.byteCount) / 1e6
        print(label("download on a read-cap-only node") + String(format: "%7.1f MB/s  %7.1f MiB/s  (%.2f s incl. finding the holders in the DHT; byte-identical)",
                                                               megabytes / seconds, Double(file.byteCount) / 1_048_576 / seconds, seconds))
    }

    // MARK: - Figure 4: retrieval latency

    /// The wall times of `options.reads` runs of `cairn get` of `file` (each output checked).
    func timedReads(_ file: PlacedFile, on owner: BenchmarkDaemon) async throws -> [Double] {
        let output = work + "/small.out"
        var seconds: [Double] = []
        for _ in 0..<options.reads {
            seconds.append(try await cairn.run(["get", "--repo", owner.repository, file.readCap, "-o", output],
                                               timeout: .seconds(120)).seconds)
            guard try BenchmarkStatistics.filesAreIdentical(file.path, output) else {
                throw BenchmarkError(message: "MISMATCH: a read of the small file differs from its input")
            }
            try? FileManager.default.removeItem(atPath: output)
        }
        return seconds
    }

    /// SIGKILLs holders of `file` until only k live ones are left — n − k when every holder was up; fewer
    /// when the repair figure already killed some of them and the small file was not repaired yet — then
    /// reads it `options.reads` times.
    private func degradedReadFigures(_ file: PlacedFile, owner: BenchmarkDaemon, providers: [BenchmarkDaemon]) async throws {
        let status = try await fileStatus(file, on: owner)
        let holders = providers.filter { status.providers.contains($0.peerID) && $0.process.isRunning }
        let killCount = holders.count - status.dataShares
        guard killCount > 0 else {
            print("read 1 MiB, holders killed down to k: skipped, only \(holders.count) live holders")
            return
        }
        for holder in holders.prefix(killCount) { fleet.sigkill(holder) }
        let down = status.totalShares - status.dataShares
        printLatency("read 1 MiB, \(down) of \(status.totalShares) holders down", try await timedReads(file, on: owner),
                     suffix: "(\(killCount) SIGKILLed right before the reads, \(down - killCount) killed earlier; k = \(status.dataShares) left)")
    }

    // MARK: - Helpers

    /// Polls `cairn providers --json` on `owner` until `count` providers are up; returns the seconds it took.
    /// - Throws: ``BenchmarkError`` after ``discoveryTimeout``.
    func waitForProviders(on owner: BenchmarkDaemon, count: Int) async throws -> Double {
        let start = ContinuousClock.now
        var up = 0
        while ContinuousClock.now - start < Self.discoveryTimeout {
            let output = try await cairn.run(["providers", "--json", "--repo", owner.repository], timeout: .seconds(30)).output
            let rows = (try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])?["providers"] as? [[String: Any]] ?? []
            up = rows.filter { $0["up"] as? Bool == true }.count
            if up >= count { return (ContinuousClock.now - start).seconds }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw BenchmarkError(message: "the owner sees \(up) of \(count) providers up after \(Self.discoveryTimeout)")
    }

    /// The peak resident set (VmHWM, KiB) of process `pid`, from `/proc/PID/status`; nil when unreadable.
    static func peakResidentKiB(pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// `name` padded so the figures line up.
    func label(_ name: String) -> String {
        name.padding(toLength: 44, withPad: " ", startingAt: 0)
    }

    /// Prints p50, p95 and max of `seconds` in milliseconds.
    func printLatency(_ name: String, _ seconds: [Double], suffix: String = "") {
        print(label(name) + String(format: "p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms  (%d reads, wall time of cairn get incl. process start) %@",
                                   BenchmarkStatistics.percentile(seconds, 0.5) * 1000, BenchmarkStatistics.percentile(seconds, 0.95) * 1000,
                                   (seconds.max() ?? 0) * 1000, seconds.count, suffix as NSString))
    }
}
