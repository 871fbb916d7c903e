#if canImport(Glibc)
import Glibc
#endif
import CairnErasure
import Foundation

/// `cairn-bench erasure`: Reed–Solomon encode and worst-case decode throughput of CairnErasure for
/// (k, n) = (3, 10), (10, 20), (29, 80) on the fastest kernel and on the portable one
/// (see `docs/specs/erasure.md`, section Performance).
///
///     cairn-bench erasure [--size-mib 256] [--share-kib 64]
///
/// The input (`--size-mib`) is cut into stripes of k shares of `--share-kib` each, read in place;
/// parity and rebuilt shares go to buffers allocated once. MB/s counts input (data) bytes, 10^6 per MB.
/// Decode loses min(n − k, k) data shares per stripe and rebuilds them from the remaining data
/// and the first parity shares: the most work a decode can have.
struct ErasureBenchmark {
    /// Size of the input in MiB; 1…65536.
    var sizeMiB = 256
    /// Bytes per share in KiB; 1…65536.
    var shareKiB = 64

    static let usage = "usage: cairn-bench erasure [--size-mib N] [--share-kib N]\n"
    static let codes = [(3, 10), (10, 20), (29, 80)]

    /// Parses the arguments after `erasure`; nil when they are not understood.
    init?(arguments: ArraySlice<String>) {
        var it = arguments.makeIterator()
        while let arg = it.next() {
            switch arg {
            case "--size-mib": guard let value = it.next().flatMap(Int.init) else { return nil }; sizeMiB = value
            case "--share-kib": guard let value = it.next().flatMap(Int.init) else { return nil }; shareKiB = value
            default: return nil
            }
        }
        guard (1...65536).contains(sizeMiB), (1...65536).contains(shareKiB) else { return nil }
    }

    /// Prints one line per (k, n, kernel): encode and decode MB/s.
    static func main(arguments: ArraySlice<String>) throws {
        guard let benchmark = ErasureBenchmark(arguments: arguments) else {
            FileHandle.standardError.write(Data(usage.utf8))
            exit(64)
        }
        try benchmark.run()
    }

    func run() throws {
        let byteCount = sizeMiB << 20
        let input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: byteCount)
        defer { input.deallocate() }
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        UnsafeMutableRawBufferPointer(input).withMemoryRebound(to: UInt64.self) { words in
            for i in words.indices {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                words[i] = state
            }
        }
        print("erasure: \(sizeMiB) MiB input, \(shareKiB) KiB shares, fastest kernel \(ErasureKernel.fastest)")
        print("k/n     kernel    encode MB/s  decode MB/s  (decode loses min(n-k, k) data shares)")
        for (k, n) in Self.codes {
            for kernel in [ErasureKernel.fastest, .portable] {
                let code = try ReedSolomonCode(dataShareCount: k, totalShareCount: n, kernel: kernel)
                let figures = try measure(code, input: UnsafeBufferPointer(input))
                let label = "\(k)/\(n)".padding(toLength: 8, withPad: " ", startingAt: 0)
                    + kernel.description.padding(toLength: 10, withPad: " ", startingAt: 0)
                print(label + String(format: "%11.0f  %11.0f", figures.encode, figures.decode))
            }
        }
    }

    /// Encode and decode MB/s of `code` over every whole stripe of `input`.
    func measure(_ code: ReedSolomonCode, input: UnsafeBufferPointer<UInt8>) throws -> (encode: Double, decode: Double) {
        let k = code.dataShareCount, m = code.parityShareCount
        let shareSize = shareKiB << 10
        let stripeCount = input.count / (k * shareSize)
        guard stripeCount > 0 else { throw BenchmarkError(message: "--size-mib too small for one stripe of \(k) × \(shareKiB) KiB") }
        let parity = (0..<m).map { _ in UnsafeMutableBufferPointer<UInt8>.allocate(capacity: shareSize) }
        let lost = min(m, k)
        let rebuilt = (0..<lost).map { _ in UnsafeMutableBufferPointer<UInt8>.allocate(capacity: shareSize) }
        defer { (parity + rebuilt).forEach { $0.deallocate() } }
        parity.forEach { $0.initialize(repeating: 0) }
        rebuilt.forEach { $0.initialize(repeating: 0) }
        func data(_ stripe: Int) -> [UnsafeBufferPointer<UInt8>] {
            (0..<k).map { UnsafeBufferPointer(rebasing: input[((stripe * k + $0) * shareSize)...].prefix(shareSize)) }
        }

        let clock = ContinuousClock()
        let encodeStart = clock.now
        for stripe in 0..<stripeCount { try code.encode(data: data(stripe), parity: parity) }
        let encodeTime = clock.now - encodeStart

        // Every stripe's surviving data shares are read from the input; the parity shares are the
        // last stripe's (reading the same bytes as a stripe's own parity would), so only the last
        // stripe's rebuilt shares are checked against the input.
        func sources(_ stripe: Int) -> [Int: UnsafeBufferPointer<UInt8>] {
            let shares = data(stripe)
            var sources: [Int: UnsafeBufferPointer<UInt8>] = [:]
            for index in lost..<k { sources[index] = shares[index] }
            for index in 0..<lost { sources[k + index] = UnsafeBufferPointer(parity[index]) }
            return sources
        }
        let missing = Array(0..<lost)
        let decodeStart = clock.now
        for stripe in 0..<stripeCount { try code.reconstruct(missing: missing, from: sources(stripe), into: rebuilt) }
        let decodeTime = clock.now - decodeStart
        let last = data(stripeCount - 1)
        for index in 0..<lost where !rebuilt[index].elementsEqual(last[index]) {
            throw BenchmarkError(message: "\(code): decoded share \(index) differs from the input")
        }
        let megabytes = Double(stripeCount * k * shareSize) / 1e6
        return (megabytes / Self.seconds(encodeTime), megabytes / Self.seconds(decodeTime))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
