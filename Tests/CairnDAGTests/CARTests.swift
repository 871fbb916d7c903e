import CairnCore
import CairnDAG
import Testing

/// Bytes from hex (whitespace ignored); test fixtures only.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.utf8.compactMap { c -> UInt8? in
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
    return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Writes a CAR into memory through `CARWriter`'s output closure.
func writeCAR(roots: [CID], blocks: [Block]) throws -> [UInt8] {
    var out: [UInt8] = []
    var writer = try CARWriter(roots: roots) { out.append(contentsOf: $0) }
    for block in blocks { try writer.write(block) }
    return out
}

@Suite struct CARTests {
    /// The 112-byte CAR from the notes §1.11: one dag-pb block for "hello world\n", root QmT78z….
    static let helloCAR = hexBytes("""
        38a265726f6f747381d82a582300122046d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e
        6776657273696f6e0136122046d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e
        0a120802120c68656c6c6f20776f726c640a180c
        """)
    static let helloRoot = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
    static let helloBlock = hexBytes("0a120802120c68656c6c6f20776f726c640a180c")

    @Test func headerEncodingMatchesTheNotesByteForByte() throws {
        #expect(Self.helloCAR.count == 112)
        let header = try CARv1.Header(roots: [CID(Self.helloRoot)])
        #expect(header.bytes.count == 0x38)
        #expect(header.bytes == Array(Self.helloCAR[1...0x38]))
        #expect(try CARv1.Header(bytes: header.bytes) == header)
    }

    @Test func writerProducesTheNotesCAR() throws {
        let block = try Block(cid: CID(Self.helloRoot), data: Self.helloBlock)
        #expect(try writeCAR(roots: [block.cid], blocks: [block]) == Self.helloCAR)
    }

    @Test func readerReadsTheNotesCAR() throws {
        var reader = try CARReader(bytes: Self.helloCAR)
        #expect(reader.header.roots == [try CID(Self.helloRoot)])
        #expect(reader.offset == 57)
        let block = try #require(try reader.next())
        #expect(block.cid.description == Self.helloRoot)
        #expect(block.data == Self.helloBlock)
        #expect(try reader.next() == nil)
        #expect(reader.offset == 112)
        #expect(try reader.next() == nil)
    }

    @Test func readsTheCarv1BasicFixture() throws {
        let bytes = hexBytes(CARv1BasicFixture.hex)
        #expect(bytes.count == 715)
        var reader = try CARReader(bytes: bytes)
        #expect(reader.header.roots.map(\.description) == CARv1BasicFixture.roots)
        for expected in CARv1BasicFixture.sections {
            #expect(reader.offset == expected.offset)
            let block = try #require(try reader.next())
            #expect(block.cid.description == expected.cid)
            #expect(block.data.count == expected.blockLength)
            #expect(Array(bytes[expected.blockOffset..<expected.blockOffset + expected.blockLength]) == block.data)
            #expect(reader.offset == expected.offset + expected.length)
        }
        #expect(try reader.next() == nil)
        #expect(reader.sectionIndex == 8)
    }

    @Test func rewritingTheFixtureReproducesItExactly() throws {
        let bytes = hexBytes(CARv1BasicFixture.hex)
        var reader = try CARReader(bytes: bytes)
        let blocks = try reader.readAll()
        #expect(Set(blocks.map(\.cid.codec)) == [.dagPB, .dagCBOR, .raw])
        #expect(try writeCAR(roots: reader.header.roots, blocks: blocks) == bytes)
    }

    @Test func identityAndSHA512BlocksAreVerified() throws {
        let data = Array("inline".utf8)
        let identity = try Block(cid: CID(v1: .raw, Multihash(function: .identity, digest: data)), data: data)
        let sha512 = try Block(cid: CID(v1: .dagJSON, Multihash.compute(.sha2_512, of: [UInt8]([1, 2]))), data: [1, 2])
        let car = try writeCAR(roots: [identity.cid], blocks: [identity, sha512])
        var reader = try CARReader(bytes: car)
        #expect(try reader.readAll() == [identity, sha512])
    }

    @Test(arguments: [1, 2, 7, 100, 65536])
    func readsFromASourceDripByDrip(chunk: Int) throws {
        let bytes = hexBytes(CARv1BasicFixture.hex)
        var position = 0
        var reader = try CARReader { buffer, maximum in
            let count = min(chunk, maximum, bytes.count - position)
            buffer.append(contentsOf: bytes[position..<position + count])
            position += count
            return count
        }
        #expect(try reader.readAll().count == 8)
    }

    @Test func writerStreamsInPieces() throws {
        var calls: [Int] = []
        let block = try Block(cid: CID(Self.helloRoot), data: Self.helloBlock)
        var writer = try CARWriter(roots: [block.cid]) { calls.append($0.count) }
        try writer.write(block)
        #expect(calls == [57, 35, 20])
        #expect(writer.byteCount == 112 && writer.sectionCount == 1)
    }
}

