#if canImport(Glibc)
import Glibc
#endif
import CairnCore
import CairnPrivate
import Foundation

/// `cairn-bench private`: private files end to end with the real `cairn` binary, and the encoder's
/// pipeline alone.
///
///     cairn-bench private [--size-mib 1024] [--runs 2] [--shares 10/20]… [--all-shares] [--segment-size BYTES] [--keep]
///
/// Per (k, n) and run: a fresh repository (`cairn init`), then `cairn add --private -q INPUT --shares K/N`
/// (timed: plaintext MB/s and peak RSS; the first private add also creates the keyring, one scrypt
/// N = 2^15 derivation, ~0.1 s and 32 MiB), then `cairn get READ-CAP -o OUT` (timed the same way), then
/// OUT is compared with the input byte for byte; a difference stops the benchmark. The repository and
/// OUT are removed after each run unless `--keep`.
///
/// The library line encodes the same input with `PrivateFileEncoder` (random key) from a
/// `FilePlaintextInput` into a `DiscardingBlockSink`, with 1 and 2 worker threads: padding, AES-256-GCM,
/// Reed–Solomon and share hashing without any blockstore, so the difference to `add --private` is what
/// storing costs. MB/s counts plaintext bytes, 10^6 per MB.
struct PrivateBenchmark {
    var sizeMiB = 1024
    var runs = 2
    var shares: [ErasureParameters] = []
    var segmentByteCount = ErasureParameters.standard.segmentByteCount
    var keep = false

    static let usage = "usage: cairn-bench private [--size-mib N] [--runs N] [--shares K/N]… [--all-shares] [--segment-size BYTES] [--keep]\n"
    static let allShares = ["3/10", "10/20", "29/80"]

    /// Parses the arguments after `private`; nil when they are not understood.
    init?(arguments: ArraySlice<String>) {
        var it = arguments.makeIterator()
        var shareTexts: [String] = []
        var all = false
        while let arg = it.next() {
            switch arg {
            case "--size-mib": guard let value = it.next().flatMap(Int.init) else { return nil }; sizeMiB = value
            case "--runs": guard let value = it.next().flatMap(Int.init) else { return nil }; runs = value
            case "--shares": guard let value = it.next() else { return nil }; shareTexts.append(value)
            case "--all-shares": all = true
            case "--segment-size": guard let value = it.next().flatMap(Int.init) else { return nil }; segmentByteCount = value
            case "--keep": keep = true
            default: return nil
            }
        }
        guard (1...65536).contains(sizeMiB), (1...100).contains(runs) else { return nil }
        if all { shareTexts = Self.allShares }
        if shareTexts.isEmpty { shareTexts = ["10/20"] }
        for text in shareTexts {
            guard let parameters = try? ErasureParameters(shares: text, segmentByteCount: segmentByteCount) else { return nil }
            shares.append(parameters)
        }
    }

    static func main(arguments: ArraySlice<String>) throws {
        guard let benchmark = PrivateBenchmark(arguments: arguments) else {
            FileHandle.standardError.write(Data(usage.utf8))
            exit(64)
        }
        try benchmark.run()
    }

