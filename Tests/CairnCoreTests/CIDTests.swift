import CairnCore
import Testing

@Suite struct CIDTests {
    /// The CIDv0 of the dag-pb/UnixFS block for "hello world\n" (kubo `ipfs add`), and that block.
    static let helloV0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
    static let helloBlock = VectorFiles.hex("0a120802120c68656c6c6f20776f726c640a180c")
    static let helloDigest = "46d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e"
    /// The raw-codec CIDv1 of "hello world\n" (`ipfs add --raw-leaves`).
    static let helloRaw = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    /// The empty file as kubo adds it: the dag-pb block `0a 04 08 02 18 00` and its CIDs (published
    /// together in js-ipfs unixfs tests and many projects).
    static let emptyV0 = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
    static let emptyV1 = "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y"
    static let emptyBlock: [UInt8] = [0x0a, 0x04, 0x08, 0x02, 0x18, 0x00]
    /// The IPFS docs example directory in both versions, and the CIDv1 in base16.
    static let exampleV0 = "QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR"
    static let exampleV1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
    static let exampleV1Hex = "f01701220c3c4733ec8affd06cf9e9ff50ffc6bcd2ec85a6170004bb709669c31de94391a"

    @Test func cidV0RoundTripsAndNamesTheBlock() throws {
        let cid = try CID(Self.helloV0)
        #expect(cid.version == .v0)
        #expect(cid.codec == .dagPB)
        #expect(cid.multihash.function == .sha2_256)
        #expect(Base16.encode(cid.multihash.digest) == Self.helloDigest)
        #expect(cid.description == Self.helloV0)
        #expect(try CID(bytes: cid.bytes) == cid)
        #expect(cid.bytes.count == 34)
        #expect(try Block(cid: cid, data: Self.helloBlock).cid == cid)
    }

    @Test func rawCIDv1IsSHA256OfContent() throws {
        let cid = try CID(Self.helloRaw)
        #expect(cid.version == .v1)
        #expect(cid.codec == .raw)
        #expect(cid.multihash == Multihash.sha256(Array("hello world\n".utf8)))
        #expect(cid.description == Self.helloRaw)
        #expect(cid.v0 == nil)
        let block = try Block(data: Array("hello world\n".utf8), codec: .raw, version: .v1)
        #expect(block.cid == cid)
    }

    @Test func convertsBetweenV0AndV1() throws {
        let v0 = try CID(Self.exampleV0)
        let v1 = try CID(Self.exampleV1)
        #expect(v0.v1 == v1)
        #expect(v1.v0 == v0)
        #expect(v0.v0 == v0)
        #expect(v1.v1 == v1)
        #expect(v0 != v1)
        #expect(v1.description == Self.exampleV1)
        #expect(v0.v1.description == Self.exampleV1)
        #expect(try CID(Self.exampleV1Hex) == v1)
        #expect(v1.string(base: .base16) == Self.exampleV1Hex)
    }

    @Test func convertsTheEmptyFileCID() throws {
        let v0 = try CID(Self.emptyV0)
        let v1 = try CID(Self.emptyV1)
        #expect(v0.v1 == v1)
        #expect(v1.v0 == v0)
        #expect(v0.v1.description == Self.emptyV1)
        #expect(try Block(cid: v0, data: Self.emptyBlock).cid == v0)
        #expect(try Block(cid: v1, data: Self.emptyBlock).cid == v1)
        #expect(throws: BlockError.hashMismatch(cid: v1)) { try Block(cid: v1, data: []) }
    }

    @Test(arguments: Multibase.allCases)
    func parsesCIDv1InEveryBase(base: Multibase) throws {
        let v1 = try CID(Self.exampleV1)
        let text = v1.string(base: base)
        #expect(text.first == base.rawValue)
        #expect(try CID(text) == v1)
    }

    @Test func cidV0IgnoresTheRequestedBase() throws {
        let v0 = try CID(Self.exampleV0)
        #expect(v0.string(base: .base32) == Self.exampleV0)
    }

