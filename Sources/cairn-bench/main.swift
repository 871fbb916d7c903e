#if canImport(Glibc)
import Glibc
#endif
import CairnCore
import Foundation

/// `cairn-bench`: prints throughput and memory figures for the storage path by running the real
/// `cairn` executable (built beside this one) on a generated file.
///
///     swift build -c release && .build/release/cairn-bench [--size-mib 1024] [--runs 3]
///     .build/release/cairn-bench network [--size-mib 1024] [--runs 2] [--dht-nodes 30]   (see NetworkBenchmark)
///     .build/release/cairn-bench erasure [--size-mib 256] [--share-kib 64]             (see ErasureBenchmark)
///     .build/release/cairn-bench private [--size-mib 1024] [--runs 2] [--shares 10/20] [--all-shares] [--keep]
///                                                                                      (see PrivateBenchmark)
///     .build/release/cairn-bench storage-network [--size-mib 1024] [--providers 12] [--shares 6/12] [--reads 20] [--keep]
///                                                                                      (see StorageNetworkBenchmark)
///
/// Figures: `add --only-hash` MB/s, `add` (crash-safe, stored) MB/s, `cat` MB/s, and the peak RSS
/// of the `cairn` processes. The input is generated once and read from the page cache, as a user
/// adding a file they just wrote would.
struct BenchmarkOptions {
    var sizeMiB = 1024
    var runs = 3
    var keep = false

    init(arguments: [String]) {
        var it = arguments.dropFirst().makeIterator()
        while let arg = it.next() {
            switch arg {
            case "--size-mib": sizeMiB = it.next().flatMap(Int.init) ?? sizeMiB
            case "--runs": runs = it.next().flatMap(Int.init) ?? runs
            case "--keep": keep = true
            default:
                FileHandle.standardError.write(Data("usage: cairn-bench [--size-mib N] [--runs N] [--keep]\n".utf8))
                exit(64)
            }
        }
    }
}

/// One timed run of a child process.
struct Measurement {
    let seconds: Double
    let peakRSSKiB: Int
}

/// Runs `binary` with `arguments`, sending its standard output to `standardOutput` (discarded by
/// default), and measures wall time and the child's peak RSS.
func measure(_ binary: String, _ arguments: [String], environment: [String: String],
             standardOutput: String = "/dev/null") throws -> Measurement {
    var attributes = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&attributes)
    defer { posix_spawn_file_actions_destroy(&attributes) }
    posix_spawn_file_actions_addopen(&attributes, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([binary] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { env.forEach { free($0) } }
    var pid: pid_t = 0
    let start = ContinuousClock.now
    guard posix_spawn(&pid, binary, &attributes, nil, argv, env) == 0 else {
        throw BenchmarkError(message: "cannot start \(binary)")
    }
    var status: Int32 = 0
    var usage = rusage()
    guard wait4(pid, &status, 0, &usage) == pid else { throw BenchmarkError(message: "wait4 failed") }
    let elapsed = ContinuousClock.now - start
    guard status == 0 else { throw BenchmarkError(message: "\(arguments.joined(separator: " ")) exited with status \(status)") }
    return Measurement(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                       peakRSSKiB: usage.ru_maxrss)
}

/// A failure that stops the benchmark.
struct BenchmarkError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Writes `bytes` of pseudo-random data from `seed` to `path` in 4 MiB pieces.
func writeInput(path: String, bytes: Int, seed: UInt64 = 0x5eed) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
        throw BenchmarkError(message: "cannot create \(path)")
    }
    defer { try? handle.close() }
    var state: UInt64 = seed
    var buffer = [UInt64](repeating: 0, count: 512 * 1024)
    var written = 0
    while written < bytes {
        for i in buffer.indices {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            buffer[i] = z ^ (z >> 27)
        }
        let n = min(buffer.count * 8, bytes - written)
        try buffer.withUnsafeBytes { try handle.write(contentsOf: Data($0.prefix(n))) }
        written += n
    }
}

/// A one-shot signal from a helper thread to the benchmark's main thread.
final class Completion: @unchecked Sendable {
    // @unchecked Sendable: `done` is only read and written while holding `condition`'s lock.
    private let condition = NSCondition()
    private var done = false

    func signal() {
        condition.lock()
        done = true
        condition.signal()
        condition.unlock()
    }

    func wait() {
        condition.lock()
        while !done { condition.wait() }
        condition.unlock()
    }
}