    func run() throws {
        let cairn = try cairnExecutable()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-bench-private-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: work) } }
        let input = work + "/input.bin"
        let bytes = sizeMiB << 20
        let megabytes = Double(bytes) / 1e6
        print("private: \(sizeMiB) MiB input, \(runs) runs each, \(ProcessInfo.processInfo.activeProcessorCount) cores, work dir \(work)")
        try writeInput(path: input, bytes: bytes)
        let environment = ["CAIRN_PASSPHRASE": "cairn-bench private passphrase"]

        for parameters in shares {
            let k = parameters.dataShareCount, n = parameters.totalShareCount
            let layout = try PrivateLayout(parameters: parameters, plaintextByteCount: bytes)
            print("")
            print(String(format: "shares %d/%d, %d-byte segments, %d segments, %.2f GB stored (%.2fx)",
                         k, n, parameters.segmentByteCount, layout.segmentCount,
                         Double(layout.storedByteCount) / 1e9, Double(layout.storedByteCount) / Double(bytes)))
            let one = try libraryEncode(input: input, layout: layout, workers: 1)
            let two = try libraryEncode(input: input, layout: layout, workers: 2)
            print(String(format: "%-26@ 1 worker %7.1f MB/s  2 workers %7.1f MB/s",
                         "library encode -> discard" as NSString, megabytes / one, megabytes / two))

            var addRuns: [Measurement] = []
            var getRuns: [Measurement] = []
            for run in 0..<runs {
                let repo = work + "/repo-\(k)-\(n)-\(run)"
                let output = work + "/out-\(k)-\(n)-\(run).bin"
                let capFile = work + "/cap-\(k)-\(n)-\(run).txt"
                _ = try measure(cairn, ["init", "--repo", repo], environment: environment)
                let add = try measure(cairn, ["add", "--private", "-q", "--shares", "\(k)/\(n)",
                                              "--segment-size", "\(parameters.segmentByteCount)", "--repo", repo, input],
                                      environment: environment, standardOutput: capFile)
                let cap = try String(contentsOfFile: capFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !cap.isEmpty else { throw BenchmarkError(message: "add --private printed no read-cap") }
                let get = try measure(cairn, ["get", cap, "-o", output, "--repo", repo], environment: environment)
                try compareFiles(input, output)
                print(String(format: "  run %d: add %6.2f s %7.1f MB/s %6.1f MiB RSS   get %6.2f s %7.1f MB/s %6.1f MiB RSS   output identical",
                             run + 1, add.seconds, megabytes / add.seconds, Double(add.peakRSSKiB) / 1024,
                             get.seconds, megabytes / get.seconds, Double(get.peakRSSKiB) / 1024))
                addRuns.append(add)
                getRuns.append(get)
                if !keep {
                    try? FileManager.default.removeItem(atPath: repo)
                    try? FileManager.default.removeItem(atPath: output)
                    try? FileManager.default.removeItem(atPath: capFile)
                }
            }
            report("add --private", addRuns, megabytes: megabytes)
            report("get READ-CAP -o OUT", getRuns, megabytes: megabytes)
        }
    }

    func report(_ name: String, _ runs: [Measurement], megabytes: Double) {
        let best = runs.map(\.seconds).min() ?? 0
        let median = runs.map(\.seconds).sorted()[runs.count / 2]
        let peak = runs.map(\.peakRSSKiB).max() ?? 0
        print(String(format: "%-26@ best %7.1f MB/s  median %7.1f MB/s  peak RSS %6.1f MiB",
                     name as NSString, megabytes / best, megabytes / median, Double(peak) / 1024))
    }

    /// Seconds to encode `input` with `workers` threads into a sink that keeps nothing.
    func libraryEncode(input: String, layout: PrivateLayout, workers: Int) throws -> Double {
        let plaintext = try FilePlaintextInput(path: input)
        let encoder = try PrivateFileEncoder(layout: layout, key: FileKey.random(), workerCount: workers)
        let start = ContinuousClock.now
        let encoded = try encoder.encode(plaintext, into: DiscardingBlockSink())
        let elapsed = (ContinuousClock.now - start).seconds
        guard encoded.plaintextByteCount == plaintext.byteCount else {
            throw BenchmarkError(message: "library encode: \(encoded.plaintextByteCount) bytes encoded, not \(plaintext.byteCount)")
        }
        return elapsed
    }

    /// Throws unless the files at `a` and `b` have the same bytes.
    func compareFiles(_ a: String, _ b: String) throws {
        guard let first = FileHandle(forReadingAtPath: a), let second = FileHandle(forReadingAtPath: b) else {
            throw BenchmarkError(message: "cannot open \(a) or \(b) to compare")
        }
        defer { try? first.close(); try? second.close() }
        var offset = 0
        while true {
            let x = try first.read(upToCount: 4 << 20) ?? Data()
            let y = try second.read(upToCount: 4 << 20) ?? Data()
            guard x == y else {
                let at = zip(x, y).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(x.count, y.count)
                throw BenchmarkError(message: "MISMATCH: \(b) differs from the input at byte \(offset + at)")
            }
            if x.isEmpty { return }
            offset += x.count
        }
    }
}
