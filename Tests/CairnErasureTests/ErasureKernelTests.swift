#if canImport(Glibc)
import Glibc
#endif
import Testing
import CairnTestSupport
@testable import CairnErasure

/// Every SIMD kernel gives the same bytes as the portable table kernel.
@Suite struct ErasureKernelTests {
    static let simdKernels = ErasureKernel.allCases.filter { $0 != .portable && $0.isSupported }

    static func randomBytes(_ count: Int, _ random: inout SeededRandom) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        random.fill(&bytes)
        return bytes
    }

    /// `kernel.multiply` into a copy of `destination`.
    static func multiplied(_ kernel: ErasureKernel, _ coefficient: UInt8, _ source: [UInt8], _ destination: [UInt8],
                           accumulate: Bool) -> [UInt8] {
        var output = destination
        source.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { kernel.multiply(coefficient, input, into: $0, accumulate: accumulate) }
        }
        return output
    }

    @Test func theFastestKernelIsSupportedAndPortableAlwaysIs() {
        #expect(ErasureKernel.fastest.isSupported)
        #expect(ErasureKernel.portable.isSupported)
    }

    /// `CAIRN_ERASURE_PORTABLE=1 swift test --filter CairnErasureTests` runs the whole suite with the
    /// portable kernel as the default; either way `preferred` follows the variable.
    @Test func preferredKernelFollowsTheEnvironment() throws {
        let value = getenv(ErasureKernel.portableEnvironmentVariable).map { String(cString: $0) }
        #expect(ErasureKernel.preferred == (value == "1" ? .portable : .fastest))
        #expect(try ReedSolomonCode(dataShareCount: 2, totalShareCount: 4).kernel == ErasureKernel.preferred)
    }

    @Test func portableKernelComputesTheFieldProduct() {
        var random = SeededRandom(seed: 7)
        let source = Self.randomBytes(300, &random)
        let destination = Self.randomBytes(300, &random)
        for c in [UInt8(0), 1, 2, 0x8e, 0xff] {
            let product = Self.multiplied(.portable, c, source, destination, accumulate: false)
            let sum = Self.multiplied(.portable, c, source, destination, accumulate: true)
            #expect(product == source.map { GaloisField.multiply(c, $0) })
            #expect(sum == zip(source, destination).map { GaloisField.multiply(c, $0) ^ $1 })
        }
    }

    @Test(arguments: simdKernels)
    func simdMatchesPortableForAllCoefficients(kernel: ErasureKernel) {
        var random = SeededRandom(seed: 11)
        for coefficient in 0..<256 {
            // Lengths cover no vector, a vector plus tail, and several blocks plus tail.
            let length = [0, 1, 15, 16, 31, 33, 4096 + 7, 9000][coefficient % 8]
            let source = Self.randomBytes(length, &random)
            let destination = Self.randomBytes(length, &random)
            for accumulate in [false, true] {
                let fast = Self.multiplied(kernel, UInt8(coefficient), source, destination, accumulate: accumulate)
                let portable = Self.multiplied(.portable, UInt8(coefficient), source, destination, accumulate: accumulate)
                #expect(fast == portable, "kernel \(kernel), c = \(coefficient), length \(length), accumulate \(accumulate)")
            }
        }
    }

    @Test(arguments: simdKernels)
    func simdMatchesPortableForMatrices(kernel: ErasureKernel) {
        var random = SeededRandom(seed: 12)
        for trial in 0..<40 {
            let rows = Int.random(in: 1...9, using: &random)
            let columns = Int.random(in: 1...12, using: &random)
            let length = [1, 31, 64, 4096, 4096 + 7, 12_345][trial % 6]
            let matrix = CoefficientMatrix(rows: rows, columns: columns, coefficients: Self.randomBytes(rows * columns, &random))
            let inputs = (0..<columns).map { _ in Self.randomBytes(length, &random) }
            let initial = (0..<rows).map { _ in Self.randomBytes(length, &random) }
            for accumulate in [false, true] {
                let results = [kernel, .portable].map { k in
                    ShareBuffers.withPointers(to: inputs) { inputPointers in
                        ShareBuffers.makeShares(count: rows, byteCount: length) { outputPointers in
                            for (pointer, start) in zip(outputPointers, initial) {
                                pointer.initialize(from: start, count: length)
                            }
                            matrix.apply(kernel: k, inputs: inputPointers, outputs: outputPointers, byteCount: length, accumulate: accumulate)
                        }
                    }
                }
                #expect(results[0] == results[1], "trial \(trial): \(rows)×\(columns), length \(length), accumulate \(accumulate)")
            }
        }
    }
}
