import Testing
import CairnTestSupport
@testable import CairnErasure

/// Encoding against a reference matrix product, known vectors, and the construction itself.
@Suite struct ReedSolomonCodeTests {
    /// Parity share i (0-based among parity) byte by byte: Σ_j 1/((k+i) ^ j) · data[j], written
    /// straight from the definition with the schoolbook field multiply.
    static func referenceParity(k: Int, n: Int, data: [[UInt8]]) -> [[UInt8]] {
        let length = data.first?.count ?? 0
        return (k..<n).map { row in
            (0..<length).map { position in
                var sum: UInt8 = 0
                for column in 0..<k {
                    let coefficient = GaloisField.inverse(UInt8(row) ^ UInt8(column))
                    sum ^= GaloisFieldTests.referenceMultiply(coefficient, data[column][position])
                }
                return sum
            }
        }
    }

    static func randomShares(count: Int, byteCount: Int, _ random: inout SeededRandom) -> [[UInt8]] {
        (0..<count).map { _ in ErasureKernelTests.randomBytes(byteCount, &random) }
    }

    @Test func knownVectorTwoOfThree() throws {
        // k = 2, n = 3: parity = 1/(2^0)·d0 ^ 1/(2^1)·d1 = 0x8e·d0 ^ 0xf4·d1.
        let code = try ReedSolomonCode(dataShareCount: 2, totalShareCount: 3)
        #expect(try code.encode([[1, 0, 1, 2], [0, 1, 1, 0]]) == [[0x8e, 0xf4, 0x8e ^ 0xf4, GaloisField.multiply(2, 0x8e)]])
        #expect(code.coefficient(shareIndex: 2, dataIndex: 0) == 0x8e)
        #expect(code.coefficient(shareIndex: 2, dataIndex: 1) == 0xf4)
    }

    @Test func knownVectorThreeOfFive() throws {
        // Rows 3 and 4 of the generator: 1/(3^j) and 1/(4^j) for j = 0, 1, 2 (hand-checked in GF(2^8)/0x11d).
        let code = try ReedSolomonCode(dataShareCount: 3, totalShareCount: 5)
        let row3 = (0..<3).map { code.coefficient(shareIndex: 3, dataIndex: $0) }
        let row4 = (0..<3).map { code.coefficient(shareIndex: 4, dataIndex: $0) }
        #expect(row3 == [GaloisField.inverse(3), GaloisField.inverse(2), GaloisField.inverse(1)])
        #expect(row4 == [GaloisField.inverse(4), GaloisField.inverse(5), GaloisField.inverse(6)])
        #expect(try code.encode([[1], [0], [0]]) == [[row3[0]], [row4[0]]])
    }

    @Test(arguments: [(1, 2), (1, 255), (3, 10), (10, 20), (29, 80), (254, 255), (5, 6), (2, 200)])
    func encodeMatchesTheReferenceProductOnEveryKernel(k: Int, n: Int) throws {
        var random = SeededRandom(seed: UInt64(k * 1000 + n))
        let length = k * (n - k) > 1000 ? 517 : 4096 + 7
        let data = Self.randomShares(count: k, byteCount: length, &random)
        let expected = Self.referenceParity(k: k, n: n, data: data)
        for kernel in ErasureKernel.allCases where kernel.isSupported {
            let code = try ReedSolomonCode(dataShareCount: k, totalShareCount: n, kernel: kernel)
            #expect(try code.encode(data) == expected, "k=\(k) n=\(n) kernel \(kernel)")
        }
    }

    @Test func encodeBytesSplitsAndPads() throws {
        let code = try ReedSolomonCode(dataShareCount: 3, totalShareCount: 5)
        let shares = code.encode(bytes: [1, 2, 3, 4, 5, 6, 7])
        #expect(shares.count == 5)
        #expect(Array(shares[0..<3]) == [[1, 2, 3], [4, 5, 6], [7, 0, 0]])
        #expect(try code.decode([1: shares[1], 3: shares[3], 4: shares[4]], byteCount: 7) == [1, 2, 3, 4, 5, 6, 7])
        #expect(code.encode(bytes: []) == Array(repeating: [], count: 5))
        #expect(try code.decode([0: [], 1: [], 4: []], byteCount: 0) == [])
    }

    @Test func bufferEncodeMatchesArrayEncode() throws {
        let code = try ReedSolomonCode(dataShareCount: 4, totalShareCount: 7)
        var random = SeededRandom(seed: 5)
        let data = Self.randomShares(count: 4, byteCount: 1000, &random)
        let parityBuffers = (0..<3).map { _ in UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1000) }
        defer { parityBuffers.forEach { $0.deallocate() } }
        try ShareBuffers.withPointers(to: data) { pointers in
            try code.encode(data: pointers.map { UnsafeBufferPointer(start: $0, count: 1000) }, parity: parityBuffers)
        }
        #expect(parityBuffers.map { Array($0) } == (try code.encode(data)))
    }

    @Test func everyKRowsOfTheGeneratorAreInvertibleForSmallCodes() throws {
        // Exhaustive for n = 8: all C(8, k) subsets for every k.
        for k in 1..<8 {
            let generator = GaloisMatrix.systematicCauchy(dataShareCount: k, totalShareCount: 8)
            for mask in 0..<256 where mask.nonzeroBitCount == k {
                let rows = (0..<8).filter { mask & (1 << $0) != 0 }
                let submatrix = generator.selecting(rows: rows)
                let inverse = try #require(submatrix.inverted(), "k=\(k) rows \(rows)")
                var identity = GaloisMatrix(rows: k, columns: k)
                for i in 0..<k { identity[i, i] = 1 }
                #expect(submatrix.multiplied(by: inverse) == identity)
            }
        }
    }

    @Test func invalidParametersAreRejected() {
        for (k, n) in [(0, 1), (0, 0), (1, 1), (5, 5), (6, 5), (1, 256), (255, 255), (-1, 10), (200, 300)] {
            #expect(throws: ErasureError.invalidParameters(dataShareCount: k, totalShareCount: n)) {
                try ReedSolomonCode(dataShareCount: k, totalShareCount: n)
            }
        }
    }

    @Test func encodeRejectsBadInput() throws {
        let code = try ReedSolomonCode(dataShareCount: 3, totalShareCount: 5)
        #expect(throws: ErasureError.wrongDataShareCount(given: 2, expected: 3)) { try code.encode([[1], [2]]) }
        #expect(throws: ErasureError.inconsistentShareSizes(index: 2, byteCount: 1, expectedByteCount: 2)) {
            try code.encode([[1, 2], [3, 4], [5]])
        }
        #expect(ErasureError.notEnoughShares(available: 2, required: 3).description.contains("at least k=3"))
    }
}
