import CairnCore
import CairnDAG

/// The root block of a private file: a dag-pb node whose data holds the format version, cipher, k, n,
/// segment size, padded size, file ID, ciphertext hash and the Merkle root of every share column, and
/// whose links are the share tables in segment order. Being dag-pb, a private file is an ordinary DAG
/// for pinning, garbage collection, CAR export and Bitswap; it holds no secret (its holder can check and
/// repair shares, not decrypt).
///
/// Data: `"CAIRNPM1"` ‖ version u8 ‖ cipher u8 ‖ k u8 ‖ n u8 ‖ segment size u32be ‖ padded size u64be ‖
/// segments per table u32be ‖ file ID (32) ‖ ciphertext hash (32) ‖ n column roots (32 each).
public struct PrivateManifest: Sendable, Equatable {
    /// The format version this code writes and reads.
    public static let formatVersion: UInt8 = 1
    static let magic = Array("CAIRNPM1".utf8)
    /// The largest manifest block accepted.
    public static let maximumByteCount = 1 << 20

    /// The segment cipher.
    public enum Cipher: UInt8, Sendable, Equatable {
        /// AES-256-GCM with the nonce and associated data of ``SegmentCipher``.
        case aes256GCM = 1
    }

    /// Where the bytes go.
    public let layout: PrivateLayout
    /// The cipher.
    public let cipher: Cipher
    /// The file's identity (bound into every segment and table).
    public let fileID: [UInt8]
    /// `HashTag.ciphertext` over the data-share digests of every segment, in order: a hash of the whole
    /// ciphertext (each data-share digest is a hash tree of its ciphertext bytes).
    public let ciphertextHash: [UInt8]
    /// For each share index j, the Merkle root over share j of every segment (see ``MerkleTree``).
    public let columnRoots: [[UInt8]]
    /// How many segments each table lists.
    public let segmentsPerTable: Int
    /// The share tables, in segment order.
    public let tables: [CID]

    /// Segments per table for n shares: 4096 share links per table (about 180 KB).
    public static func segmentsPerTable(totalShareCount n: Int) -> Int { max(1, 4096 / n) }

    /// Creates a manifest; the caller has computed every field.
    public init(layout: PrivateLayout, cipher: Cipher = .aes256GCM, fileID: [UInt8], ciphertextHash: [UInt8],
                columnRoots: [[UInt8]], segmentsPerTable: Int, tables: [CID]) {
        self.layout = layout
        self.cipher = cipher
        self.fileID = fileID
        self.ciphertextHash = ciphertextHash
        self.columnRoots = columnRoots
        self.segmentsPerTable = segmentsPerTable
        self.tables = tables
    }

    /// The number of tables a layout needs.
    public var tableCount: Int { (layout.segmentCount + segmentsPerTable - 1) / segmentsPerTable }

    /// The table holding segment `index` and the segment's row in it.
    public func tablePosition(ofSegment index: Int) -> (table: Int, row: Int) {
        (index / segmentsPerTable, index % segmentsPerTable)
    }

    /// The segments table `index` lists.
    public func segments(inTable index: Int) -> Range<Int> {
        let start = index * segmentsPerTable
        return start..<min(start + segmentsPerTable, layout.segmentCount)
    }

    /// The dag-pb block.
    public func encoded() -> [UInt8] {
        var data = Self.magic
        data += [Self.formatVersion, cipher.rawValue, UInt8(layout.dataShareCount), UInt8(layout.totalShareCount)]
        data += WireInteger.bytes(UInt32(layout.parameters.segmentByteCount))
        data += WireInteger.bytes(UInt64(layout.paddedByteCount))
        data += WireInteger.bytes(UInt32(segmentsPerTable))
        data += fileID + ciphertextHash
        for root in columnRoots { data += root }
        return PBNode(links: tables.map { PBLink(cid: $0, tsize: nil) }, data: data).encoded()
    }

    /// The block with its CID (CIDv1, dag-pb, sha2-256).
    public func block() -> Block {
        let bytes = encoded()
        do {
            return try Block(data: bytes, codec: .dagPB, version: .v1)
        } catch {
            preconditionFailure("sha2-256 CIDs always build: \(error)")
        }
    }

