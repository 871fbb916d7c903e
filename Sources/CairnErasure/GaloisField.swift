/// Arithmetic in GF(2^8) with the reducing polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), the
/// field of ISA-L, zfec and most storage Reed–Solomon codes; 2 generates its multiplicative group.
///
/// Addition is XOR. Multiplication uses log/exp tables; the kernels use the full 256×256 table
/// (`multiplicationTable`) or nibble tables derived from it. All tables are immutable and built
/// once on first use.
public enum GaloisField {
    /// The reducing polynomial, including the x^8 term.
    public static let polynomial: Int = 0x11d

    /// `exponentials[i]` is 2^i for i in 0..<510 (doubled so a sum of two logs needs no modulo).
    static let exponentials: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 510)
        var value = 1
        for i in 0..<255 {
            table[i] = UInt8(value)
            table[i + 255] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= polynomial }
        }
        return table
    }()

    /// `logarithms[x]` is the i with 2^i = x, for x ≠ 0 (entry 0 is unused).
    static let logarithms: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exponentials[i])] = i }
        return table
    }()

    /// 65536 bytes: entry `a·256 + b` is a·b; the portable kernel's only table.
    static let multiplicationTable: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 65536)
        for a in 1..<256 {
            for b in 1..<256 {
                table[a << 8 | b] = exponentials[logarithms[a] + logarithms[b]]
            }
        }
        return table
    }()

    /// The sum (XOR) of two elements.
    @inline(__always)
    public static func add(_ a: UInt8, _ b: UInt8) -> UInt8 { a ^ b }

    /// The product of two elements.
    @inline(__always)
    public static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return exponentials[logarithms[Int(a)] + logarithms[Int(b)]]
    }

    /// The multiplicative inverse of a non-zero element; `a` must not be 0 (a programmer error).
    public static func inverse(_ a: UInt8) -> UInt8 {
        precondition(a != 0, "0 has no inverse in GF(2^8)")
        return exponentials[255 - logarithms[Int(a)]]
    }

    /// The 32-byte split-nibble table of `coefficient`: c·i then c·(i << 4) for i in 0..<16.
    static func nibbleTable(_ coefficient: UInt8) -> [UInt8] {
        var table = [UInt8](repeating: 0, count: 32)
        for i in 0..<16 {
            table[i] = multiply(coefficient, UInt8(i))
            table[16 + i] = multiply(coefficient, UInt8(i << 4))
        }
        return table
    }
}
