import CairnCore
import CairnTestSupport
import Testing

@testable import CairnDHT

/// The protobuf codec: hand-written vectors, kubo's quirks, unknown fields and strict rejections.
@Suite struct DHTMessageWireTests {
    static let specPeerIDHex = "0024080112209e3b433cbd31c2b8a6ebbdca998bd0f4c2141c9c9af5422e976051b1e63af14d"
    static var specPeer: DHTPeerID { DHTPeerID(unvalidatedForTesting: DHTTestPeers.hex(specPeerIDHex)) }

    /// A FIND_NODE request as kubo writes it (with its clusterLevelRaw = 1).
    @Test func findNodeRequestVector() throws {
        let bytes = DHTTestPeers.hex("""
            08 04            # field 1 type, varint: FIND_NODE (4)
            12 26            # field 2 key, 38 bytes:
            \(Self.specPeerIDHex)   # the peer ID looked up
            50 01            # field 10 clusterLevelRaw, varint 1 (kubo writes level + 1)
            """)
        let message = DHTMessage(type: .findNode, key: Self.specPeer.bytes, clusterLevelRaw: 1)
        #expect(message.encoded() == bytes)
        #expect(try DHTMessage(decoding: bytes) == message)
    }

    /// A FIND_NODE response with one closer peer carrying one address and a connection state.
    @Test func findNodeResponseVector() throws {
        let bytes = DHTTestPeers.hex("""
            08 04                      # type FIND_NODE
            42 34                      # field 8 closerPeers, 52 bytes:
              0a 26 \(Self.specPeerIDHex)   # Peer.id, 38 bytes
              12 08 04 7f000001 06 1003     # Peer.addrs: /ip4/127.0.0.1/tcp/4099
              18 01                         # Peer.connection CONNECTED
            """)
        let address = try Multiaddr("/ip4/127.0.0.1/tcp/4099")
        let message = DHTMessage(type: .findNode, closerPeers: [DHTPeer(id: Self.specPeer, addresses: [address], connection: .connected)])
        #expect(message.encoded() == bytes)
        #expect(try DHTMessage(decoding: bytes) == message)
    }

    /// Kubo's PUT_VALUE echo has no `type` (PUT_VALUE is proto3's default 0), a timeReceived and
    /// clusterLevelRaw = 1.
    @Test func kuboPutValueReplyWithoutType() throws {
        let bytes = DHTTestPeers.hex("""
            12 06 2f706b2f0102          # field 2 key "/pk/" 01 02
            1a 1c                       # field 3 record, 28 bytes:
              0a 06 2f706b2f0102        #   Record.key
              12 02 0801                #   Record.value
              2a 0e 323032362d31312d32315430 # Record.timeReceived (field 5) "2026-11-21T0" … (14 bytes)
              3a5a                      #   … ":Z"
            50 01                       # clusterLevelRaw 1
            """)
        let message = try DHTMessage(decoding: bytes)
        #expect(message.type == .putValue)
        #expect(message.clusterLevelRaw == 1)
        #expect(message.key == Array("/pk/".utf8) + [1, 2])
        #expect(message.record == DHTRecord(key: Array("/pk/".utf8) + [1, 2], value: [8, 1], timeReceived: "2026-11-21T0:Z"))
        #expect(message.encoded() == bytes)
    }

    /// An ADD_PROVIDER announcement: key = the content multihash (not the CID), our entry in providerPeers.
    @Test func addProviderRequestVector() throws {
        let content = Multihash.sha256(Array("hello".utf8))
        let address = try Multiaddr("/ip4/127.0.0.1/tcp/4001")
        let bytes = DHTTestPeers.hex("""
            08 02                      # type ADD_PROVIDER
            12 22 1220 \(Base16.encode(content.digest))   # key: sha2-256 multihash, 34 bytes
            4a 32                      # field 9 providerPeers, 50 bytes:
              0a 26 \(Self.specPeerIDHex)   # Peer.id (the sender)
              12 08 04 7f000001 06 0fa1     # Peer.addrs: /ip4/127.0.0.1/tcp/4001
            """)
        let message = DHTMessage.addProvider(content, provider: DHTPeer(id: Self.specPeer, addresses: [address]))
        #expect(message.encoded() == bytes)
        #expect(try DHTMessage(decoding: bytes) == message)
    }