/// Malformed CARs: every input gives a typed `CARError` with its offset, never a crash.
@Suite struct CARErrorTests {
    static let hello = CARTests.helloCAR

    static func read(_ bytes: [UInt8]) throws(CARError) -> [Block] {
        var reader = try CARReader(bytes: bytes)
        return try reader.readAll()
    }

    @Test func everyTruncationGivesATypedError() {
        for cut in 0..<Self.hello.count {
            let prefix = Array(Self.hello.prefix(cut))
            let expected: CARError = switch cut {
            case 0: .truncatedHeader(offset: 0)
            case 1..<57: .truncatedHeader(offset: 1)
            default: .truncatedSection(index: 0, offset: 57)
            }
            if cut == 57 {
                #expect((try? Self.read(prefix)) == [], "a CAR cut exactly after the header is valid and empty")
            } else {
                #expect(throws: expected, "cut at \(cut)") { try Self.read(prefix) }
            }
        }
    }

    @Test func everyTruncationOfTheFixtureGivesATypedError() throws {
        let bytes = hexBytes(CARv1BasicFixture.hex)
        let boundaries = Set([100] + CARv1BasicFixture.sections.map { $0.offset + $0.length })
        for cut in 0..<bytes.count {
            let prefix = Array(bytes.prefix(cut))
            if boundaries.contains(cut) {
                #expect(throws: Never.self) { try Self.read(prefix) }
                continue
            }
            do {
                _ = try Self.read(prefix)
                Issue.record("cut at \(cut) was accepted")
            } catch {
                switch error {
                case .truncatedHeader, .truncatedSection: break
                default: Issue.record("cut at \(cut) gave \(error)")
                }
            }
        }
    }

    @Test func everyFlippedBitGivesATypedErrorOrTheOriginalBlock() {
        for index in 0..<Self.hello.count {
            for bit in 0..<8 {
                var bytes = Self.hello
                bytes[index] ^= UInt8(1 << bit)
                do {
                    // A flip inside the root CID's digest leaves a valid CAR with another root; any
                    // accepted block must still be the original one, since every block is hashed.
                    let blocks = try Self.read(bytes)
                    #expect(blocks.map(\.data) == [CARTests.helloBlock], "flip at \(index) bit \(bit)")
                } catch {
                    #expect(!error.description.isEmpty)
                }
            }
        }
    }

    @Test func flippedBlockByteIsAHashMismatch() throws {
        var bytes = Self.hello
        bytes[100] ^= 0x01
        #expect(throws: CARError.blockHashMismatch(cid: try CID(CARTests.helloRoot), index: 0, offset: 57)) { try Self.read(bytes) }
    }

    @Test(arguments: [
        // The notes' header with version 2.
        ("38a265726f6f747381d82a582300122046d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e6776657273696f6e02",
         CARError.unsupportedVersion(2)),
        // CARv2 pragma: {"version": 2}.
        ("0aa16776657273696f6e02", .unsupportedVersion(2)),
        ("0aa16776657273696f6e01", .badHeader(reason: "missing \"roots\"")),
        ("08a165726f6f747380", .badHeader(reason: "missing \"version\"")),
        ("11a265726f6f7473806776657273696f6e01", .badHeader(reason: "a CAR needs at least one root")),
        ("11a26776657273696f6e0165726f6f747380", .badHeader(reason: "header keys are not in canonical DAG-CBOR order")),
        ("08a16568656c6c6f01", .badHeader(reason: "unknown header key \"hello\"")),
        ("03a0ff00", .badHeader(reason: "trailing bytes after the header map")),
        ("01bf", .badHeader(reason: "header map uses an indefinite length, which DAG-CBOR forbids")),
        ("0181", .badHeader(reason: "expected header map (major type 5), found major type 4")),
        ("02b802", .badHeader(reason: "header map uses a non-minimal length or integer encoding")),
        ("01bc", .badHeader(reason: "header map uses reserved additional information 28")),
        ("03a36161", .badHeader(reason: "header map has 3 entries; only roots and version are allowed")),
        ("12a16776657273696f6e1b0000000000000001", .badHeader(reason: "version uses a non-minimal length or integer encoding")),
        ("0ca165726f6f747381d82b4100", .badHeader(reason: "root 0 has tag 43, expected 42")),
        ("0ca165726f6f747381d82a4101", .badHeader(reason: "root 0 lacks the 0x00 multibase prefix")),
        ("0da165726f6f747381d82a420001", .badHeader(reason: "root 0 is not a valid CID: truncated input while reading CID codec")),
        ("0ba165726f6f747381d82a58", .badHeader(reason: "truncated root 0")),
        ("00", .badHeader(reason: "empty header")),
        ("13a1717272727272727272727272727272727272", .badHeader(reason: "header key is 17 bytes, over the limit of 16")),
        ("03a16572", .badHeader(reason: "truncated header key")),
        ("80", .truncatedHeader(offset: 0)),
        ("8000", .invalidLength(offset: 0, .varintNotMinimal)),
        ("ffffffffffffffffff", .invalidLength(offset: 0, .varintTooLong)),
        ("ffffffffffffffffff01", .invalidLength(offset: 0, .varintTooLong)),
    ] as [(String, CARError)])
    func malformedHeader(hex: String, error: CARError) {
        #expect(throws: error) { try Self.read(hexBytes(hex)) }
    }

