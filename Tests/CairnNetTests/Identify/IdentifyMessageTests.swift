import CairnCore
import CairnTestSupport
import Testing

@testable import CairnNet

/// Identify byte vectors (fields commented), merging of split messages, limits and arbitrary input.
@Suite struct IdentifyMessageTests {
    static func hex(_ text: String) -> [UInt8] {
        TestData.hex(text)
    }

    static func address(_ text: String) -> Multiaddr {
        (try? Multiaddr(text)) ?? Multiaddr([])
    }

    /// The first of two messages shaped like kubo 0.22's (go splits above 2 KiB; the record comes second).
    static let kuboFirst = hex("""
        0a 04 08 01 12 00       # publicKey (field 1): an opaque PublicKey protobuf (not parsed here)
        12 08 04 7f000001 06 0fa1  # listenAddrs (field 2): /ip4/127.0.0.1/tcp/4001
        12 0d 04 01020304 9102 0fa1 cd03 d103  # listenAddrs: /ip4/1.2.3.4/udp/4001/quic-v1/webtransport (unknown → dropped)
        1a 0e 2f697066732f69642f312e302e30     # protocols (field 3): "/ipfs/id/1.0.0"
        1a 10 2f697066732f70696e672f312e302e30 # protocols: "/ipfs/ping/1.0.0"
        22 08 04 0a000002 06 d431  # observedAddr (field 4): /ip4/10.0.0.2/tcp/54321
        2a 00                   # protocolVersion (field 5): "" — present but empty, as kubo 0.22 sends it
        32 0c 6b75626f2f302e32322e302f  # agentVersion (field 6): "kubo/0.22.0/"
        """)

    /// The second message: the signed peer record and one more protocol.
    static let kuboSecond = hex("""
        1a 13 2f697066732f626974737761702f312e322e30  # protocols (field 3): "/ipfs/bitswap/1.2.0"
        42 03 010203            # signedPeerRecord (field 8): an opaque envelope (not verified here)
        """)

    @Test func decodesKuboShapedMessage() throws {
        let message = try IdentifyMessage(decoding: Self.kuboFirst)
        #expect(message.publicKey == [0x08, 0x01, 0x12, 0x00])
        #expect(message.listenAddresses == [Self.address("/ip4/127.0.0.1/tcp/4001")])
        #expect(message.droppedAddressCount == 1)
        #expect(message.protocols == ["/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"])
        #expect(message.observedAddress == Self.address("/ip4/10.0.0.2/tcp/54321"))
        #expect(message.protocolVersion == "")
        #expect(message.agentVersion == "kubo/0.22.0/")
        #expect(message.signedPeerRecord == nil)
    }

    @Test func streamOfSplitMessagesMerges() throws {
        var decoder = IdentifyStreamDecoder()
        let stream = LengthPrefixedFrameDecoder.frame(Self.kuboFirst) + LengthPrefixedFrameDecoder.frame(Self.kuboSecond)
        for byte in stream { try decoder.receive([byte]) }  // drip-fed
        #expect(decoder.messageCount == 2)
        let merged = try decoder.finish()
        #expect(merged.protocols == ["/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/ipfs/bitswap/1.2.0"])
        #expect(merged.signedPeerRecord == [1, 2, 3])
        #expect(merged.agentVersion == "kubo/0.22.0/")
        #expect(merged.listenAddresses.count == 1)
    }

    @Test func mergeLetsLaterScalarsWinAndDeduplicatesLists() {
        let a = IdentifyMessage(agentVersion: "a", listenAddresses: [Self.address("/ip4/1.1.1.1/tcp/1")], protocols: ["/x", "/y"])
        let b = IdentifyMessage(protocolVersion: "ipfs/0.1.0", agentVersion: "b",
                                listenAddresses: [Self.address("/ip4/1.1.1.1/tcp/1"), Self.address("/ip4/2.2.2.2/tcp/2")],
                                protocols: ["/y", "/z"])
        let c = IdentifyMessage(publicKey: [9])
        let merged = IdentifyMessage.merging([a, b, c])
        #expect(merged.agentVersion == "b")
        #expect(merged.protocolVersion == "ipfs/0.1.0")
        #expect(merged.publicKey == [9])
        #expect(merged.protocols == ["/x", "/y", "/z"])
        #expect(merged.listenAddresses.count == 2)
        #expect(IdentifyMessage.merging([]) == IdentifyMessage())
    }

