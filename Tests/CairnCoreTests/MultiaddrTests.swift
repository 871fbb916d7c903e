import Foundation
import CairnCore
import Testing

@Suite struct MultiaddrTests {
    /// Text/binary pairs. Sources: the lead's verified vector (notes §1.1), multiformats/multiaddr
    /// `test/multiaddr.feature` (also loaded from the file below), go-multiaddr `multiaddr_test.go`
    /// at 7fae00adf671d9d4b931e591f2357a261567fee5 (`TestStringToBytes` and the /p2p vector), and
    /// hand-derived encodings of protocols.csv codes for the rest.
    static let pairs: [(String, String)] = [
        ("/ip4/127.0.0.1/tcp/4101", "047f000001061005"),
        ("/ip4/192.0.2.42/tcp/443", "04c000022a0601bb"),
        ("/ip4/0.0.0.0/tcp/0", "0400000000060000"),
        ("/ip4/255.255.255.255/udp/65535", "04ffffffff9102ffff"),
        ("/ip4/1.2.3.4/udp/4001/quic-v1", "0401020304" + "91020fa1" + "cd03"),
        ("/ip4/127.0.0.1/udp/1234", "047f000001910204d2"),
        ("/ip4/127.0.0.1/tcp/4321", "047f0000010610e1"),
        ("/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321", "047f000001910204d2047f0000010610e1"),
        ("/ip6/::1/tcp/4001", "29" + "00000000000000000000000000000001" + "060fa1"),
        ("/ip6/2001:db8::1/udp/53", "29" + "20010db8000000000000000000000001" + "91020035"),
        ("/dns4/example.com/tcp/443/wss", "36" + "0b" + "6578616d706c652e636f6d" + "0601bb" + "de03"),
        ("/dns/example.com/tcp/80/ws", "35" + "0b" + "6578616d706c652e636f6d" + "060050" + "dd03"),
        ("/dns6/a.b/tcp/1", "37" + "03" + "612e62" + "060001"),
        ("/dnsaddr/bootstrap.libp2p.io", "38" + "13" + "626f6f7473747261702e6c69627032702e696f"),
        ("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
         "a503221220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b"),
        ("/ip4/127.0.0.1/tcp/4001/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
         "047f000001060fa1a503221220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b"),
    ]

    @Test(arguments: pairs)
    func textAndBinaryRoundTrip(text: String, hex: String) throws {
        let fromText = try Multiaddr(text)
        #expect(Base16.encode(fromText.bytes) == hex)
        #expect(fromText.description == text)
        let fromBytes = try Multiaddr(bytes: VectorFiles.hex(hex))
        #expect(fromBytes == fromText)
        #expect(fromBytes.description == text)
    }

    /// go-multiaddr `multiaddr_test.go` `good` list, restricted to Cairn's protocols.
    static let goGood = [
        "/ip4/1.2.3.4", "/ip4/0.0.0.0", "/ip6/::1", "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21",
        "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic-v1", "/udp/0", "/tcp/0", "/udp/1234",
        "/tcp/1234", "/udp/65535", "/tcp/65535",
        "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7",
        "/p2p/bafzbeigvf25ytwc3akrijfecaotc74udrhcxzh2cx3we5qqnw5vgrei4bm",
        "/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV",
        "/p2p/k51qzi5uqu5dhb6l8spkdx7yxafegfkee5by8h7lmjh2ehc2sgg34z7c15vzqs",
        "/p2p/bafzaajaiaejcalj543iwv2d7pkjt7ykvefrkfu7qjfi6sduakhso4lay6abn2d5u",
        "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234",
        "/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7/tcp/1234",
        "/ip4/127.0.0.1/udp/1234", "/ip4/127.0.0.1/udp/0", "/ip4/127.0.0.1/tcp/1234",
        "/ip4/127.0.0.1/udp/1234/quic-v1", "/ip6/::ffff:127.0.0.1/tcp/111",
        "/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234",
        "/dnsaddr/wss.com/tcp/4001/ws",
    ]