    @Test func headerLimitBoundary() {
        // 0x100001 = 1 MiB + 1, rejected before any of it is read.
        #expect(throws: CARError.headerTooLarge(byteCount: (1 << 20) + 1, limit: CARv1.maximumHeaderByteCount)) {
            try Self.read(hexBytes("818040"))
        }
        // Exactly 1 MiB is allowed, so the error is the missing bytes.
        #expect(throws: CARError.truncatedHeader(offset: 3)) { try Self.read(hexBytes("808040")) }
    }

    @Test(arguments: [
        ("00", CARError.emptySection(index: 0, offset: 57)),
        ("80", .truncatedSection(index: 0, offset: 57)),
        ("8000", .invalidLength(offset: 57, .varintNotMinimal)),
        ("81808101", .sectionTooLarge(index: 0, offset: 57, byteCount: 2_113_537, limit: CARv1.maximumSectionByteCount)),
        ("0202", .truncatedSection(index: 0, offset: 57)),
        ("0102", .invalidCID(index: 0, offset: 57, .unsupportedCIDVersion(2))),
        ("020155", .invalidCID(index: 0, offset: 57, .truncated(context: "multihash function code"))),
        ("05015500", .truncatedSection(index: 0, offset: 57)),
        ("03015500", .invalidCID(index: 0, offset: 57, .truncated(context: "multihash digest length"))),
    ] as [(String, CARError)])
    func malformedSection(hex: String, error: CARError) {
        let bytes = Array(Self.hello.prefix(57)) + hexBytes(hex)
        #expect(throws: error) { try Self.read(bytes) }
    }

    @Test func unverifiableHashIsReported() throws {
        let cid = CID(v1: .raw, try Multihash(function: .blake3, digest: [UInt8](repeating: 0, count: 32)))
        var bytes = Array(Self.hello.prefix(57))
        bytes += Varint.encode(UInt64(cid.bytes.count + 1)) + cid.bytes + [0x61]
        do {
            _ = try Self.read(bytes)
            Issue.record("accepted an unverifiable block")
        } catch {
            guard case .unverifiableBlock(let got, 0, 57, _) = error else { Issue.record("got \(error)"); return }
            #expect(got == cid)
        }
    }

    @Test func writerRejectsEmptyRootsAndOversizedSections() throws {
        #expect(throws: CARError.badHeader(reason: "a CAR needs at least one root")) {
            _ = try CARWriter(roots: []) { _ in }
        }
        var writer = try CARWriter(roots: [CID(CARTests.helloRoot)]) { _ in }
        let big = [UInt8](repeating: 0, count: CARv1.maximumSectionByteCount)
        let cid = CID(v1: .raw, .sha256(big))
        #expect(throws: CARError.sectionTooLarge(index: 0, offset: 57, byteCount: big.count + 36, limit: CARv1.maximumSectionByteCount)) {
            try big.withUnsafeBytes { buffer in try writer.write(cid, bytes: buffer) }
        }
    }

    struct Boom: Error {}

    @Test func sourceAndOutputFailuresAreReportedWithOffsets() throws {
        #expect(throws: CARError.ioFailed(offset: 0, message: "Boom()")) {
            _ = try CARReader { _, _ in throw Boom() }
        }
        #expect(throws: CARError.ioFailed(offset: 0, message: "Boom()")) {
            _ = try CARWriter(roots: [CID(CARTests.helloRoot)]) { _ in throw Boom() }
        }
    }

    @Test(arguments: [1 as UInt64, 2, 3, 4])
    func randomGarbageNeverTraps(seed: UInt64) {
        var state = seed
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<2000 {
            var bytes = Self.hello
            if next() & 1 == 0 {
                bytes = (0..<Int(next() % 80)).map { _ in next() }
            } else {
                for _ in 0..<Int(next() % 4) { bytes[Int(next()) % bytes.count] = next() }
                bytes = Array(bytes.prefix(Int(next()) % (bytes.count + 1)))
            }
            _ = try? Self.read(bytes)
        }
    }
}