    /// Parses and checks a manifest block.
    /// - Throws: `PrivateFileError.malformedManifest` for anything not written by this format: wrong
    ///   magic or version, k ≥ n, absurd sizes, a table count that does not match, trailing bytes.
    public init(decoding bytes: [UInt8]) throws(PrivateFileError) {
        guard bytes.count <= Self.maximumByteCount else { throw .malformedManifest("larger than \(Self.maximumByteCount) bytes") }
        let node: PBNode
        do {
            node = try PBNode(decoding: bytes)
        } catch {
            throw .malformedManifest("not a dag-pb node: \(error)")
        }
        guard let data = node.data else { throw .malformedManifest("no data") }
        var reader = ByteReader(data)
        do {
            guard Array(try reader.readBytes(8)) == Self.magic else { throw PrivateFileError.malformedManifest("not a Cairn private-file manifest") }
            let version = try reader.readByte()
            guard version == Self.formatVersion else { throw PrivateFileError.malformedManifest("format version \(version) is not supported (this build reads 1)") }
            guard let cipher = Cipher(rawValue: try reader.readByte()) else { throw PrivateFileError.malformedManifest("unknown cipher") }
            let k = Int(try reader.readByte())
            let n = Int(try reader.readByte())
            let segmentByteCount = Int(try WireInteger.readUInt32(&reader))
            let padded = try WireInteger.readUInt64(&reader)
            let perTable = Int(try WireInteger.readUInt32(&reader))
            guard padded <= UInt64(PrivateLayout.maximumPaddedByteCount) else {
                throw PrivateFileError.malformedManifest("padded size \(padded) is absurd")
            }
            let layout: PrivateLayout
            do {
                layout = try PrivateLayout(parameters: ErasureParameters(dataShareCount: k, totalShareCount: n, segmentByteCount: segmentByteCount),
                                           paddedByteCount: Int(padded))
            } catch {
                throw PrivateFileError.malformedManifest("\(error)")
            }
            guard perTable == Self.segmentsPerTable(totalShareCount: n) else {
                throw PrivateFileError.malformedManifest("\(perTable) segments per table; this format uses \(Self.segmentsPerTable(totalShareCount: n)) for N=\(n)")
            }
            let fileID = Array(try reader.readBytes(32))
            let ciphertextHash = Array(try reader.readBytes(32))
            var roots: [[UInt8]] = []
            for _ in 0..<n { roots.append(Array(try reader.readBytes(32))) }
            guard reader.remainingCount == 0 else { throw PrivateFileError.malformedManifest("\(reader.remainingCount) unexpected bytes after the fields") }
            let manifest = PrivateManifest(layout: layout, cipher: cipher, fileID: fileID, ciphertextHash: ciphertextHash,
                                           columnRoots: roots, segmentsPerTable: perTable, tables: node.links.map(\.cid))
            guard node.links.count == manifest.tableCount else {
                throw PrivateFileError.malformedManifest("\(node.links.count) tables for \(layout.segmentCount) segments (expected \(manifest.tableCount))")
            }
            for table in manifest.tables where table.codec != .dagPB || table.multihash.function != .sha2_256 {
                throw PrivateFileError.malformedManifest("table \(table) is not a dag-pb sha2-256 block")
            }
            self = manifest
        } catch let error as PrivateFileError {
            throw error
        } catch {
            throw .malformedManifest("truncated fields")
        }
    }
}

/// One share table: a dag-pb node listing, for a run of segments, the n share CIDs of each segment
/// (segment-major), with data `"CAIRNPT1"` ‖ version u8 ‖ n u8 ‖ file ID (32) ‖ first segment u64be ‖
/// segment count u32be binding it to its file and position.
public struct ShareTable: Sendable, Equatable {
    static let magic = Array("CAIRNPT1".utf8)

    /// The file it belongs to.
    public let fileID: [UInt8]
    /// The first segment listed.
    public let firstSegment: Int
    /// n.
    public let totalShareCount: Int
    /// Share digests (the ``ShareTree`` roots) per listed segment, each n long.
    public let shareDigests: [[[UInt8]]]

    /// Creates a table.
    public init(fileID: [UInt8], firstSegment: Int, totalShareCount: Int, shareDigests: [[[UInt8]]]) {
        self.fileID = fileID
        self.firstSegment = firstSegment
        self.totalShareCount = totalShareCount
        self.shareDigests = shareDigests
    }

