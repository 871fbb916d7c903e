/// MurmurHash3 x64_128 with seed 0, as used by UnixFS HAMT shards (spaolacci/murmur3 `Sum64`).
///
/// `hash64` returns h1, the first 64-bit half of the 128-bit result; HAMT indices are its bytes,
/// most significant first.
public enum Murmur3 {
    private static let c1: UInt64 = 0x87c3_7b91_1142_53d5
    private static let c2: UInt64 = 0x4cf5_ad43_2745_937f

    /// The first 64-bit half (h1) of murmur3 x64_128(`bytes`, seed 0).
    public static func hash64<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
        let data = Array(bytes)
        var h1: UInt64 = 0
        var h2: UInt64 = 0
        let blockCount = data.count / 16
        for block in 0..<blockCount {
            let k1 = loadLittleEndian(data, from: block * 16, count: 8)
            let k2 = loadLittleEndian(data, from: block * 16 + 8, count: 8)
            h1 ^= mixK1(k1)
            h1 = rotl(h1, 27) &+ h2
            h1 = h1 &* 5 &+ 0x52dc_e729
            h2 ^= mixK2(k2)
            h2 = rotl(h2, 31) &+ h1
            h2 = h2 &* 5 &+ 0x3849_5ab5
        }
        let tail = blockCount * 16
        let remaining = data.count - tail
        if remaining > 8 { h2 ^= mixK2(loadLittleEndian(data, from: tail + 8, count: remaining - 8)) }
        if remaining > 0 { h1 ^= mixK1(loadLittleEndian(data, from: tail, count: min(8, remaining))) }
        let length = UInt64(data.count)
        h1 ^= length
        h2 ^= length
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        h1 = fmix(h1)
        h2 = fmix(h2)
        h1 = h1 &+ h2
        return h1
    }

    @inline(__always) private static func mixK1(_ k: UInt64) -> UInt64 { rotl(k &* c1, 31) &* c2 }
    @inline(__always) private static func mixK2(_ k: UInt64) -> UInt64 { rotl(k &* c2, 33) &* c1 }
    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) private static func fmix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    @inline(__always) private static func loadLittleEndian(_ data: [UInt8], from start: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(data[start + i]) << (8 * UInt64(i)) }
        return value
    }
}