    @Test func ordersByBinaryForm() throws {
        let a = try CID(Self.helloV0)
        let b = try CID(Self.helloRaw)
        #expect((a < b) == a.bytes.lexicographicallyPrecedes(b.bytes))
    }
}

/// Malformed CID strings and bytes: each gives its own specific error.
@Suite struct CIDErrorTests {
    static let zeros32: String = String(repeating: "00", count: 32)
    static let zeros33: String = String(repeating: "00", count: 33)
    static let zeros129: String = String(repeating: "00", count: 129)
    static let valid = VectorFiles.hex("01551220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")

    @Test(arguments: [
        ("", MultiformatError.empty(context: "CID string")),
        ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5", MultiformatError.invalidCIDv0(reason: "a CIDv0 string is 46 characters, not 45")),
        ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff50", MultiformatError.invalidCharacter("0", base: "base58btc")),
        ("xafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", MultiformatError.unknownMultibasePrefix("x")),
        ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei1", MultiformatError.invalidCharacter("1", base: "base32")),
        ("zQmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
         MultiformatError.invalidCIDv0(reason: "a CIDv0 must be written in base58btc without a multibase prefix")),
        ("b", MultiformatError.empty(context: "CID")),
    ] as [(String, MultiformatError)])
    func malformedString(text: String, error: MultiformatError) {
        #expect(throws: error) { try CID(text) }
    }

    @Test func oversizedString() {
        let text = "b" + String(repeating: "a", count: CID.maximumStringLength)
        #expect(throws: MultiformatError.tooLarge(context: "CID string", byteCount: CID.maximumStringLength + 1,
                                                  limit: CID.maximumStringLength)) { try CID(text) }
    }

    @Test func truncatedStringReportsTheMissingDigest() {
        let text = Multibase.base32.encode(Self.valid.dropLast())
        #expect(throws: MultiformatError.truncated(context: "multihash digest")) { try CID(text) }
    }

    @Test(arguments: [
        ("", MultiformatError.empty(context: "CID")),
        ("02551220" + zeros32, .unsupportedCIDVersion(2)),
        ("00551220" + zeros32, .invalidCIDv0(reason: "explicit version 0 is not a valid binary CID")),
        ("01", .truncated(context: "CID codec")),
        ("0155", .truncated(context: "multihash function code")),
        ("01d5001220" + zeros32, .varintNotMinimal),
        ("1220abcd", .truncated(context: "multihash digest")),
        ("0155008101" + zeros129, .tooLarge(context: "multihash digest", byteCount: 129, limit: 128)),
        ("01551221" + zeros33, .digestLengthMismatch(code: 0x12, expected: 32, actual: 33)),
        ("8080808080808080808001", .varintTooLong),
    ] as [(String, MultiformatError)])
    func malformedBytes(hex: String, error: MultiformatError) {
        #expect(throws: error) { try CID(bytes: VectorFiles.hex(hex)) }
    }

    @Test func trailingBytes() {
        #expect(throws: MultiformatError.trailingBytes(context: "CID", count: 1)) { try CID(bytes: Self.valid + [0]) }
    }

    @Test func oversizedBytes() {
        let bytes = [UInt8](repeating: 1, count: CID.maximumByteCount + 1)
        #expect(throws: MultiformatError.tooLarge(context: "CID", byteCount: 257, limit: 256)) { try CID(bytes: bytes) }
    }

    @Test func cidV0NeedsFullSHA256() throws {
        let truncated = try Multihash(function: .sha2_256, digest: [UInt8](repeating: 0, count: 20))
        #expect(throws: MultiformatError.invalidCIDv0(reason: "CIDv0 requires a 32-byte sha2-256 multihash")) { try CID(v0: truncated) }
        #expect(throws: MultiformatError.invalidCIDv0(reason: "CIDv0 can only address dag-pb, not raw")) {
            try CID(version: .v0, codec: .raw, multihash: .sha256([1]))
        }
    }
}