    /// The CID of a share with this digest (CIDv1, raw, cairn share tree).
    public static func shareCID(digest: [UInt8]) -> CID {
        do {
            return try CID(version: .v1, codec: .raw, multihash: Multihash(function: .cairnShareTree, digest: digest))
        } catch {
            preconditionFailure("a 32-byte share digest always makes a CID: \(error)")
        }
    }

    /// The share CIDs of listed segment `row`.
    public func shareCIDs(row: Int) -> [CID] { shareDigests[row].map(Self.shareCID(digest:)) }

    /// The dag-pb block.
    public func block() -> Block {
        var data = Self.magic + [PrivateManifest.formatVersion, UInt8(totalShareCount)] + fileID
        data += WireInteger.bytes(UInt64(firstSegment))
        data += WireInteger.bytes(UInt32(shareDigests.count))
        let links = shareDigests.flatMap { $0.map { PBLink(cid: Self.shareCID(digest: $0), tsize: nil) } }
        do {
            return try Block(data: PBNode(links: links, data: data).encoded(), codec: .dagPB, version: .v1)
        } catch {
            preconditionFailure("sha2-256 CIDs always build: \(error)")
        }
    }

    /// Parses table `index` of `manifest` and checks it belongs there (file ID, first segment, count, n,
    /// link types).
    /// - Throws: `PrivateFileError.malformedTable`.
    public init(decoding bytes: [UInt8], index: Int, of manifest: PrivateManifest) throws(PrivateFileError) {
        guard manifest.tables.indices.contains(index) else {
            throw .malformedTable(index: index, reason: "the manifest has \(manifest.tables.count) tables")
        }
        let expected = manifest.segments(inTable: index)
        let n = manifest.layout.totalShareCount
        let node: PBNode
        do {
            node = try PBNode(decoding: bytes)
        } catch {
            throw .malformedTable(index: index, reason: "not a dag-pb node")
        }
        guard let data = node.data, data.count == 8 + 2 + 32 + 8 + 4, Array(data.prefix(8)) == Self.magic else {
            throw .malformedTable(index: index, reason: "not a Cairn share table")
        }
        var reader = ByteReader(Array(data.dropFirst(8)))
        do {
            guard try reader.readByte() == PrivateManifest.formatVersion, Int(try reader.readByte()) == n else {
                throw PrivateFileError.malformedTable(index: index, reason: "version or share count differs from the manifest")
            }
            guard Array(try reader.readBytes(32)) == manifest.fileID else {
                throw PrivateFileError.malformedTable(index: index, reason: "belongs to another file")
            }
            let first = try WireInteger.readUInt64(&reader)
            let count = try WireInteger.readUInt32(&reader)
            guard first == UInt64(expected.lowerBound), Int(count) == expected.count, node.links.count == expected.count * n else {
                throw PrivateFileError.malformedTable(index: index, reason: "lists other segments than \(expected)")
            }
        } catch let error as PrivateFileError {
            throw error
        } catch {
            throw .malformedTable(index: index, reason: "truncated header")
        }
        var rows: [[[UInt8]]] = []
        rows.reserveCapacity(expected.count)
        for row in 0..<expected.count {
            var digests: [[UInt8]] = []
            for link in node.links[(row * n)..<((row + 1) * n)] {
                let cid = link.cid
                guard cid.version == .v1, cid.codec == .raw, cid.multihash.function == .cairnShareTree,
                      cid.multihash.digest.count == ShareTree.digestByteCount else {
                    throw .malformedTable(index: index, reason: "link \(cid) is not a share")
                }
                digests.append(cid.multihash.digest)
            }
            rows.append(digests)
        }
        self.init(fileID: manifest.fileID, firstSegment: expected.lowerBound, totalShareCount: n, shareDigests: rows)
    }
}

/// Big-endian fixed-width integers for the manifest and table headers.
enum WireInteger {
    static func bytes(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func bytes(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    static func readUInt32(_ reader: inout ByteReader) throws -> UInt32 {
        try reader.readBytes(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func readUInt64(_ reader: inout ByteReader) throws -> UInt64 {
        try reader.readBytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
