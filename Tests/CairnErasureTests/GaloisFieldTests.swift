import Testing
import CairnTestSupport
@testable import CairnErasure

/// GF(2^8) under 0x11d checked against schoolbook carry-less multiplication on every pair.
@Suite struct GaloisFieldTests {
    /// Carry-less multiply then reduce by 0x11d, bit by bit: the definition, independent of the tables.
    static func referenceMultiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var product = 0
        for bit in 0..<8 where b & (1 << bit) != 0 { product ^= Int(a) << bit }
        for bit in stride(from: 14, through: 8, by: -1) where product & (1 << bit) != 0 {
            product ^= GaloisField.polynomial << (bit - 8)
        }
        return UInt8(product)
    }

    @Test func multiplicationMatchesTheDefinitionOnAllPairs() {
        var mismatches = 0
        for a in 0..<256 {
            for b in 0..<256 {
                let expected = Self.referenceMultiply(UInt8(a), UInt8(b))
                if GaloisField.multiply(UInt8(a), UInt8(b)) != expected { mismatches += 1 }
                if GaloisField.multiplicationTable[a << 8 | b] != expected { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func everyNonZeroElementHasAnInverse() {
        for a in 1..<256 {
            let inverse = GaloisField.inverse(UInt8(a))
            #expect(GaloisField.multiply(UInt8(a), inverse) == 1, "a = \(a)")
        }
        #expect(GaloisField.inverse(2) == 0x8e)
        #expect(GaloisField.inverse(3) == 0xf4)
    }

    @Test func identitiesZeroAndCommutativity() {
        for a in 0..<256 {
            let x = UInt8(a)
            #expect(GaloisField.multiply(x, 1) == x)
            #expect(GaloisField.multiply(x, 0) == 0)
            #expect(GaloisField.add(x, x) == 0)
            for b in stride(from: 0, to: 256, by: 7) {
                #expect(GaloisField.multiply(x, UInt8(b)) == GaloisField.multiply(UInt8(b), x))
            }
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func associativityAndDistributivitySpotChecks(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        for _ in 0..<20_000 {
            let a = UInt8.random(in: 0...255, using: &random)
            let b = UInt8.random(in: 0...255, using: &random)
            let c = UInt8.random(in: 0...255, using: &random)
            let m = GaloisField.multiply
            #expect(m(a, b ^ c) == m(a, b) ^ m(a, c), "seed \(seed): a=\(a) b=\(b) c=\(c)")
            #expect(m(m(a, b), c) == m(a, m(b, c)), "seed \(seed): a=\(a) b=\(b) c=\(c)")
        }
    }

    @Test func twoGeneratesTheMultiplicativeGroup() {
        #expect(Set(GaloisField.exponentials[0..<255]).count == 255)
        #expect(!GaloisField.exponentials[0..<255].contains(0))
    }

    @Test func nibbleTablesSplitEveryProduct() {
        for c in 0..<256 {
            let table = GaloisField.nibbleTable(UInt8(c))
            for x in 0..<256 {
                #expect(table[x & 15] ^ table[16 + (x >> 4)] == GaloisField.multiply(UInt8(c), UInt8(x)))
            }
        }
    }
}
