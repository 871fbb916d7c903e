import CairnCore
import CairnDAG
import CairnTestSupport
import Testing
@testable import CairnPrivate

/// The manifest and share-table parsers are strict: anything this format did not write is a typed
/// `malformedManifest` / `malformedTable`, never a crash, a hang or a large allocation. Malformed inputs
/// are built field by field here (independently of `PrivateManifest.encoded()`), so the tests also pin
/// the byte layout documented in docs/specs/private.md.
@Suite("Private manifest and share-table parsing")
struct PrivateManifestTests {
    // MARK: - Building blocks by hand

    /// The manifest's data field, one property per field, in wire order.
    struct ManifestFields {
        var magic = Array("CAIRNPM1".utf8)
        var version: UInt8 = 1
        var cipher: UInt8 = 1
        var k: UInt8 = 3
        var n: UInt8 = 7
        var segmentByteCount: UInt32 = 4096
        var paddedByteCount: UInt64 = 10 * 4096
        var segmentsPerTable: UInt32 = 4096 / 7
        var fileID = [UInt8](repeating: 0x11, count: 32)
        var ciphertextHash = [UInt8](repeating: 0x22, count: 32)
        var columnRoots: [[UInt8]] = (0..<7).map { [UInt8](repeating: UInt8(0x30 + $0), count: 32) }
        var trailing: [UInt8] = []

        var data: [UInt8] {
            magic + [version, cipher, k, n] + be(segmentByteCount) + be(paddedByteCount) + be(segmentsPerTable)
                + fileID + ciphertextHash + columnRoots.flatMap { $0 } + trailing
        }

        func block(tables: [CID]) -> [UInt8] {
            PBNode(links: tables.map { PBLink(cid: $0, tsize: nil) }, data: data).encoded()
        }
    }

    /// The share table's data field.
    struct TableFields {
        var magic = Array("CAIRNPT1".utf8)
        var version: UInt8 = 1
        var n: UInt8
        var fileID: [UInt8]
        var firstSegment: UInt64
        var segmentCount: UInt32
        var trailing: [UInt8] = []

        var data: [UInt8] { magic + [version, n] + fileID + be(firstSegment) + be(segmentCount) + trailing }

        func block(links: [CID]) -> [UInt8] {
            PBNode(links: links.map { PBLink(cid: $0, tsize: nil) }, data: data).encoded()
        }
    }

