import CairnCore

/// The CID of a block without its digest, as Bitswap sends it ahead of a block's bytes.
///
/// Layout: `varint(version) ‖ varint(codec) ‖ varint(multihash function) ‖ varint(digest length)`
/// (multiformats varints). A CIDv0 block is `00 70 12 20`: version 0, dag-pb, sha2-256, 32 bytes.
/// The receiver hashes the data with the function, keeps the first `digestByteCount` bytes and builds the CID;
/// version 0 gives a CIDv0.
public struct BlockPrefix: Sendable, Equatable, Hashable {
    /// The CID version (0 requires dag-pb, sha2-256 and a 32-byte digest).
    public var version: CID.Version
    /// The block's codec.
    public var codec: Multicodec
    /// The multihash function.
    public var hashFunction: Multihash.Function
    /// The digest length in bytes (at most `Multihash.maximumDigestByteCount`).
    public var digestByteCount: Int

    /// The prefix of every CIDv0 (`00 70 12 20`), which is also what Bitswap 1.0.0 `blocks` imply.
    public static let cidV0 = BlockPrefix(version: .v0, codec: .dagPB, hashFunction: .sha2_256, digestByteCount: 32)

    /// Creates a prefix from trusted parts (a version 0 prefix must be dag-pb, sha2-256, 32 bytes).
    init(version: CID.Version, codec: Multicodec, hashFunction: Multihash.Function, digestByteCount: Int) {
        self.version = version
        self.codec = codec
        self.hashFunction = hashFunction
        self.digestByteCount = digestByteCount
    }

    /// The prefix of `cid`.
    public init(_ cid: CID) {
        self.version = cid.version
        self.codec = cid.codec
        self.hashFunction = cid.multihash.function
        self.digestByteCount = cid.multihash.digest.count
    }

    /// Parses a complete prefix.
    /// - Throws: `.invalidBlockPrefix` when a varint is malformed, the version is unknown, a CIDv0 prefix is
    ///   not dag-pb/sha2-256/32, the digest length is out of range, or bytes follow the four varints.
    public init(bytes: [UInt8]) throws(BitswapError) {
        var reader = ByteReader(bytes)
        let version: UInt64, codec: UInt64, function: UInt64, length: UInt64
        do {
            version = try reader.readVarint("prefix version")
            codec = try reader.readVarint("prefix codec")
            function = try reader.readVarint("prefix hash function")
            length = try reader.readVarint("prefix digest length")
        } catch {
            throw .invalidBlockPrefix(reason: error.description)
        }
        guard reader.isAtEnd else { throw .invalidBlockPrefix(reason: "\(reader.remainingCount) trailing bytes") }
        guard let cidVersion = CID.Version(rawValue: version) else {
            throw .invalidBlockPrefix(reason: "unsupported CID version \(version)")
        }
        guard length >= 1, length <= UInt64(Multihash.maximumDigestByteCount) else {
            throw .invalidBlockPrefix(reason: "digest length \(length) out of range")
        }
        if cidVersion == .v0, codec != Multicodec.dagPB.rawValue || function != Multihash.Function.sha2_256.rawValue || length != 32 {
            throw .invalidBlockPrefix(reason: "a version 0 prefix must be dag-pb, sha2-256, 32 bytes")
        }
        self.version = cidVersion
        self.codec = Multicodec(rawValue: codec)
        self.hashFunction = Multihash.Function(rawValue: function)
        self.digestByteCount = Int(length)
    }

    /// The four varints.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        Varint.encode(version.rawValue, into: &out)
        Varint.encode(codec.rawValue, into: &out)
        Varint.encode(hashFunction.rawValue, into: &out)
        Varint.encode(UInt64(digestByteCount), into: &out)
        return out
    }

    /// Hashes `data` and returns the CID this prefix gives it.
    /// - Throws: `.unverifiableBlock` when the function is unsupported or its digest is shorter than asked.
    public func cid(forData data: [UInt8]) throws(BitswapError) -> CID {
        do {
            let full = try Multihash.compute(hashFunction, of: data)
            guard full.digest.count >= digestByteCount else {
                throw BitswapError.unverifiableBlock(
                    reason: "prefix asks for a \(digestByteCount)-byte digest, the function gives \(full.digest.count)")
            }
            let multihash = full.digest.count == digestByteCount
                ? full : try Multihash(function: hashFunction, digest: Array(full.digest.prefix(digestByteCount)))
            return try CID(version: version, codec: codec, multihash: multihash)
        } catch let error as BitswapError {
            throw error
        } catch {
            throw .unverifiableBlock(reason: "\(error)")
        }
    }
}
