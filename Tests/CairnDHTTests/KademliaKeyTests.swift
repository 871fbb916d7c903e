import CairnCore
import CairnTestSupport
import Testing

@testable import CairnDHT

/// Kademlia IDs, XOR distance and common prefix lengths.
@Suite struct KademliaKeyTests {
    /// The worked example of ipfs/specs `src/routing/kad-dht.md`.
    @Test func specVector() throws {
        let peerID = DHTTestPeers.hex("0024080112209e3b433cbd31c2b8a6ebbdca998bd0f4c2141c9c9af5422e976051b1e63af14d")
        let id = try DHTPeerID(bytes: peerID)
        #expect(id.kademliaKey.description == "e43d28f0996557c0d5571d75c62a57a59d7ac1d30a51ecedcdb9d5e4afa56100")
        #expect(KademliaKey(peerIDBytes: peerID) == id.kademliaKey)
        #expect(try KademliaKey(rawBytes: id.kademliaKey.bytes) == id.kademliaKey)
    }

    /// Content keys hash the multihash, so CIDv0 and CIDv1 of one block share a key.
    @Test func contentKeyIsTheMultihash() throws {
        let multihash = Multihash.sha256(Array("hello".utf8))
        let v0 = try CID(v0: multihash)
        let v1 = CID(v1: .dagPB, multihash)
        #expect(KademliaKey(cid: v0) == KademliaKey(cid: v1))
        #expect(KademliaKey(cid: v1) == KademliaKey(hashing: multihash.bytes))
        #expect(KademliaKey(cid: v1) != KademliaKey(hashing: v1.bytes))
    }

    @Test func distanceAndPrefix() throws {
        var a = [UInt8](repeating: 0, count: 32)
        var b = a
        b[0] = 0x10
        var c = a
        c[31] = 0x01
        let ka = try KademliaKey(rawBytes: a), kb = try KademliaKey(rawBytes: b), kc = try KademliaKey(rawBytes: c)
        #expect(ka.commonPrefixLength(with: kb) == 3)
        #expect(ka.commonPrefixLength(with: kc) == 255)
        #expect(ka.commonPrefixLength(with: ka) == 256)
        #expect(ka.distance(to: kc) < ka.distance(to: kb))
        #expect(ka.distance(to: ka) == .zero)
        #expect(ka < kc && kc < kb)
        a[5] = 0xff
        #expect(try KademliaKey(rawBytes: a).distance(to: ka).leadingZeroBitCount == 40)
        #expect(throws: DHTError.invalidKademliaKeyLength(31)) { try KademliaKey(rawBytes: [UInt8](repeating: 0, count: 31)) }
    }

    /// Distance is symmetric and agrees with a byte-wise XOR compared lexicographically.
    @Test func distanceMatchesBytewiseXOR() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<200 {
            let x = KademliaKey(hashing: rng.bytes(8)), y = KademliaKey(hashing: rng.bytes(8)), z = KademliaKey(hashing: rng.bytes(8))
            #expect(x.distance(to: y) == y.distance(to: x))
            let xy = zip(x.bytes, y.bytes).map { $0 ^ $1 }, xz = zip(x.bytes, z.bytes).map { $0 ^ $1 }
            #expect((x.distance(to: y) < x.distance(to: z)) == xy.lexicographicallyPrecedes(xz))
            let leadingZeros = xy.firstIndex { $0 != 0 }.map { $0 * 8 + xy[$0].leadingZeroBitCount } ?? 256
            #expect(x.commonPrefixLength(with: y) == leadingZeros)
        }
    }

    @Test func peerIDValidation() {
        #expect(throws: DHTError.self) { try DHTPeerID(bytes: []) }
        #expect(throws: DHTError.self) { try DHTPeerID(bytes: [0x12, 0x20, 0x01]) }
        #expect(throws: DHTError.self) { try DHTPeerID(bytes: [UInt8](repeating: 0x00, count: 300)) }
    }
}