/// SHA-256 throughput of this machine on 256 KiB blocks with one and with two threads: the ceiling
/// that `add --only-hash` is measured against.
func hashingCeiling(megabytesPerThread: Int) -> (oneThread: Double, twoThreads: Double) {
    let blockBytes = 256 * 1024
    let blocksPerThread = megabytesPerThread * 1_000_000 / blockBytes
    @Sendable func hashBlocks() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockBytes, alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0xA5)
        for _ in 0..<blocksPerThread { _ = Multihash.sha256(UnsafeRawBufferPointer(buffer)) }
    }
    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
    let bytes = Double(blocksPerThread * blockBytes) / 1e6
    let clock = ContinuousClock()
    let one = clock.measure { hashBlocks() }
    let two = clock.measure {
        let completion = Completion()
        let worker = Thread {
            hashBlocks()
            completion.signal()
        }
        worker.start()
        hashBlocks()
        completion.wait()
    }
    return (bytes / seconds(one), 2 * bytes / seconds(two))
}

func run() throws {
    let options = BenchmarkOptions(arguments: CommandLine.arguments)
    let cairn = try cairnExecutable()
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-bench-\(getpid())").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { if !options.keep { try? FileManager.default.removeItem(atPath: work) } }
    let input = work + "/input.bin"
    let bytes = options.sizeMiB << 20
    print("cairn-bench: \(options.sizeMiB) MiB input, \(options.runs) runs each, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    let ceiling = hashingCeiling(megabytesPerThread: 512)
    print(String(format: "sha-256 ceiling            1 thread %7.1f MB/s  2 threads %7.1f MB/s", ceiling.oneThread, ceiling.twoThreads))
    try writeInput(path: input, bytes: bytes)
    let megabytes = Double(bytes) / 1e6

    func report(_ name: String, _ runs: [Measurement]) {
        let best = runs.map(\.seconds).min() ?? 0
        let median = runs.map(\.seconds).sorted()[runs.count / 2]
        let peak = runs.map(\.peakRSSKiB).max() ?? 0
        print(String(format: "%-26@ best %7.1f MB/s  median %7.1f MB/s  peak RSS %6.1f MiB",
                     name as NSString, megabytes / best, megabytes / median, Double(peak) / 1024))
    }

    var hashRuns: [Measurement] = []
    for _ in 0..<options.runs {
        hashRuns.append(try measure(cairn, ["add", "-Q", "-n", input], environment: ["CAIRN_PATH": work + "/unused"]))
    }
    report("add --only-hash", hashRuns)

    var addRuns: [Measurement] = []
    for run in 0..<options.runs {
        let repo = work + "/repo-\(run)"
        _ = try measure(cairn, ["init", "--repo", repo], environment: [:])
        addRuns.append(try measure(cairn, ["add", "-Q", "--repo", repo, input], environment: [:]))
    }
    report("add (stored, synced)", addRuns)
    let resolve = Process()
    resolve.executableURL = URL(fileURLWithPath: cairn)
    resolve.arguments = ["add", "-Q", "-n", input]
    let pipe = Pipe()
    resolve.standardOutput = pipe
    try resolve.run()
    resolve.waitUntilExit()
    let cid = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)

    var catRuns: [Measurement] = []
    for _ in 0..<options.runs {
        catRuns.append(try measure(cairn, ["cat", "--repo", work + "/repo-0", cid], environment: [:]))
    }
    report("cat", catRuns)
    print("root CID: \(cid)")
}

do {
    // `network` selects the networked figures, `erasure` the Reed–Solomon figures, `private` the
    // private-file figures, `storage-network` the provider-network figures; anything else is the
    // storage benchmark, as before.
    if CommandLine.arguments.dropFirst().first == "network" {
        try await NetworkBenchmark.main(arguments: CommandLine.arguments.dropFirst(2))
    } else if CommandLine.arguments.dropFirst().first == "erasure" {
        try ErasureBenchmark.main(arguments: CommandLine.arguments.dropFirst(2))
    } else if CommandLine.arguments.dropFirst().first == "storage-network" {
        try await StorageNetworkBenchmark.main(arguments: CommandLine.arguments.dropFirst(2))
    } else if CommandLine.arguments.dropFirst().first == "private" {
        try PrivateBenchmark.main(arguments: CommandLine.arguments.dropFirst(2))
    } else {
        try run()
    }
} catch {
    FileHandle.standardError.write(Data("cairn-bench: \(error)\n".utf8))
    exit(1)
}

/// The `cairn` executable built beside this one.
/// - Throws: ``BenchmarkError`` when it is missing (the release build has not run).
func cairnExecutable() throws -> String {
    let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let cairn = binDir.appendingPathComponent("cairn").path
    guard FileManager.default.isExecutableFile(atPath: cairn) else {
        throw BenchmarkError(message: "\(cairn) not found: run `swift build -c release` first")
    }
    return cairn
}
