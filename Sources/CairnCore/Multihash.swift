import Crypto
import Foundation

/// A self-describing hash: `varint(function code) varint(digest length) digest`
/// (multiformats/multihash). Decoding validates the digest length against the bytes present and,
/// for known functions, against the function's output size.
///
/// The spec allows truncated digests (a `sha2-256` multihash with a 10-byte digest is the first 10 bytes
/// of the full hash); they parse, but `matches` refuses to verify digests shorter than
/// `minimumVerifiableDigestByteCount`, as kubo's go-verifcid does, because a short digest proves little.
public struct Multihash: Hashable, Sendable, CustomStringConvertible {
    /// A multihash function code.
    public struct Function: RawRepresentable, Hashable, Sendable {
        /// The numeric multicodec code of the hash function.
        public let rawValue: UInt64
        /// Wraps a numeric code.
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        /// The identity "hash": the digest is the content itself (`0x00`).
        public static let identity = Function(rawValue: 0x00)
        /// SHA2-256 (`0x12`), 32-byte digests; the IPFS default.
        public static let sha2_256 = Function(rawValue: 0x12)
        /// SHA2-512 (`0x13`), 64-byte digests.
        public static let sha2_512 = Function(rawValue: 0x13)
        /// BLAKE3 (`0x1e`), 32-byte digests by default; recognised, not yet computed.
        public static let blake3 = Function(rawValue: 0x1e)

        /// Cairn's share tree (`0x300c01`, multicodec private-use range), 32-byte digests: the Merkle root
        /// over a private-file share's 4 KiB chunks (see ``ShareTree``).
        public static let cairnShareTree = Function(rawValue: 0x300c01)

        /// SHA-1 (`0x11`), 20-byte digests; recognised, not computed (broken for content addressing).
        public static let sha1 = Function(rawValue: 0x11)
        /// SHA3-512 (`0x14`), 64-byte digests; recognised, not computed.
        public static let sha3_512 = Function(rawValue: 0x14)
        /// SHA3-256 (`0x16`), 32-byte digests; recognised, not computed.
        public static let sha3_256 = Function(rawValue: 0x16)

        /// The full digest size in bytes, where the function has a fixed one; a multihash may carry a
        /// prefix of it (a truncated digest) but never more.
        public var fixedDigestByteCount: Int? {
            switch rawValue {
            case 0x11: 20
            case 0x12: 32
            case 0x13: 64
            case 0x14: 64
            case 0x16: 32
            case 0x300c01: 32
            default: nil
            }
        }
    }

    /// The largest digest this implementation accepts, in bytes (bounds identity multihashes).
    public static let maximumDigestByteCount = 128

    /// The shortest non-identity digest `matches` will verify, in bytes (160 bits, as in kubo's go-verifcid).
    public static let minimumVerifiableDigestByteCount = 20

    /// The hash function.
    public let function: Function
    /// The digest bytes.
    public let digest: [UInt8]

    /// Creates a multihash from a function and digest, validating the digest length.
    /// - Throws: `.digestLengthMismatch` when the digest is longer than the function's output,
    ///   `.tooLarge` when it exceeds `maximumDigestByteCount`.
    public init(function: Function, digest: [UInt8]) throws(MultiformatError) {
        if let expected = function.fixedDigestByteCount, digest.count > expected {
            throw .digestLengthMismatch(code: function.rawValue, expected: expected, actual: digest.count)
        }
        guard digest.count <= Self.maximumDigestByteCount else {
            throw .tooLarge(context: "multihash digest", byteCount: digest.count, limit: Self.maximumDigestByteCount)
        }
        self.function = function
        self.digest = digest
    }

    private init(validatedFunction: Function, digest: [UInt8]) {
        self.function = validatedFunction
        self.digest = digest
    }

    /// The SHA2-256 multihash of `bytes`.
    public static func sha256<D: DataProtocol>(_ bytes: D) -> Multihash {
        Multihash(validatedFunction: .sha2_256, digest: Array(SHA256.hash(data: bytes)))
    }

    /// A SHA2-256 multihash from a finished 32-byte digest.
    public static func sha256(digest: SHA256Digest) -> Multihash {
        Multihash(validatedFunction: .sha2_256, digest: Array(digest))
    }

    /// Computes the multihash of `bytes` with `function`.
    /// - Throws: `.unsupportedHashFunction` for functions Cairn recognises but cannot compute.
    public static func compute<D: DataProtocol>(_ function: Function, of bytes: D) throws(MultiformatError) -> Multihash {
        switch function {
        case .sha2_256: return sha256(bytes)
        case .sha2_512: return Multihash(validatedFunction: function, digest: Array(SHA512.hash(data: bytes)))
        case .identity: return try Multihash(function: .identity, digest: [UInt8](bytes))
        case .cairnShareTree:
            let digest = bytes.withContiguousStorageIfAvailable { ShareTree.root(UnsafeRawBufferPointer($0)) }
                ?? ShareTree.root([UInt8](bytes))
            return Multihash(validatedFunction: function, digest: digest)
        default: throw .unsupportedHashFunction(code: function.rawValue)
        }
    }

    /// Whether the digest is a strict prefix of the function's full output.
    public var isTruncated: Bool {
        guard let full = function.fixedDigestByteCount else { return false }
        return digest.count < full
    }

    /// Whether `bytes` hash to this multihash (for a truncated digest: whether the full hash starts with it).
    /// - Throws: `.unsupportedHashFunction` when the function cannot be computed here, `.digestTooShort`
    ///   for a truncated digest shorter than `minimumVerifiableDigestByteCount`.
    public func matches<D: DataProtocol>(_ bytes: D) throws(MultiformatError) -> Bool {
        if function == .identity { return bytes.count == digest.count && bytes.elementsEqual(digest) }
        if isTruncated && digest.count < Self.minimumVerifiableDigestByteCount {
            throw .digestTooShort(code: function.rawValue, byteCount: digest.count, minimum: Self.minimumVerifiableDigestByteCount)
        }
        let full = try Multihash.compute(function, of: bytes).digest
        return full.prefix(digest.count).elementsEqual(digest)
    }

    /// The binary form.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(digest.count + 4)
        Varint.encode(function.rawValue, into: &out)
        Varint.encode(UInt64(digest.count), into: &out)
        out.append(contentsOf: digest)
        return out
    }

    /// Reads one multihash from `reader`.
    public static func read(from reader: inout ByteReader) throws(MultiformatError) -> Multihash {
        let code = try reader.readVarint("multihash function code")
        let length = try reader.readVarint("multihash digest length")
        guard length <= UInt64(maximumDigestByteCount) else {
            throw .tooLarge(context: "multihash digest", byteCount: Int(clamping: length), limit: maximumDigestByteCount)
        }
        let digest = try reader.readBytes(Int(length), "multihash digest")
        return try Multihash(function: Function(rawValue: code), digest: Array(digest))
    }

    /// Parses a complete binary multihash, rejecting trailing bytes.
    public init(bytes: [UInt8]) throws(MultiformatError) {
        var reader = ByteReader(bytes)
        let value = try Multihash.read(from: &reader)
        guard reader.isAtEnd else { throw .trailingBytes(context: "multihash", count: reader.remainingCount) }
        self = value
    }

    /// Hex of the binary form.
    public var description: String { Base16.encode(bytes) }
}
