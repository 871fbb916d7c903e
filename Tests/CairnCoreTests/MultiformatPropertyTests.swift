import CairnCore
import CairnTestSupport
import Testing

/// Seeded property tests: each seed replays exactly; a failure message names its seed.
@Suite struct MultiformatPropertyTests {
    static let seeds: [UInt64] = [1, 2, 3, 0xC0FFEE, 0x5EED_CA1E]

    @Test(arguments: seeds)
    func randomBytesRoundTripThroughEveryBase(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<200 {
            let zeros = Int.random(in: 0...3, using: &random)
            let bytes = [UInt8](repeating: 0, count: zeros) + random.bytes(Int.random(in: 0...64, using: &random))
            for base in Multibase.allCases {
                let text = base.encode(bytes)
                let decoded = try Multibase.decode(text)
                #expect(decoded.base == base, "seed \(seed) base \(base.name)")
                #expect(decoded.bytes == bytes, "seed \(seed) base \(base.name) bytes \(Base16.encode(bytes))")
            }
        }
    }

    @Test(arguments: seeds)
    func randomVarintsRoundTrip(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<1000 {
            let value = UInt64.random(in: 0..<(1 << 63), using: &random) >> UInt64.random(in: 0...62, using: &random)
            let bytes = Varint.encode(value)
            let decoded = try Varint.decode(bytes)
            #expect(decoded.value == value && decoded.byteCount == bytes.count, "seed \(seed) value \(value)")
        }
    }

    /// Random characters from each base's neighbourhood (alphabet characters, padding, punctuation,
    /// non-ASCII) must decode or throw, never trap.
    @Test(arguments: seeds)
    func decodingGarbageTextNeverTraps(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let pool = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=+/-_:./%é🚀Qm")
        for _ in 0..<2000 {
            let length = Int.random(in: 0...60, using: &random)
            let text = String((0..<length).map { _ in pool[Int.random(in: 0..<pool.count, using: &random)] })
            _ = try? Multibase.decode(text)
            _ = try? CID(text)
            _ = try? CID("Qm" + text)
            _ = try? Multiaddr("/" + text)
            _ = try? Multiaddr("/ip6/" + text)
            _ = try? Multiaddr("/ip4/" + text)
            _ = try? Multiaddr("/p2p/" + text)
        }
    }

    /// Random bytes (and random mutations of valid encodings) decode or throw, never trap, and whatever
    /// decodes re-encodes to the same bytes: the binary forms are canonical.
    @Test(arguments: seeds)
    func decodingGarbageBytesNeverTrapsAndIsCanonical(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let valid: [[UInt8]] = [
            try Multiaddr("/ip4/127.0.0.1/tcp/4001/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupGvL").bytes,
            try Multiaddr("/ip6/2001:db8::1/udp/4001/quic-v1").bytes,
            try Multiaddr("/dns4/example.com/tcp/443/wss").bytes,
            try CID("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4").bytes,
            try CID("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o").bytes,
        ]
        for _ in 0..<3000 {
            var bytes: [UInt8]
            if Bool.random(using: &random) {
                bytes = random.bytes(Int.random(in: 0...48, using: &random))
            } else {
                bytes = valid[Int.random(in: 0..<valid.count, using: &random)]
                for _ in 0...Int.random(in: 0...2, using: &random) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            }
            if let address = try? Multiaddr(bytes: bytes) {
                #expect(address.bytes == bytes, "seed \(seed) multiaddr \(Base16.encode(bytes))")
                #expect((try? Multiaddr(address.description)) == address, "seed \(seed) text \(address)")
            }
            if let cid = try? CID(bytes: bytes) {
                #expect(cid.bytes == bytes, "seed \(seed) CID \(Base16.encode(bytes))")
                #expect((try? CID(cid.description)) == cid, "seed \(seed) CID text \(cid)")
            }
            if let multihash = try? Multihash(bytes: bytes) {
                #expect(multihash.bytes == bytes, "seed \(seed) multihash \(Base16.encode(bytes))")
            }
            _ = try? Varint.decode(bytes)
        }
    }

    /// Random IPv6 addresses print in a form that parses back to the same address.
    @Test(arguments: seeds)
    func randomIPv6AddressesRoundTrip(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<1000 {
            // Bias towards zero groups so `::` placement is exercised.
            let bytes = (0..<8).flatMap { _ -> [UInt8] in
                Int.random(in: 0..<3, using: &random) == 0 ? random.bytes(2) : [0, 0]
            }
            let address = Multiaddr.IPv6Address(bytes: bytes)
            let text = address.description
            let parsed = try #require(Multiaddr.IPv6Address(text), "seed \(seed) text \(text)")
            #expect(parsed == address, "seed \(seed) text \(text)")
            #expect(!text.contains(":::"))
        }
    }
}