    /// Absent fields decode as proto3 defaults; the empty message is a PUT_VALUE with nothing set.
    @Test func emptyMessageIsAllDefaults() throws {
        #expect(try DHTMessage(decoding: []) == DHTMessage(type: .putValue))
        #expect(DHTMessage(type: .putValue).encoded() == [])
    }

    /// Unknown fields of every known wire type are skipped.
    @Test func unknownFieldsAreSkipped() throws {
        let bytes = DHTTestPeers.hex("""
            08 05                       # type PING
            58 96 01                    # field 11, varint 150
            61 0102030405060708         # field 12, fixed64
            6a 03 abcdef                # field 13, length-delimited
            75 01020304                 # field 14, fixed32
            a0 1f 01                    # field 500, varint
            """)
        #expect(try DHTMessage(decoding: bytes) == DHTMessage(type: .ping))
    }

    @Test func negativeClusterLevelRoundTrips() throws {
        let message = DHTMessage(type: .getValue, key: [1], clusterLevelRaw: -1)
        let bytes = message.encoded()
        #expect(bytes.count == 2 + 3 + 11)  // -1 is a 10-byte varint
        #expect(try DHTMessage(decoding: bytes) == message)
    }

    @Test(arguments: [
        ([0x0a, 0x00] as [UInt8], DHTError.wrongWireType(field: "Message.type", expected: 0, actual: 2)),
        ([0x10, 0x01], .wrongWireType(field: "Message.key", expected: 2, actual: 0)),
        ([0x45, 0, 0, 0, 0], .wrongWireType(field: "Message.closerPeers", expected: 2, actual: 5)),
        ([0x08, 0x06], .unknownEnumValue(field: "Message.type", value: 6)),
        ([0x5b], .unsupportedWireType(fieldNumber: 11, wireType: 3)),
        ([0x5c], .unsupportedWireType(fieldNumber: 11, wireType: 4)),
        ([0x5e, 0x00], .unsupportedWireType(fieldNumber: 11, wireType: 6)),
        ([0x00, 0x00], .invalidFieldNumber(0)),
        ([0x12, 0x05, 0x01], .truncated(context: "Message.key")),
        ([0x08], .truncated(context: "Message.type")),
        ([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], .invalidVarint(context: "Message.type")),
        ([0x42, 0x00], .invalidPeerID(reason: "empty")),
        ([0x42, 0x04, 0x18, 0x07, 0x0a, 0x00], .unknownEnumValue(field: "Peer.connection", value: 7)),
        ([0x1a, 0x03, 0x2a, 0x01, 0xff], .invalidUTF8(field: "Record.timeReceived")),
    ])
    func malformedInputIsRejected(bytes: [UInt8], error: DHTError) {
        #expect(throws: error) { try DHTMessage(decoding: bytes) }
    }

    /// Undecodable addresses (unknown protocols, garbage) are dropped; the peer is kept.
    @Test func undecodableAddressesAreDropped() throws {
        let good = try Multiaddr("/ip4/10.0.0.1/tcp/4001")
        var peer = DHTTestPeers.hex("0a 26 \(Self.specPeerIDHex)")
        peer += [0x12, 0x03, 0xcc, 0x03, 0x00]  // quic-v1 (0x1cc) followed by protocol code 0, unknown
        peer += [0x12, UInt8(good.bytes.count)] + good.bytes
        peer += [0x12, 0x02, 0x04, 0x01]  // truncated ip4
        let bytes: [UInt8] = [0x4a, UInt8(peer.count)] + peer
        let message = try DHTMessage(decoding: bytes)
        #expect(message.providerPeers == [DHTPeer(id: Self.specPeer, addresses: [good])])
    }

