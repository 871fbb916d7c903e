#if canImport(Glibc)
import Glibc
#endif
import CairnDaemon
import Foundation

/// `cairn-bench network`: transfer, time-to-first-byte, DHT-latency and memory figures of real `cairn daemon`
/// processes on 127.0.0.1 (see `docs/benchmarks.md`, section Network).
///
/// Every daemon it starts is stopped on every way out, and its work directory is deleted unless `--keep`.
struct NetworkBenchmark {
    let options: NetworkBenchmarkOptions
    let cairn: CairnCommand
    let work: String
    let input: String

    /// How long one fetch of the input may take before the benchmark gives up.
    static let transferTimeout: Duration = .seconds(900)

    /// Bytes of the input file.
    var byteCount: Int { options.sizeMiB << 20 }
    /// Megabytes (10^6 bytes) of the input file, the unit of every MB/s figure.
    var megabytes: Double { Double(byteCount) / 1e6 }

    /// Runs every figure in order, printing one line per figure.
    static func main(arguments: ArraySlice<String>) async throws {
        guard let options = NetworkBenchmarkOptions(arguments: arguments) else {
            FileHandle.standardError.write(Data(NetworkBenchmarkOptions.usage.utf8))
            exit(64)
        }
        let executable = try cairnExecutable()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-bench-network-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if !options.keep { try? FileManager.default.removeItem(atPath: work) } }
        let benchmark = NetworkBenchmark(options: options, cairn: CairnCommand(executable: executable, scratchDirectory: work),
                                         work: work, input: work + "/input.bin")
        try await benchmark.run()
    }

    private func run() async throws {
        print("cairn-bench network: \(options.sizeMiB) MiB input, \(options.runs) runs each, "
              + "\(options.dhtNodes)-node DHT, \(ProcessInfo.processInfo.activeProcessorCount) cores, all on 127.0.0.1")
        try writeInput(path: input, bytes: byteCount)
        let fleet = DaemonFleet(cairn: cairn, directory: work)
        do {
            try await transferFigures(fleet)
            try await multiProviderFigures(fleet)
        } catch {
            await fleet.stopAll()
            throw error
        }
        await fleet.stopAll()
        try await dhtAndMemoryFigures()
    }

    // MARK: - Figures 1 and 3: one provider

    /// One-hop transfer through the control API, `cairn get` on another node and time to first byte, each
    /// run with fresh fetching nodes bootstrapped to one provider.
    private func transferFigures(_ fleet: DaemonFleet) async throws {
        let origin = try await fleet.start("origin")
        let cid = try await add(input, on: origin)
        print("root CID: \(cid)")
        var fetchSeconds: [Double] = []
        var firstBlockSeconds: [Double] = []
        var getSeconds: [Double] = []
        var catSeconds: [Double] = []
        for run in 0..<options.runs {
            let fetcher = try await fleet.start("fetcher-\(run)", bootstrap: [origin])
            let fetched = try await timedFetch(cid, on: fetcher)
            try await verify(cid, on: fetcher)
            await fleet.stop(fetcher)
            fetchSeconds.append(fetched.seconds)
            if let first = fetched.firstBlockSeconds { firstBlockSeconds.append(first) }

            let getter = try await fleet.start("getter-\(run)", bootstrap: [origin])
            getSeconds.append(try await timedGet(cid, on: getter))
            await fleet.stop(getter)

            let reader = try await fleet.start("reader-\(run)", bootstrap: [origin])
            catSeconds.append(try await cairn.secondsToFirstOutputByte(
                ["cat", "--repo", reader.repository, "--length", "1", cid], timeout: Self.transferTimeout))
            await fleet.stop(reader)
        }
        await fleet.stop(origin)
        printRate("1 provider, control API fetch", fetchSeconds, suffix: "(byte-identical: verified)")
        printRate("1 provider, cairn get -o FILE", getSeconds, suffix: "(wall time of the CLI, byte-identical: verified)")
        printSeconds("time to first block (fetch)", firstBlockSeconds,
                     suffix: "(first progress line with blocks > 0; the daemon sends them at most every 100 ms)")
        printSeconds("time to first byte (cat --length 1)", catSeconds, suffix: "(fresh node, content remote)")
    }

    /// Adds `path` on `daemon`'s repository with `cairn add -Q` (the daemon announces it); returns the root CID.
    func add(_ path: String, on daemon: BenchmarkDaemon) async throws -> String {
        let output = try await cairn.run(["add", "-Q", "--repo", daemon.repository, path], timeout: .seconds(600)).output
        let cid = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !cid.isEmpty else { throw BenchmarkError(message: "cairn add printed no CID") }
        return cid
    }

    /// Fetches `cid` on `daemon` through the control API; returns the seconds from the request to the result
    /// and to the first progress line reporting a fetched block.
    private func timedFetch(_ cid: String, on daemon: BenchmarkDaemon) async throws -> (seconds: Double, firstBlockSeconds: Double?) {
        let start = ContinuousClock.now
        var firstBlock: ContinuousClock.Instant?
        let result = try await daemon.control.call(
            "fetch", FetchParams(path: cid, timeoutSeconds: Self.transferTimeout.seconds), as: FetchProgress.self,
            progress: FetchProgress.self
        ) { progress in
            if firstBlock == nil, progress.blocks > 0 { firstBlock = ContinuousClock.now }
        }
        let elapsed = ContinuousClock.now - start
        guard result.bytes > 0 else { throw BenchmarkError(message: "\(daemon.name) fetched nothing: was \(cid) already local?") }
        return (elapsed.seconds, firstBlock.map { ($0 - start).seconds })
    }

    /// Writes `cid` out of `daemon`'s repository (where it is local now) and checks it equals the input.
    func verify(_ cid: String, on daemon: BenchmarkDaemon) async throws {
        let output = work + "/\(daemon.name).out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        try await cairn.run(["get", "--repo", daemon.repository, cid, "-o", output], timeout: .seconds(300))
        try requireIdentical(output, fetchedBy: daemon)
    }

    /// The wall time of `cairn get CID -o FILE` on `daemon`'s repository (content remote), verified.
    private func timedGet(_ cid: String, on daemon: BenchmarkDaemon) async throws -> Double {
        let output = work + "/\(daemon.name).out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let seconds = try await cairn.run(["get", "--repo", daemon.repository, cid, "-o", output],
                                          timeout: Self.transferTimeout).seconds
        try requireIdentical(output, fetchedBy: daemon)
        return seconds
    }

    private func requireIdentical(_ output: String, fetchedBy daemon: BenchmarkDaemon) throws {
        guard try BenchmarkStatistics.filesAreIdentical(input, output) else {
            throw BenchmarkError(message: "the file \(daemon.name) fetched differs from the input")
        }
    }

    // MARK: - Printing

    /// `name` padded to the width of the longest figure name, so the figures line up.
    func label(_ name: String) -> String {
        name.padding(toLength: 40, withPad: " ", startingAt: 0)
    }

    /// Prints best and median MB/s of transfers of the input that took `seconds`.
    func printRate(_ name: String, _ seconds: [Double], suffix: String = "") {
        guard let best = seconds.min() else { return }
        let median = BenchmarkStatistics.median(seconds)
        print(String(format: "%@ best %7.1f MB/s  median %7.1f MB/s  (best %.2f s) %@",
                     label(name) as NSString, megabytes / best, megabytes / median, best, suffix as NSString))
    }

    /// Prints the best and median of `seconds` in milliseconds.
    func printSeconds(_ name: String, _ seconds: [Double], suffix: String = "") {
        guard let best = seconds.min() else {
            print("\(name): no measurement")
            return
        }
        print(String(format: "%@ best %8.1f ms  median %8.1f ms  %@",
                     label(name) as NSString, best * 1000, BenchmarkStatistics.median(seconds) * 1000, suffix as NSString))
    }
}