    @Test(arguments: goGood)
    func parsesGoMultiaddrGoodList(text: String) throws {
        let address = try Multiaddr(text)
        #expect(try Multiaddr(address.description) == address)
        #expect(try Multiaddr(bytes: address.bytes) == address)
        // The same peer written as base58, base36 or base32 CID all print as base58btc.
        if let peer = address.peerID { #expect(address.description.contains("/p2p/" + Base58.encode(peer.bytes))) }
    }

    @Test func k2k4AndQmcgAreTheSamePeer() throws {
        let a = try Multiaddr("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC")
        let b = try Multiaddr("/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7")
        #expect(a == b)
    }

    @Test func verifiedVectorComponents() throws {
        let address = try Multiaddr("/ip4/127.0.0.1/tcp/4101")
        #expect(address.components == [.ip4(.init(127, 0, 0, 1)), .tcp(port: 4101)])
        #expect(address.components.map(\.protocolCode) == [.ip4, .tcp])
        #expect(address.components.map(\.textValue) == ["127.0.0.1", "4101"])
    }

    /// Every scenario of multiformats/multiaddr `test/multiaddr.feature`.
    @Test func publishedFeatureScenarios() throws {
        let lines = try VectorFiles.text("multiaddr/multiaddr.feature").split(whereSeparator: \.isNewline)
        var checked = 0
        var given: String? = nil
        for raw in lines {
            let line = raw.drop(while: { $0 == " " })
            if line.hasPrefix("Given the multiaddr ") { given = String(line.dropFirst("Given the multiaddr ".count)) }
            guard let input = given else { continue }
            if line.hasPrefix("Then the packed form is 0x") {
                let hex = String(line.dropFirst("Then the packed form is 0x".count))
                #expect(Base16.encode(try Multiaddr(input).bytes) == hex)
                checked += 1
            } else if line.hasPrefix("Then the string form is ") {
                let text = String(line.dropFirst("Then the string form is ".count))
                #expect(input.hasPrefix("0x"))
                #expect(try Multiaddr(bytes: VectorFiles.hex(String(input.dropFirst(2)))).description == text)
                checked += 1
            }
        }
        #expect(checked == 2)
    }

    @Test func protocolCodesMatchPublishedTable() throws {
        let rows = try VectorFiles.text("multiaddr/protocols.csv").split(whereSeparator: \.isNewline)
        var table: [String: UInt64] = [:]
        for row in rows.dropFirst() {
            let fields = row.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count >= 3, let code = UInt64(fields[0]) { table[fields[2]] = code }
        }
        for code in Multiaddr.ProtocolCode.allCases {
            #expect(table[code.name] == code.rawValue, "\(code.name)")
        }
    }

    @Test(arguments: [
        ("/ip6/2001:0db8:0000:0000:0000:0000:0000:0001", "/ip6/2001:db8::1"),
        ("/ip6/2001:db8:0:0:1:0:0:1", "/ip6/2001:db8::1:0:0:1"),
        ("/ip6/2001:db8:0:1:1:1:1:1", "/ip6/2001:db8:0:1:1:1:1:1"),
        ("/ip6/1:0:0:2:0:0:0:3", "/ip6/1:0:0:2::3"),
        ("/ip6/0:0:0:0:0:0:0:0", "/ip6/::"),
        ("/ip6/FE80::ABCD", "/ip6/fe80::abcd"),
        ("/ip6/1::", "/ip6/1::"),
        ("/ip6/1:2:3:4:5:6::8", "/ip6/1:2:3:4:5:6:0:8"),
        ("/ip6/::ffff:192.0.2.1", "/ip6/::ffff:192.0.2.1"),
        ("/ip6/0:0:0:0:0:ffff:c000:0201", "/ip6/::ffff:192.0.2.1"),
        ("/ip6/64:ff9b::192.0.2.33", "/ip6/64:ff9b::c000:221"),
        ("/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"),
    ])
    func printsCanonicalForm(input: String, canonical: String) throws {
        let address = try Multiaddr(input)
        #expect(address.description == canonical)
        #expect(try Multiaddr(canonical) == address)
    }

    @Test func peerIDAcceptsCIDForms() throws {
        let base58 = "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"
        let expected = try Multiaddr(base58)
        let peer = try #require(expected.peerID)
        let asCID = CID(v1: .libp2pKey, peer)
        for base in [Multibase.base32, .base36, .base58btc] {
            let address = try Multiaddr("/p2p/" + asCID.string(base: base))
            #expect(address == expected)
            #expect(address.description == base58)
        }
    }

    @Test func identityPeerIDIsAccepted() throws {
        // An Ed25519 peer ID (identity multihash of the 36-byte protobuf key), as printed by libp2p.
        let key = [0x08, 0x01, 0x12, 0x20] + [UInt8](repeating: 7, count: 32)
        let peer = try Multihash(function: .identity, digest: key)
        let address = Multiaddr([.ip4(.init(10, 0, 0, 1)), .tcp(port: 1), .p2p(peer)])
        #expect(address.description.contains("/p2p/12D3KooW"))
        #expect(try Multiaddr(address.description) == address)
        #expect(try Multiaddr(bytes: address.bytes) == address)
        #expect(address.removingPeerID == Multiaddr([.ip4(.init(10, 0, 0, 1)), .tcp(port: 1)]))
    }

    @Test func appendingAddsAtTheEnd() throws {
        let base = try Multiaddr("/ip4/127.0.0.1/udp/4001")
        #expect(base.appending(.quicV1).description == "/ip4/127.0.0.1/udp/4001/quic-v1")
        #expect(base.peerID == nil)
    }
}

/// Malformed multiaddrs: each gives its specific error.
private func value(_ name: String, _ value: String, _ reason: String) -> MultiformatError {
    .invalidMultiaddrValue(protocolName: name, value: value, reason: reason)
}
private let badIP4 = "not a dotted-quad IPv4 address"
private let badIP6 = "not an IPv6 address"
private let badPort = "port must be a decimal number 0…65535 without leading zeros"

@Suite struct MultiaddrErrorTests {
    @Test(arguments: [
        ("", .empty(context: "multiaddr")),
        ("ip4/1.2.3.4", .invalidMultiaddrSyntax("ip4/1.2.3.4", reason: "must start with '/'")),
        ("/", .invalidMultiaddrSyntax("/", reason: "empty protocol name")),
        ("/ip4/1.2.3.4/", .invalidMultiaddrSyntax("/ip4/1.2.3.4/", reason: "empty protocol name")),
        ("//ip4/1.2.3.4", .invalidMultiaddrSyntax("//ip4/1.2.3.4", reason: "empty protocol name")),
        ("/ip4/1.2.3.4/tcp", .invalidMultiaddrSyntax("/ip4/1.2.3.4/tcp", reason: "/tcp needs a value")),
        ("/ip4/1.2.3.4/tcp/80/garbage", .unknownMultiaddrProtocol("garbage")),
        ("/quic-v1/x", .unknownMultiaddrProtocol("x")),
        ("/udt", .unknownMultiaddrProtocol("udt")),
        ("/ip4/256.0.0.1", value("ip4", "256.0.0.1", badIP4)),
        ("/ip4/1.2.3", value("ip4", "1.2.3", badIP4)),
        ("/ip4/1.2.3.4.5", value("ip4", "1.2.3.4.5", badIP4)),
        ("/ip4/01.2.3.4", value("ip4", "01.2.3.4", badIP4)),
        ("/ip4/1.2.3.4x", value("ip4", "1.2.3.4x", badIP4)),
        ("/ip4/1..3.4", value("ip4", "1..3.4", badIP4)),
        ("/ip4/+1.2.3.4", value("ip4", "+1.2.3.4", badIP4)),
        ("/tcp/65536", value("tcp", "65536", badPort)),
        ("/tcp/-1", value("tcp", "-1", badPort)),
        ("/tcp/+1", value("tcp", "+1", badPort)),
        ("/tcp/080", value("tcp", "080", badPort)),
        ("/udp/99999999999", value("udp", "99999999999", badPort)),
        ("/tcp/4o01", value("tcp", "4o01", badPort)),
        ("/ip6/1:2:3:4:5:6:7:8:9", value("ip6", "1:2:3:4:5:6:7:8:9", badIP6)),
        ("/ip6/1:2:3:4:5:6:7", value("ip6", "1:2:3:4:5:6:7", badIP6)),
        ("/ip6/1::2::3", value("ip6", "1::2::3", badIP6)),
        ("/ip6/:::1", value("ip6", ":::1", badIP6)),
        ("/ip6/:1::2", value("ip6", ":1::2", badIP6)),
        ("/ip6/1::2:", value("ip6", "1::2:", badIP6)),
        ("/ip6/12345::", value("ip6", "12345::", badIP6)),
        ("/ip6/fe80::1%eth0", value("ip6", "fe80::1%eth0", badIP6)),
        ("/ip6/1:2:3:4:5:6:7::8", value("ip6", "1:2:3:4:5:6:7::8", badIP6)),
        ("/ip6/1.2.3.4::", value("ip6", "1.2.3.4::", badIP6)),
        ("/ip6/::ffff:256.1.1.1", value("ip6", "::ffff:256.1.1.1", badIP6)),
        ("/ip6/g::", value("ip6", "g::", badIP6)),
        ("/dns4/", value("dns4", "", "empty name")),
        ("/p2p/", value("p2p", "", "empty peer ID")),
        ("/p2p/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
         value("p2p", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
               "a peer ID CID must be CIDv1 with the libp2p-key codec, not dag-pb")),
    ] as [(String, MultiformatError)])
    func malformedText(text: String, error: MultiformatError) {
        #expect(throws: error) { try Multiaddr(text) }
    }