    @Test func limitsAreEnforced() throws {
        let small = DHTConfiguration(maximumMessageByteCount: 64, maximumPeersPerMessage: 2, maximumAddressesPerPeer: 1)
        let peer = DHTPeer(id: Self.specPeer)
        #expect(throws: DHTError.tooLarge(context: "message", byteCount: 65, limit: 64)) {
            try DHTMessage(decoding: [UInt8](repeating: 0, count: 65), configuration: small)
        }
        let threePeers = DHTMessage(type: .findNode, closerPeers: [peer, peer, peer]).encoded()
        #expect(throws: DHTError.tooManyPeers(field: "Message.closerPeers", limit: 2)) {
            try DHTMessage(decoding: threePeers, configuration: DHTConfiguration(maximumPeersPerMessage: 2))
        }
        let address = try Multiaddr("/ip4/1.2.3.4/tcp/1")
        let twoAddresses = DHTMessage(type: .findNode, closerPeers: [DHTPeer(id: Self.specPeer, addresses: [address, address])]).encoded()
        #expect(throws: DHTError.tooManyAddresses(limit: 1)) {
            try DHTMessage(decoding: twoAddresses, configuration: DHTConfiguration(maximumAddressesPerPeer: 1))
        }
        let longID: [UInt8] = [0x42, 0x88, 0x01] + [0x0a, 0x85, 0x01] + [UInt8](repeating: 0, count: 133)
        #expect(throws: DHTError.tooLarge(context: "Peer.id", byteCount: 133, limit: 132)) { try DHTMessage(decoding: longID) }
    }

    /// Seeded random messages survive encode → decode unchanged.
    @Test(arguments: UInt64(0)..<20)
    func randomRoundTrips(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let message = Self.randomMessage(using: &rng)
        #expect(try DHTMessage(decoding: message.encoded()) == message)
        var decoder = DHTFrameDecoder()
        decoder.append(message.framed())
        try expectEqual(decoder.nextMessage(), message)
    }

    /// Every prefix of a valid message either decodes or throws a `DHTError`; none traps.
    @Test(arguments: UInt64(90)..<100)
    func everyTruncationIsHandled(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let bytes = Self.randomMessage(using: &rng).encoded()
        for cut in 0..<bytes.count {
            do {
                _ = try DHTMessage(decoding: Array(bytes[..<cut]))
            } catch {
                #expect(error.description.hasPrefix("dht:"))
            }
            var decoder = DHTFrameDecoder()
            let framed = DHTMessage(type: .ping).framed() + Array(bytes[..<cut])
            decoder.append(framed)
            #expect(try decoder.nextMessage() == DHTMessage(type: .ping))
        }
    }

    /// Arbitrary bytes and single-byte corruptions of valid messages never trap.
    @Test(arguments: UInt64(0)..<10)
    func arbitraryBytesNeverTrap(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        for _ in 0..<300 {
            _ = try? DHTMessage(decoding: rng.bytes(Int.random(in: 0..<64, using: &rng)))
        }
        var bytes = Self.randomMessage(using: &rng).encoded()
        for _ in 0..<300 where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[index] = UInt8.random(in: 0...255, using: &rng)
            _ = try? DHTMessage(decoding: bytes)
        }
    }

    static func randomMessage(using rng: inout SeededRandom) -> DHTMessage {
        let addresses = [
            (try? Multiaddr("/ip4/127.0.0.1/tcp/4001")), (try? Multiaddr("/ip6/::1/tcp/4002")), (try? Multiaddr("/dns4/example.com/tcp/443")),
        ].compactMap { $0 }
        func peers(_ rng: inout SeededRandom) -> [DHTPeer] {
            (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                DHTPeer(
                    id: DHTTestPeers.random(using: &rng),
                    addresses: Array(addresses.prefix(Int.random(in: 0...addresses.count, using: &rng))),
                    connection: DHTPeer.ConnectionType.allCases.randomElement(using: &rng) ?? .notConnected)
            }
        }
        let record = Bool.random(using: &rng)
            ? DHTRecord(key: rng.bytes(Int.random(in: 0...40, using: &rng)), value: rng.bytes(Int.random(in: 0...200, using: &rng)),
                timeReceived: Bool.random(using: &rng) ? "2026-11-21T10:33:59.210397833Z" : "")
            : nil
        return DHTMessage(
            type: DHTMessage.MessageType.allCases.randomElement(using: &rng) ?? .ping,
            key: rng.bytes(Int.random(in: 0...40, using: &rng)),
            record: record,
            closerPeers: peers(&rng),
            providerPeers: peers(&rng),
            clusterLevelRaw: Int32.random(in: -2...3, using: &rng))
    }
}
