import CairnCore

/// The minimal subset of DAG-CBOR (ipld/ipld `specs/codecs/dag-cbor/spec.md`) needed by the CAR v1
/// header: unsigned integers, text strings, arrays, maps with text keys and CID links.
///
/// Encoding follows DAG-CBOR's canonical rules (shortest argument encoding, map keys ordered by length
/// then bytes). Decoding is strict: it rejects indefinite lengths, non-minimal arguments, reserved
/// additional-information values and any major type the caller did not ask for.
///
/// Item head layout: `major type (3 bits) | additional info (5 bits)`, then for info 24/25/26/27 a
/// 1/2/4/8-byte big-endian argument. A CID link is tag 42 (`d8 2a`) over a byte string holding
/// `0x00` (the identity multibase prefix) followed by the binary CID.
enum DAGCBOR {
    /// CBOR major types used here.
    enum MajorType: UInt8 {
        case unsigned = 0
        case bytes = 2
        case text = 3
        case array = 4
        case map = 5
        case tag = 6
    }

    /// Why a DAG-CBOR item was rejected; the CAR code wraps it as `CARError.badHeader(reason:)`.
    struct DecodingError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The CBOR tag for an IPLD link.
    static let cidTag: UInt64 = 42

    /// Appends an item head with the shortest encoding of `argument`.
    static func appendHead(_ major: MajorType, _ argument: UInt64, to out: inout [UInt8]) {
        let high = major.rawValue << 5
        switch argument {
        case 0..<24:
            out.append(high | UInt8(argument))
        case 24...0xff:
            out.append(high | 24)
            out.append(UInt8(argument))
        case 0x100...0xffff:
            out.append(high | 25)
            appendBigEndian(argument, byteCount: 2, to: &out)
        case 0x1_0000...0xffff_ffff:
            out.append(high | 26)
            appendBigEndian(argument, byteCount: 4, to: &out)
        default:
            out.append(high | 27)
            appendBigEndian(argument, byteCount: 8, to: &out)
        }
    }

    private static func appendBigEndian(_ value: UInt64, byteCount: Int, to out: inout [UInt8]) {
        for shift in stride(from: (byteCount - 1) * 8, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// Appends a text string.
    static func appendText(_ text: String, to out: inout [UInt8]) {
        appendHead(.text, UInt64(text.utf8.count), to: &out)
        out.append(contentsOf: text.utf8)
    }

    /// Appends a CID link: tag 42 over the bytes `00 ‖ binary CID`.
    static func appendCID(_ cid: CID, to out: inout [UInt8]) {
        let binary = cid.bytes
        appendHead(.tag, cidTag, to: &out)
        appendHead(.bytes, UInt64(binary.count + 1), to: &out)
        out.append(0x00)
        out.append(contentsOf: binary)
    }

    /// Whether `a` sorts before `b` as DAG-CBOR map keys (shorter first, then bytewise).
    static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        return x.count != y.count ? x.count < y.count : x.lexicographicallyPrecedes(y)
    }

    /// A strict cursor over DAG-CBOR bytes; every error is a reason string for the caller to wrap.
    struct Reader {
        var reader: ByteReader

        init(_ bytes: [UInt8]) { self.reader = ByteReader(bytes) }

        var isAtEnd: Bool { reader.isAtEnd }

        /// Reads an item head and checks its major type; returns the argument.
        mutating func readHead(expecting major: MajorType, _ what: String) throws(DecodingError) -> UInt64 {
            let initial = try byte(what)
            guard initial >> 5 == major.rawValue else {
                throw DecodingError("expected \(what) (major type \(major.rawValue)), found major type \(initial >> 5)")
            }
            let info = initial & 0x1f
            switch info {
            case 0..<24:
                return UInt64(info)
            case 24, 25, 26, 27:
                let count = 1 << Int(info - 24)
                var value: UInt64 = 0
                for _ in 0..<count { value = value << 8 | UInt64(try byte(what)) }
                // DAG-CBOR requires the shortest form: a value that fits a smaller head is non-canonical.
                let minimum: UInt64 = info == 24 ? 24 : (1 << (UInt64(count) * 4))
                guard value >= minimum else { throw DecodingError("\(what) uses a non-minimal length or integer encoding") }
                return value
            case 31:
                throw DecodingError("\(what) uses an indefinite length, which DAG-CBOR forbids")
            default:
                throw DecodingError("\(what) uses reserved additional information \(info)")
            }
        }

        /// Reads a text string of at most `limit` bytes.
        mutating func readText(_ what: String, limit: Int) throws(DecodingError) -> String {
            let length = try readHead(expecting: .text, what)
            guard length <= UInt64(limit) else { throw DecodingError("\(what) is \(length) bytes, over the limit of \(limit)") }
            guard length <= UInt64(reader.remainingCount) else { throw DecodingError("truncated \(what)") }
            let bytes = try slice(Int(length), what)
            guard let text = String(validating: bytes, as: UTF8.self) else { throw DecodingError("\(what) is not UTF-8") }
            return text
        }

        /// Reads a CID link (tag 42 over `00 ‖ binary CID`).
        mutating func readCID(_ what: String) throws(DecodingError) -> CID {
            let tag = try readHead(expecting: .tag, what)
            guard tag == DAGCBOR.cidTag else { throw DecodingError("\(what) has tag \(tag), expected 42") }
            let length = try readHead(expecting: .bytes, what)
            guard length <= UInt64(reader.remainingCount) else { throw DecodingError("truncated \(what)") }
            let bytes = try slice(Int(length), what)
            guard bytes.first == 0x00 else { throw DecodingError("\(what) lacks the 0x00 multibase prefix") }
            do {
                return try CID(bytes: Array(bytes.dropFirst()))
            } catch {
                throw DecodingError("\(what) is not a valid CID: \(error)")
            }
        }

        private mutating func byte(_ what: String) throws(DecodingError) -> UInt8 {
            do { return try reader.readByte(what) } catch { throw DecodingError("truncated \(what)") }
        }

        private mutating func slice(_ count: Int, _ what: String) throws(DecodingError) -> ArraySlice<UInt8> {
            do { return try reader.readBytes(count, what) } catch { throw DecodingError("truncated \(what)") }
        }
    }
}