    /// go-multiaddr `TestConstructFails` and `TestInvalidP2PAddrString`, restricted to Cairn's protocols
    /// (the specific errors for these shapes are pinned in `malformedText`).
    static let goBad = [
        "/ip4", "/ip4/::1", "/ip4/fdpsofodsajfdoisa", "/ip6", "/udp", "/tcp", "/udp/65536", "/tcp/65536",
        "/quic-v1/65536", "/ip4/127.0.0.1/udp/jfodsajfidosajfoidsa", "/ip4/127.0.0.1/udp",
        "/ip4/127.0.0.1/tcp/jfodsajfidosajfoidsa", "/ip4/127.0.0.1/tcp", "/ip4/127.0.0.1/quic-v1/1234",
        "/ip4/127.0.0.1/ipfs", "/ip4/127.0.0.1/p2p", "/ip4/127.0.0.1/p2p/tcp", "/ip4/1.2.3.4/tcp/-1", "/", "",
        "/p2p/QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY",
        "/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl-", "/p2p/?unknownmultibase",
        "/p2p/k2jmtxwoe2phm1hbqp0e7nufqf6umvuu2e9qd7ana7h411a0haqj6i2z",
    ]

    @Test(arguments: goBad)
    func rejectsGoMultiaddrBadList(text: String) {
        #expect(throws: MultiformatError.self) { try Multiaddr(text) }
    }

