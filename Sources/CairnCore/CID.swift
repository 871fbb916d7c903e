/// A content identifier (multiformats/cid).
///
/// - CIDv0: the bare 34-byte sha2-256 multihash (`12 20 <digest>`), written in base58btc without a
///   multibase prefix (`Qm…`); it always means dag-pb.
/// - CIDv1: `varint(1) varint(codec) multihash`, written by default in lower-case base32 with the
///   `b` prefix (`bafy…` for dag-pb, `bafk…` for raw).
///
/// Parsing is strict: varints must be minimal, the multihash must be complete and nothing may follow it.
public struct CID: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The CID version.
    public enum Version: UInt64, Sendable { case v0 = 0, v1 = 1 }

    /// The CID version.
    public let version: Version
    /// What the addressed bytes are (dag-pb, raw, …).
    public let codec: Multicodec
    /// The hash of the addressed bytes.
    public let multihash: Multihash

    /// The longest binary CID this implementation accepts, in bytes.
    public static let maximumByteCount = 256

    /// The longest CID string accepted, in characters: a maximal CID in base2 (eight characters per byte)
    /// plus the prefix. Longer input is rejected before any decoding work.
    public static let maximumStringLength = 1 + 8 * maximumByteCount

    /// The length of a CIDv0 string in characters (a base58btc 34-byte multihash).
    static let v0StringLength = 46

    /// Creates a CIDv1.
    public init(v1 codec: Multicodec, _ multihash: Multihash) {
        self.version = .v1
        self.codec = codec
        self.multihash = multihash
    }

    /// Creates a CIDv0 from a sha2-256 multihash.
    /// - Throws: `.invalidCIDv0` unless the multihash is a 32-byte sha2-256.
    public init(v0 multihash: Multihash) throws(MultiformatError) {
        guard multihash.function == .sha2_256, multihash.digest.count == 32 else {
            throw .invalidCIDv0(reason: "CIDv0 requires a 32-byte sha2-256 multihash")
        }
        self.version = .v0
        self.codec = .dagPB
        self.multihash = multihash
    }

    /// Creates a CID for `codec` and `multihash`, as CIDv0 when `version` is `.v0` (dag-pb + sha2-256 only).
    public init(version: Version, codec: Multicodec, multihash: Multihash) throws(MultiformatError) {
        switch version {
        case .v0:
            guard codec == .dagPB else { throw .invalidCIDv0(reason: "CIDv0 can only address dag-pb, not \(codec.name)") }
            try self.init(v0: multihash)
        case .v1:
            self.init(v1: codec, multihash)
        }
    }

    /// The binary form.
    public var bytes: [UInt8] {
        if version == .v0 { return multihash.bytes }
        var out: [UInt8] = [0x01]
        Varint.encode(codec.rawValue, into: &out)
        out.append(contentsOf: multihash.bytes)
        return out
    }

    /// Reads one binary CID from `reader` (used inside containers such as CAR sections and dag-pb links).
    public static func read(from reader: inout ByteReader) throws(MultiformatError) -> CID {
        let start = reader.offset
        if reader.remainingCount >= 2, reader.bytes[start] == 0x12, reader.bytes[start + 1] == 0x20 {
            let mh = try Multihash.read(from: &reader)
            return try CID(v0: mh)
        }
        let version = try reader.readVarint("CID version")
        guard version == 1 else {
            if version == 0 { throw .invalidCIDv0(reason: "explicit version 0 is not a valid binary CID") }
            throw .unsupportedCIDVersion(version)
        }
        let codec = try reader.readVarint("CID codec")
        let mh = try Multihash.read(from: &reader)
        return CID(v1: Multicodec(rawValue: codec), mh)
    }

    /// Parses a complete binary CID.
    public init(bytes: [UInt8]) throws(MultiformatError) {
        guard !bytes.isEmpty else { throw .empty(context: "CID") }
        guard bytes.count <= CID.maximumByteCount else {
            throw .tooLarge(context: "CID", byteCount: bytes.count, limit: CID.maximumByteCount)
        }
        var reader = ByteReader(bytes)
        let cid = try CID.read(from: &reader)
        guard reader.isAtEnd else { throw .trailingBytes(context: "CID", count: reader.remainingCount) }
        self = cid
    }

    /// Parses a CID string: `Qm…` (CIDv0) or any multibase-prefixed CIDv1.
    public init(_ text: String) throws(MultiformatError) {
        guard !text.isEmpty else { throw .empty(context: "CID string") }
        guard text.utf8.count <= CID.maximumStringLength else {
            throw .tooLarge(context: "CID string", byteCount: text.utf8.count, limit: CID.maximumStringLength)
        }
        if text.hasPrefix("Qm") {
            // "Q" is not a multibase prefix, so a Qm… string can only be a CIDv0; say so instead of
            // reporting an unknown prefix.
            guard text.utf8.count == CID.v0StringLength else {
                throw .invalidCIDv0(reason: "a CIDv0 string is \(CID.v0StringLength) characters, not \(text.utf8.count)")
            }
            let bytes = try Base58.decode(text)
            guard bytes.count == 34, bytes[0] == 0x12, bytes[1] == 0x20 else {
                throw .invalidCIDv0(reason: "not a sha2-256 multihash")
            }
            self = try CID(bytes: bytes)
            return
        }
        let (_, bytes) = try Multibase.decode(text)
        let cid = try CID(bytes: bytes)
        guard cid.version == .v1 else {
            throw .invalidCIDv0(reason: "a CIDv0 must be written in base58btc without a multibase prefix")
        }
        self = cid
    }

    /// The canonical string: base58btc for CIDv0, base32 lower case for CIDv1.
    public var description: String {
        switch version {
        case .v0: Base58.encode(multihash.bytes)
        case .v1: Multibase.base32.encode(bytes)
        }
    }

    /// The string form in a chosen base (CIDv1 only; a CIDv0 is always base58btc).
    public func string(base: Multibase) -> String {
        version == .v0 ? description : base.encode(bytes)
    }

    /// The same content as a CIDv1 (CIDv1 values are returned unchanged).
    public var v1: CID { CID(v1: codec, multihash) }

    /// The same content as a CIDv0, or nil unless this is dag-pb with a full 32-byte sha2-256 multihash.
    public var v0: CID? {
        guard codec == .dagPB else { return nil }
        return try? CID(v0: multihash)
    }

    /// Orders CIDs by their binary form.
    public static func < (lhs: CID, rhs: CID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