    @Test func roundTripsAndKeepsPresentEmptyFields() throws {
        let message = IdentifyMessage(
            protocolVersion: "", agentVersion: "cairn/0.1.0", publicKey: [1, 2, 3],
            listenAddresses: [Self.address("/ip4/127.0.0.1/tcp/4001"), Self.address("/ip6/::1/tcp/4001")],
            observedAddress: Self.address("/ip4/10.0.0.2/tcp/54321"),
            protocols: ["/ipfs/id/1.0.0", "/ipfs/bitswap/1.2.0"], signedPeerRecord: [])
        let decoded = try IdentifyMessage(decoding: message.encoded())
        #expect(decoded == message)
        #expect(IdentifyMessage().encoded().isEmpty)
    }

    @Test func ownMessageIsKeptUnderFourKiB() throws {
        let protocols = (0..<300).map { "/cairn/protocol/with/a/long/name/\($0)" }
        let tooBig = IdentifyMessage(agentVersion: "cairn", protocols: protocols)
        #expect(throws: IdentifyError.self) { try tooBig.framedOwnMessage() }
        let fine = IdentifyMessage(agentVersion: "cairn", protocols: ["/ipfs/id/1.0.0"])
        let framed = try fine.framedOwnMessage()
        #expect(framed.first == UInt8(fine.encoded().count))
        #expect(IdentifyConfiguration.default.maximumOwnMessageByteCount == 4096)
    }

    @Test(arguments: [
        ("0a", "truncated key value"),
        ("08 01", "publicKey as varint"),
        ("32 02 ff fe", "agentVersion not UTF-8"),
        ("1a 01 80", "protocol not UTF-8"),
        ("0b", "group wire type"),
        ("12 05 04 7f", "length past the end"),
    ])
    func rejectsMalformed(hexBytes: String, reason: String) {
        #expect(throws: IdentifyError.self, "\(reason)") { try IdentifyMessage(decoding: Self.hex(hexBytes)) }
    }

    @Test func enforcesLimits() throws {
        let configuration = IdentifyConfiguration(maximumMessageByteCount: 100, maximumMessageCount: 2,
                                                  maximumListenAddressCount: 1, maximumProtocolCount: 2)
        #expect(throws: IdentifyError.messageTooLarge(byteCount: 101, limit: 100)) {
            try IdentifyMessage(decoding: Array(repeating: 0, count: 101), configuration: configuration)
        }
        var decoder = IdentifyStreamDecoder(configuration: configuration)
        let one = LengthPrefixedFrameDecoder.frame(IdentifyMessage(protocols: ["/a"]).encoded())
        try decoder.receive(one + one)
        #expect(throws: IdentifyError.tooManyMessages(limit: 2)) { try decoder.receive(one) }
        // Each message is within limits, but the merge is not.
        var merging = IdentifyStreamDecoder(configuration: configuration)
        try merging.receive(LengthPrefixedFrameDecoder.frame(IdentifyMessage(protocols: ["/a", "/b"]).encoded())
                            + LengthPrefixedFrameDecoder.frame(IdentifyMessage(protocols: ["/c"]).encoded()))
        #expect(throws: IdentifyError.tooManyItems(what: "protocols", count: 3, limit: 2)) { try merging.finish() }
        var oversized = IdentifyStreamDecoder(configuration: configuration)
        #expect(throws: IdentifyError.framing(.frameTooLarge(byteCount: 101, limit: 100))) { try oversized.receive([101]) }
        var truncated = IdentifyStreamDecoder()
        try truncated.receive(one.dropLast())
        #expect(throws: IdentifyError.framing(.truncated(bufferedByteCount: one.count - 1))) { try truncated.finish() }
    }

    @Test func everyTruncationIsHandled() {
        let bytes = Self.kuboFirst
        for cut in 0...bytes.count {
            _ = try? IdentifyMessage(decoding: Array(bytes.prefix(cut)))
        }
        #expect((try? IdentifyMessage(decoding: bytes)) != nil)
    }

    @Test(arguments: UInt64(0)..<200)
    func corruptedInputNeverTraps(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var bytes = LengthPrefixedFrameDecoder.frame(Self.kuboFirst) + LengthPrefixedFrameDecoder.frame(Self.kuboSecond)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
        var decoder = IdentifyStreamDecoder()
        if (try? decoder.receive(bytes)) != nil, let merged = try? decoder.finish() {
            let reencoded = try? IdentifyMessage(decoding: merged.encoded())
            #expect(reencoded?.protocols == merged.protocols)
        }
        _ = try? IdentifyMessage(decoding: rng.bytes(Int.random(in: 0...64, using: &rng)))
    }
}