    @Test func rejectsGoInvalidP2PBytes() {
        let bytes = VectorFiles.hex("a503221221c05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6")
        #expect(throws: MultiformatError.invalidMultiaddrValue(
            protocolName: "p2p", value: "1221c05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6",
            reason: "not a multihash: truncated input while reading multihash digest")) { try Multiaddr(bytes: bytes) }
    }

    @Test func oversizedDNSName() {
        let name = String(repeating: "a", count: Multiaddr.maximumDNSNameByteCount + 1)
        #expect(throws: value("dns", name, "name is 256 bytes, over the limit of 255")) { try Multiaddr("/dns/" + name) }
    }

    @Test func oversizedText() {
        let text = "/dns/" + String(repeating: "a", count: Multiaddr.maximumTextLength)
        #expect(throws: MultiformatError.tooLarge(context: "multiaddr string", byteCount: Multiaddr.maximumTextLength + 5,
                                                  limit: Multiaddr.maximumTextLength)) { try Multiaddr(text) }
    }

    @Test func truncatedBase58PeerID() throws {
        let text = "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupGv"
        #expect(throws: (any Error).self) { try Multiaddr(text) }
        do {
            _ = try Multiaddr(text)
        } catch {
            guard case .invalidMultiaddrValue(let name, _, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(name == "p2p")
            #expect(reason.hasPrefix("not a multihash"))
        }
    }

    @Test(arguments: [
        ("", .empty(context: "multiaddr")),
        ("07", .unknownMultiaddrProtocol("code 0x7")),
        ("80", .truncated(context: "multiaddr protocol code")),
        ("8000", .varintNotMinimal),
        ("047f00", .truncated(context: "/ip4 address")),
        ("047f000001", nil),
        ("047f00000106", .truncated(context: "/tcp port")),
        ("047f0000010610", .truncated(context: "/tcp port")),
        ("2900", .truncated(context: "/ip6 address")),
        ("35", .truncated(context: "/dns value length")),
        ("3505616263", .truncated(context: "/dns value")),
        ("358002", .tooLarge(context: "/dns value", byteCount: 256, limit: 255)),
        ("3500", value("dns", "", "empty name")),
        ("3503612f62", value("dns", "a/b", "name contains '/'")),
        ("3502c328", value("dns", "c328", "name is not UTF-8")),
        ("a503ffffffff0f", .tooLarge(context: "/p2p value", byteCount: 0xffff_ffff, limit: Multiaddr.maximumPeerIDByteCount)),
        ("a5030412021234", .invalidMultiaddrValue(protocolName: "p2p", value: "12021234", reason: "a peer ID is an identity or full sha2-256 multihash")),
        ("a50300", .invalidMultiaddrValue(protocolName: "p2p", value: "", reason: "not a multihash: truncated input while reading multihash function code")),
        ("a503021201", .invalidMultiaddrValue(protocolName: "p2p", value: "1201", reason: "not a multihash: truncated input while reading multihash digest")),
    ] as [(String, MultiformatError?)])
    func malformedBinary(hex: String, error: MultiformatError?) throws {
        if let error {
            #expect(throws: error) { try Multiaddr(bytes: VectorFiles.hex(hex)) }
        } else {
            _ = try Multiaddr(bytes: VectorFiles.hex(hex))
        }
    }

    @Test func oversizedBinary() {
        let bytes = [UInt8](repeating: 0xcc, count: Multiaddr.maximumByteCount + 1)
        #expect(throws: MultiformatError.tooLarge(context: "multiaddr", byteCount: 1025, limit: 1024)) { try Multiaddr(bytes: bytes) }
    }
}