    static func be(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    static func be(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }

    /// A dag-pb sha2-256 CID standing in for table `index` (the parsers never fetch it).
    static func tableCID(_ index: Int) throws -> CID {
        try Block(data: Array("table \(index)".utf8), codec: .dagPB, version: .v1).cid
    }

    /// A share CID (raw, share tree) standing in for share `share` of segment `segment`.
    static func shareDigest(segment: Int, share: Int) -> [UInt8] {
        ShareTree.root(Array("share \(segment)/\(share)".utf8))
    }

    static func fields(k: Int, n: Int, segment: Int = 4096, padded: Int) -> ManifestFields {
        var fields = ManifestFields()
        fields.k = UInt8(k)
        fields.n = UInt8(n)
        fields.segmentByteCount = UInt32(segment)
        fields.paddedByteCount = UInt64(padded)
        fields.segmentsPerTable = UInt32(PrivateManifest.segmentsPerTable(totalShareCount: max(n, 1)))
        fields.columnRoots = (0..<n).map { [UInt8](repeating: UInt8(truncatingIfNeeded: $0), count: 32) }
        return fields
    }

    static func tableCount(_ fields: ManifestFields) -> Int {
        // Malformed fields (a zero segment size or count) still need some links: one.
        guard fields.segmentByteCount > 0, fields.segmentsPerTable > 0, fields.paddedByteCount <= 1 << 50 else { return 1 }
        let segments = (Int(fields.paddedByteCount) + Int(fields.segmentByteCount) - 1) / Int(fields.segmentByteCount)
        let perTable = Int(fields.segmentsPerTable)
        return max(1, (segments + perTable - 1) / perTable)
    }

    static func validBlock(_ fields: ManifestFields) throws -> [UInt8] {
        fields.block(tables: try (0..<tableCount(fields)).map(tableCID))
    }

    /// 40 segments of 255 shares: 16 segments per table, so three tables (16, 16, 8 segments).
    static func wideManifest() throws -> PrivateManifest {
        try PrivateManifest(decoding: validBlock(fields(k: 2, n: 255, padded: 40 * 4096)))
    }

    // MARK: - Expectations

    static func expectMalformedManifest(_ bytes: [UInt8], _ comment: Comment? = nil,
                                        sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let manifest = try PrivateManifest(decoding: bytes)
            Issue.record("accepted a malformed manifest: \(manifest.layout) \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
        } catch {
            guard case .malformedManifest = error else {
                Issue.record("\(error) instead of malformedManifest \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
                return
            }
        }
    }

    static func expectMalformedTable(_ bytes: [UInt8], index: Int, of manifest: PrivateManifest, _ comment: Comment? = nil,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ShareTable(decoding: bytes, index: index, of: manifest)
            Issue.record("accepted a malformed table \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
        } catch {
            guard case .malformedTable(let reported, _) = error, reported == index else {
                Issue.record("\(error) instead of malformedTable(index: \(index)) \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
                return
            }
        }
    }

    // MARK: - Manifest

    @Test("round trip, and the hand-built layout is byte for byte what encoded() writes")
    func manifestRoundTrip() throws {
        for (k, n, segment, padded) in [(3, 7, 4096, 10 * 4096), (2, 255, 4096, 40 * 4096), (10, 20, 1 << 20, 3 << 20),
                                        (254, 255, 4096, 4096), (8, 9, 8 << 20, 9 << 20), (1, 2, 1 << 20, 5 << 20)] {
            let fields = Self.fields(k: k, n: n, segment: segment, padded: padded)
            let bytes = try Self.validBlock(fields)
            let manifest = try PrivateManifest(decoding: bytes)
            #expect(manifest.encoded() == bytes)
            #expect(manifest.layout.dataShareCount == k && manifest.layout.totalShareCount == n)
            #expect(manifest.layout.parameters.segmentByteCount == segment && manifest.layout.paddedByteCount == padded)
            #expect(manifest.fileID == fields.fileID && manifest.ciphertextHash == fields.ciphertextHash)
            #expect(manifest.columnRoots == fields.columnRoots && manifest.tables.count == Self.tableCount(fields))
            #expect(try PrivateManifest(decoding: manifest.encoded()) == manifest)
            #expect(manifest.block().cid == (try Block(data: bytes, codec: .dagPB, version: .v1)).cid)
        }
    }

    @Test("a manifest written by the encoder parses back equal")
    func encoderManifest() throws {
        let blocks = MemoryPrivateBlocks()
        let parameters = ErasureParameters(dataShareCount: 2, totalShareCount: 255, segmentByteCount: 4096)
        let file = try PrivateFileTests.encode(TestBytes.random(seed: 77, count: 70_000), parameters, into: blocks)
        #expect(file.manifest.tables.count == 2)
        #expect(try PrivateManifest(decoding: #require(blocks[file.manifestCID])) == file.manifest)
    }

    @Test("wrong magic, unsupported version, unknown cipher")
    func headerFields() throws {
        for magic in ["CAIRNPM2", "cairnpm1", "CAIRNPT1", "XAIRNPM1"] {
            var fields = ManifestFields()
            fields.magic = Array(magic.utf8)
            Self.expectMalformedManifest(try Self.validBlock(fields), "magic \(magic)")
        }
        for version: UInt8 in [0, 2, 255] {
            var fields = ManifestFields()
            fields.version = version
            Self.expectMalformedManifest(try Self.validBlock(fields), "version \(version)")
        }
        for cipher: UInt8 in [0, 2, 255] {
            var fields = ManifestFields()
            fields.cipher = cipher
            Self.expectMalformedManifest(try Self.validBlock(fields), "cipher \(cipher)")
        }
    }

    @Test("share counts: k ≥ n and k = 0 are refused; n = 255, k = 254 is fine")
    func shareCounts() throws {
        for (k, n) in [(7, 7), (8, 7), (255, 255), (255, 1), (0, 7), (0, 0), (1, 1), (1, 0)] {
            var fields = Self.fields(k: max(k, 0), n: n, padded: 4096)
            fields.segmentsPerTable = UInt32(PrivateManifest.segmentsPerTable(totalShareCount: max(n, 1)))
            Self.expectMalformedManifest(try Self.validBlock(fields), "k=\(k) n=\(n)")
        }
        let manifest = try PrivateManifest(decoding: Self.validBlock(Self.fields(k: 254, n: 255, padded: 8192)))
        #expect(manifest.layout.dataShareCount == 254 && manifest.layout.totalShareCount == 255)
        #expect(manifest.columnRoots.count == 255 && manifest.segmentsPerTable == 16)
    }

    @Test("segment size outside 4 KiB…8 MiB, and shares too large for one block")
    func segmentSizes() throws {
        for size in [0, 1, 4095, (8 << 20) + 1, 16 << 20, Int(UInt32.max)] {
            Self.expectMalformedManifest(try Self.validBlock(Self.fields(k: 10, n: 20, segment: size, padded: 4096)), "segment \(size)")
        }
        // k = 1: the share is the whole sealed segment plus its header.
        Self.expectMalformedManifest(try Self.validBlock(Self.fields(k: 1, n: 3, segment: 8 << 20, padded: 8 << 20)), "k=1, 8 MiB")
        Self.expectMalformedManifest(try Self.validBlock(Self.fields(k: 1, n: 3, segment: (1 << 20) + 4096, padded: 8 << 20)))
        Self.expectMalformedManifest(try Self.validBlock(Self.fields(k: 7, n: 9, segment: 8 << 20, padded: 8 << 20)), "k=7, 8 MiB")
        // The edges that fit.
        for (k, size) in [(10, 4096), (8, 8 << 20), (1, 1 << 20)] {
            let manifest = try PrivateManifest(decoding: Self.validBlock(Self.fields(k: k, n: k + 1, segment: size, padded: 1 << 20)))
            #expect(manifest.layout.shareByteCount(ofSegment: 0) <= ErasureParameters.maximumShareByteCount)
        }
    }

    @Test("padded size: 0, above 2^50 and u64 max are refused; 2^50 itself needs its ~650 000 table links")
    func paddedSizes() throws {
        for padded in [0, UInt64((1 << 50) + 1), UInt64(Int.max), UInt64(Int.max) + 1, UInt64.max] {
            var fields = ManifestFields()
            fields.paddedByteCount = padded
            // One link: the size check must come before anything sized by the padded length.
            Self.expectMalformedManifest(fields.block(tables: [try Self.tableCID(0)]), "padded \(padded)")
        }
        var largest = Self.fields(k: 10, n: 20, segment: 8 << 20, padded: 1 << 50)
        largest.segmentsPerTable = UInt32(PrivateManifest.segmentsPerTable(totalShareCount: 20))
        Self.expectMalformedManifest(largest.block(tables: [try Self.tableCID(0)]), "2^50 with one table")
    }

    @Test("segments per table other than the format's value")
    func segmentsPerTable() throws {
        for perTable: UInt32 in [0, 1, 584, 586, 4096, UInt32.max] {
            var fields = ManifestFields()
            fields.segmentsPerTable = perTable
            Self.expectMalformedManifest(fields.block(tables: [try Self.tableCID(0)]), "per table \(perTable)")
        }
    }

    @Test("wrong number of table links")
    func tableLinkCount() throws {
        let one = ManifestFields()
        Self.expectMalformedManifest(one.block(tables: []), "no tables")
        Self.expectMalformedManifest(one.block(tables: try (0..<2).map(Self.tableCID)), "two tables for one")
        let three = Self.fields(k: 2, n: 255, padded: 40 * 4096)
        #expect(Self.tableCount(three) == 3)
        for count in [0, 1, 2, 4, 40] {
            Self.expectMalformedManifest(three.block(tables: try (0..<count).map(Self.tableCID)), "\(count) tables for three")
        }
    }

    @Test("a table link that is not a dag-pb sha2-256 block")
    func tableLinkType() throws {
        let bytes = Array("table".utf8)
        let wrong: [CID] = [
            try Block(data: bytes, codec: .raw, version: .v1).cid,
            try CID(version: .v1, codec: .dagPB, multihash: Multihash.compute(.sha2_512, of: bytes)),
            try CID(version: .v1, codec: .dagPB, multihash: Multihash.compute(.cairnShareTree, of: bytes)),
            ShareTable.shareCID(digest: ShareTree.root(bytes)),
            try CID(version: .v1, codec: .dagCBOR, multihash: .sha256(bytes)),
        ]
        let fields = Self.fields(k: 2, n: 255, padded: 40 * 4096)
        for cid in wrong {
            for position in 0..<3 {
                var tables = try (0..<3).map(Self.tableCID)
                tables[position] = cid
                Self.expectMalformedManifest(fields.block(tables: tables), "\(cid) at \(position)")
            }
        }
    }

    @Test("trailing bytes, a missing or extra column root, no data field")
    func trailingAndMissing() throws {
        for trailing in [[0], [0, 0, 0, 0], [UInt8](repeating: 0x33, count: 32)] as [[UInt8]] {
            var fields = ManifestFields()
            fields.trailing = trailing
            Self.expectMalformedManifest(try Self.validBlock(fields), "\(trailing.count) trailing")
        }
        var short = ManifestFields()
        short.columnRoots.removeLast()
        Self.expectMalformedManifest(try Self.validBlock(short), "six roots for n=7")
        Self.expectMalformedManifest(PBNode(links: [PBLink(cid: try Self.tableCID(0), tsize: nil)], data: nil).encoded(), "no data")
        Self.expectMalformedManifest([], "empty block")
    }

    @Test("every truncation of the data field, and of the whole block")
    func truncations() throws {
        for fields in [ManifestFields(), Self.fields(k: 2, n: 255, padded: 40 * 4096)] {
            let data = fields.data
            let tables = try (0..<Self.tableCount(fields)).map(Self.tableCID)
            for length in 0..<data.count {
                let node = PBNode(links: tables.map { PBLink(cid: $0, tsize: nil) }, data: Array(data.prefix(length)))
                Self.expectMalformedManifest(node.encoded(), "data cut to \(length) of \(data.count)")
            }
        }
        let block = try Self.validBlock(ManifestFields())
        for length in 0..<block.count {
            do {
                _ = try PrivateManifest(decoding: Array(block.prefix(length)))
                Issue.record("accepted the block cut to \(length) of \(block.count)")
            } catch {
                guard case .malformedManifest = error else { Issue.record("\(error)"); continue }
            }
        }
    }

    @Test("oversized input: over 1 MiB is refused before parsing")
    func oversized() throws {
        Self.expectMalformedManifest([UInt8](repeating: 0, count: PrivateManifest.maximumByteCount + 1))
        var fields = ManifestFields()
        fields.trailing = [UInt8](repeating: 0, count: PrivateManifest.maximumByteCount)
        let bytes = try Self.validBlock(fields)
        #expect(bytes.count > PrivateManifest.maximumByteCount)
        Self.expectMalformedManifest(bytes)
    }

    @Test("random garbage and random byte flips never crash and never give another error")
    func garbage() throws {
        var random = SeededRandom(seed: 0x6d61_6e69)
        for _ in 0..<400 {
            let count = Int(random.next() % 700)
            var bytes = random.bytes(count)
            // Half the time, a valid-looking dag-pb prefix with a random data field.
            if random.next() % 2 == 0 {
                bytes = PBNode(links: [PBLink(cid: try Self.tableCID(0), tsize: nil)],
                               data: Array("CAIRNPM1".utf8) + bytes).encoded()
            }
            do {
                _ = try PrivateManifest(decoding: bytes)
            } catch {
                guard case .malformedManifest = error else { Issue.record("\(error)"); continue }
            }
        }
        let valid = try Self.validBlock(Self.fields(k: 2, n: 255, padded: 40 * 4096))
        for _ in 0..<400 {
            var bytes = valid
            for _ in 0..<(1 + Int(random.next() % 3)) {
                bytes[Int(random.next() % UInt64(bytes.count))] ^= UInt8(1 + random.next() % 255)
            }
            do {
                let manifest = try PrivateManifest(decoding: bytes)
                // A flip inside an opaque field (file ID, hashes, roots, table digests) still parses;
                // it must then re-encode to exactly these bytes.
                #expect(manifest.encoded() == bytes)
            } catch {
                guard case .malformedManifest = error else { Issue.record("\(error)"); continue }
            }
        }
    }

    // MARK: - Share tables

    /// Table `index` of `manifest` as the encoder would write it.
    static func table(_ index: Int, of manifest: PrivateManifest, fileID: [UInt8]? = nil) -> ShareTable {
        let segments = manifest.segments(inTable: index)
        let rows = segments.map { segment in (0..<manifest.layout.totalShareCount).map { shareDigest(segment: segment, share: $0) } }
        return ShareTable(fileID: fileID ?? manifest.fileID, firstSegment: segments.lowerBound,
                          totalShareCount: manifest.layout.totalShareCount, shareDigests: rows)
    }

    static func fields(of table: ShareTable) -> TableFields {
        TableFields(n: UInt8(table.totalShareCount), fileID: table.fileID, firstSegment: UInt64(table.firstSegment),
                    segmentCount: UInt32(table.shareDigests.count))
    }

    static func links(of table: ShareTable) -> [CID] {
        table.shareDigests.indices.flatMap { table.shareCIDs(row: $0) }
    }

    @Test("table round trip, and the hand-built layout is byte for byte what block() writes")
    func tableRoundTrip() throws {
        let manifest = try Self.wideManifest()
        #expect(manifest.tables.count == 3)
        for index in 0..<3 {
            let table = Self.table(index, of: manifest)
            let block = table.block()
            #expect(block.data == Self.fields(of: table).block(links: Self.links(of: table)))
            #expect(try ShareTable(decoding: block.data, index: index, of: manifest) == table)
            #expect(table.shareDigests.count == (index == 2 ? 8 : 16))
        }
    }

    @Test("a table from another file, or at another index, is refused")
    func tableBelongs() throws {
        let manifest = try Self.wideManifest()
        let foreign = Self.table(0, of: manifest, fileID: [UInt8](repeating: 0x99, count: 32)).block().data
        Self.expectMalformedTable(foreign, index: 0, of: manifest, "another file")
        for (actual, claimed) in [(0, 1), (1, 0), (1, 2), (2, 1), (2, 0)] {
            Self.expectMalformedTable(Self.table(actual, of: manifest).block().data, index: claimed, of: manifest,
                                      "table \(actual) read as \(claimed)")
        }
        // Same length and link count as table 1, but claiming another first segment.
        var fields = Self.fields(of: Self.table(1, of: manifest))
        fields.firstSegment = 0
        Self.expectMalformedTable(fields.block(links: Self.links(of: Self.table(1, of: manifest))), index: 1, of: manifest)
    }

    @Test("a share link that is not a share-tree CID, and a wrong link count")
    func tableLinks() throws {
        let manifest = try Self.wideManifest()
        let table = Self.table(2, of: manifest)
        let fields = Self.fields(of: table)
        let good = Self.links(of: table)
        let digest = table.shareDigests[3][7]
        let wrong: [CID] = [
            try CID(version: .v1, codec: .raw, multihash: Multihash(function: .sha2_256, digest: digest)),
            try CID(version: .v1, codec: .dagPB, multihash: Multihash(function: .cairnShareTree, digest: digest)),
            try CID(version: .v1, codec: .raw, multihash: Multihash(function: .cairnShareTree, digest: Array(digest.prefix(20)))),
            try CID(version: .v1, codec: .raw, multihash: Multihash(function: .identity, digest: digest)),
        ]
        for cid in wrong {
            for position in [0, 3 * 255 + 7, good.count - 1] {
                var links = good
                links[position] = cid
                Self.expectMalformedTable(fields.block(links: links), index: 2, of: manifest, "\(cid) at \(position)")
            }
        }
        for links in [Array(good.dropLast()), good + [good[0]], [], Array(good.prefix(255))] {
            Self.expectMalformedTable(fields.block(links: links), index: 2, of: manifest, "\(links.count) links")
        }
    }

    @Test("table header fields: magic, version, n, count, length")
    func tableHeader() throws {
        let manifest = try Self.wideManifest()
        let table = Self.table(1, of: manifest)
        let links = Self.links(of: table)
        var variants: [(String, TableFields)] = []
        var fields = Self.fields(of: table)
        fields.magic = Array("CAIRNPM1".utf8); variants.append(("magic", fields))
        fields = Self.fields(of: table); fields.version = 2; variants.append(("version", fields))
        fields = Self.fields(of: table); fields.version = 0; variants.append(("version 0", fields))
        fields = Self.fields(of: table); fields.n = 254; variants.append(("n", fields))
        fields = Self.fields(of: table); fields.segmentCount = 15; variants.append(("count", fields))
        fields = Self.fields(of: table); fields.segmentCount = .max; variants.append(("count max", fields))
        fields = Self.fields(of: table); fields.firstSegment = .max; variants.append(("first max", fields))
        fields = Self.fields(of: table); fields.trailing = [0]; variants.append(("trailing", fields))
        for (name, variant) in variants {
            Self.expectMalformedTable(variant.block(links: links), index: 1, of: manifest, Comment(rawValue: name))
        }
        Self.expectMalformedTable(PBNode(links: links.map { PBLink(cid: $0, tsize: nil) }, data: nil).encoded(), index: 1, of: manifest)
    }

    @Test("every truncation of a table's data field and block; garbage")
    func tableTruncationsAndGarbage() throws {
        // 2 segments of 3 shares: a small table, so every prefix of the whole block is cheap to try.
        let manifest = try PrivateManifest(decoding: Self.validBlock(Self.fields(k: 1, n: 3, padded: 8192)))
        let table = Self.table(0, of: manifest)
        let fields = Self.fields(of: table)
        let links = Self.links(of: table)
        #expect(try ShareTable(decoding: table.block().data, index: 0, of: manifest) == table)
        let data = fields.data
        for length in 0..<data.count {
            let node = PBNode(links: links.map { PBLink(cid: $0, tsize: nil) }, data: Array(data.prefix(length)))
            Self.expectMalformedTable(node.encoded(), index: 0, of: manifest, "data cut to \(length)")
        }
        let block = table.block().data
        for length in 0..<block.count {
            Self.expectMalformedTable(Array(block.prefix(length)), index: 0, of: manifest, "block cut to \(length)")
        }
        var random = SeededRandom(seed: 0x7461_626c)
        for _ in 0..<300 {
            var bytes = random.bytes(Int(random.next() % 400))
            if random.next() % 2 == 0 {
                bytes = PBNode(links: links.map { PBLink(cid: $0, tsize: nil) }, data: Array("CAIRNPT1".utf8) + bytes).encoded()
            }
            Self.expectMalformedTable(bytes, index: 0, of: manifest)
        }
    }
}
