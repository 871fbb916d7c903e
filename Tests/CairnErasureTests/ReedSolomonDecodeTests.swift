import Testing
import CairnTestSupport
@testable import CairnErasure

/// Seeded property tests: any k (or more) of n shares decode to the data; repair rebuilds exactly
/// what encoding produced; bad input is a typed error. Each case prints its seed on failure.
@Suite struct ReedSolomonDecodeTests {
    static let parameters = [(1, 2), (1, 255), (254, 255), (3, 10), (10, 20), (29, 80), (2, 3), (7, 9)]
    static let shareSizes = [0, 1, 15, 16, 31, 4096 + 7]

    /// A random subset of `count` distinct indices of 0..<n.
    static func randomSubset(of n: Int, count: Int, _ random: inout SeededRandom) -> [Int] {
        Array(Array(0..<n).shuffled(using: &random).prefix(count))
    }

    @Test(arguments: parameters)
    func anyKSharesDecode(k: Int, n: Int) throws {
        let seed = UInt64(k << 16 | n)
        var random = SeededRandom(seed: seed)
        let code = try ReedSolomonCode(dataShareCount: k, totalShareCount: n)
        // The largest codes get fewer trials: each new erasure pattern inverts a k×k matrix.
        let trials = k > 100 ? 2 : 6
        for size in Self.shareSizes {
            let data = ReedSolomonCodeTests.randomShares(count: k, byteCount: size, &random)
            let shares = data + (try code.encode(data))
            for trial in 0..<trials {
                let count = trial % 2 == 0 ? k : Int.random(in: k...n, using: &random)
                let subset = Self.randomSubset(of: n, count: count, &random)
                let given = Dictionary(uniqueKeysWithValues: subset.map { ($0, shares[$0]) })
                #expect(try code.decode(given) == data, "seed \(seed), size \(size), shares \(subset.sorted())")
            }
        }
    }

    @Test(arguments: [(3, 10), (10, 20), (29, 80)])
    func worstCaseDecodeWithAllParityOnEveryKernel(k: Int, n: Int) throws {
        var random = SeededRandom(seed: 99)
        let data = ReedSolomonCodeTests.randomShares(count: k, byteCount: 4096 + 7, &random)
        for kernel in ErasureKernel.allCases where kernel.isSupported {
            let code = try ReedSolomonCode(dataShareCount: k, totalShareCount: n, kernel: kernel)
            let shares = data + (try code.encode(data))
            // Lose as many data shares as parity allows: min(n − k, k).
            let lost = min(n - k, k)
            let given = Dictionary(uniqueKeysWithValues: (lost..<(lost + k)).map { ($0, shares[$0]) })
            #expect(try code.decode(given) == data, "kernel \(kernel)")
        }
    }

    @Test(arguments: parameters)
    func reconstructRebuildsMissingDataAndParityExactly(k: Int, n: Int) throws {
        let seed = UInt64(k << 16 | n) ^ 0xabc
        var random = SeededRandom(seed: seed)
        let code = try ReedSolomonCode(dataShareCount: k, totalShareCount: n)
        let data = ReedSolomonCodeTests.randomShares(count: k, byteCount: 31, &random)
        let shares = data + (try code.encode(data))
        let missing = Self.randomSubset(of: n, count: Int.random(in: 1...(n - k), using: &random), &random)
        let present = Set(0..<n).subtracting(missing)
        let given = Dictionary(uniqueKeysWithValues: present.map { ($0, shares[$0]) })
        let rebuilt = try code.reconstruct(missing: missing, from: given)
        #expect(rebuilt.count == missing.count)
        for index in missing { #expect(rebuilt[index] == shares[index], "seed \(seed), share \(index)") }

        // The buffer form writes the same bytes.
        let outputs = missing.map { _ in UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 31) }
        defer { outputs.forEach { $0.deallocate() } }
        let sources = present.sorted()
        try ShareBuffers.withPointers(to: sources.map { shares[$0] }) { pointers in
            let buffers = Dictionary(uniqueKeysWithValues: zip(sources, pointers).map { ($0, UnsafeBufferPointer(start: $1, count: 31)) })
            try code.reconstruct(missing: missing, from: buffers, into: outputs)
        }
        #expect(outputs.map { Array($0) } == missing.map { shares[$0] })
    }

    @Test func reconstructedParityEqualsAFreshEncode() throws {
        let code = try ReedSolomonCode(dataShareCount: 10, totalShareCount: 20)
        var random = SeededRandom(seed: 3)
        let data = ReedSolomonCodeTests.randomShares(count: 10, byteCount: 4096 + 7, &random)
        let given = Dictionary(uniqueKeysWithValues: data.enumerated().map { ($0.offset, $0.element) })
        let rebuilt = try code.reconstruct(missing: Array(10..<20), from: given)
        #expect((10..<20).map { rebuilt[$0] ?? [] } == (try code.encode(data)))
    }

    @Test func portableAndFastCodesProduceIdenticalShares() throws {
        var random = SeededRandom(seed: 21)
        let bytes = ErasureKernelTests.randomBytes(100_003, &random)
        let fast = try ReedSolomonCode(dataShareCount: 10, totalShareCount: 20, kernel: .fastest)
        #expect(fast.encode(bytes: bytes) == fast.using(kernel: .portable).encode(bytes: bytes))
    }

    @Test func decodeRejectsBadInput() throws {
        let code = try ReedSolomonCode(dataShareCount: 3, totalShareCount: 5)
        let shares = code.encode(bytes: Array(0..<30))
        #expect(throws: ErasureError.notEnoughShares(available: 2, required: 3)) {
            try code.decode([0: shares[0], 4: shares[4]])
        }
        #expect(throws: ErasureError.inconsistentShareSizes(index: 4, byteCount: 9, expectedByteCount: 10)) {
            try code.decode([0: shares[0], 1: shares[1], 4: Array(shares[4].dropLast())])
        }
        #expect(throws: ErasureError.shareIndexOutOfRange(index: 5, totalShareCount: 5)) {
            try code.decode([0: shares[0], 1: shares[1], 5: shares[4]])
        }
        #expect(throws: ErasureError.shareIndexOutOfRange(index: -1, totalShareCount: 5)) {
            try code.decode([-1: shares[0], 1: shares[1], 2: shares[2]])
        }
        #expect(throws: ErasureError.shareIndexOutOfRange(index: 7, totalShareCount: 5)) {
            try code.reconstruct(missing: [7], from: [0: shares[0], 1: shares[1], 2: shares[2]])
        }
        #expect(throws: ErasureError.invalidByteCount(byteCount: 31, capacity: 30)) {
            try code.decode([0: shares[0], 1: shares[1], 2: shares[2]], byteCount: 31)
        }
    }

    @Test func decodeMatrixCacheIsBounded() throws {
        let code = try ReedSolomonCode(dataShareCount: 2, totalShareCount: 20)
        let shares = code.encode(bytes: [1, 2, 3, 4])
        var patterns = 0
        for a in 2..<20 {
            for b in (a + 1)..<20 {
                #expect(try code.decode([a: shares[a], b: shares[b]], byteCount: 4) == [1, 2, 3, 4])
                patterns += 1
            }
        }
        #expect(patterns > ReedSolomonCode.decodeMatrixCacheCapacity)
        #expect(code.decodeMatrices.count == ReedSolomonCode.decodeMatrixCacheCapacity)
    }
}
