/// A multibase encoding: a one-character prefix followed by the data in that base
/// (multiformats/multibase). Decoding rejects unknown prefixes, characters outside the alphabet,
/// and bad padding or trailing bits.
public enum Multibase: Character, CaseIterable, Sendable {
    /// Binary digits, eight per byte (`0`).
    case base2 = "0"
    /// Octal, RFC 4648-style bit packing, three bits per character (`7`).
    case base8 = "7"
    /// Decimal, the input read as one big number (`9`).
    case base10 = "9"
    /// Hexadecimal, lower case (`f`).
    case base16 = "f"
    /// Hexadecimal, upper case (`F`).
    case base16Upper = "F"
    /// RFC 4648 base32, lower case, no padding (`b`); the CIDv1 default.
    case base32 = "b"
    /// RFC 4648 base32, upper case, no padding (`B`).
    case base32Upper = "B"
    /// RFC 4648 base32, lower case, with padding (`c`).
    case base32Pad = "c"
    /// RFC 4648 base32, upper case, with padding (`C`).
    case base32PadUpper = "C"
    /// RFC 4648 base32hex, lower case, no padding (`v`).
    case base32Hex = "v"
    /// RFC 4648 base32hex, upper case, no padding (`V`).
    case base32HexUpper = "V"
    /// RFC 4648 base32hex, lower case, with padding (`t`).
    case base32HexPad = "t"
    /// RFC 4648 base32hex, upper case, with padding (`T`).
    case base32HexPadUpper = "T"
    /// z-base-32, the human-oriented base32 alphabet (`h`).
    case base32Z = "h"
    /// Base36, lower case (`k`); used for IPNS names and peer IDs in subdomains.
    case base36 = "k"
    /// Base36, upper case (`K`).
    case base36Upper = "K"
    /// Bitcoin base58 (`z`); the CIDv0 and peer ID alphabet.
    case base58btc = "z"
    /// Flickr base58 (`Z`).
    case base58Flickr = "Z"
    /// RFC 4648 base64, no padding (`m`).
    case base64 = "m"
    /// RFC 4648 base64, with padding (`M`).
    case base64Pad = "M"
    /// RFC 4648 base64url, no padding (`u`).
    case base64URL = "u"
    /// RFC 4648 base64url, with padding (`U`).
    case base64URLPad = "U"

    /// The spec's name for this base.
    public var name: String {
        switch self {
        case .base2: "base2"
        case .base8: "base8"
        case .base10: "base10"
        case .base32HexPad: "base32hexpad"
        case .base32HexPadUpper: "base32hexpadupper"
        case .base32Z: "base32z"
        case .base16: "base16"
        case .base16Upper: "base16upper"
        case .base32: "base32"
        case .base32Upper: "base32upper"
        case .base32Pad: "base32pad"
        case .base32PadUpper: "base32padupper"
        case .base32Hex: "base32hex"
        case .base32HexUpper: "base32hexupper"
        case .base36: "base36"
        case .base36Upper: "base36upper"
        case .base58btc: "base58btc"
        case .base58Flickr: "base58flickr"
        case .base64: "base64"
        case .base64Pad: "base64pad"
        case .base64URL: "base64url"
        case .base64URLPad: "base64urlpad"
        }
    }

    /// Looks a base up by its spec name (`base32`, `base58btc`, …).
    public init?(name: String) {
        guard let match = Multibase.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// The largest encoded string accepted by `decode`, in characters; bounds memory for the bit-packing bases.
    public static let maximumEncodedLength = 1 << 20

    /// The largest encoded string accepted by the big-number bases (base10, base36, base58), in characters.
    ///
    /// Their decoders take time quadratic in the length, so a 1 MiB base58 string would take minutes;
    /// 8 KiB decodes in milliseconds and is far above any CID, peer ID or key Cairn reads.
    public static let maximumRadixEncodedLength = 8 * 1024

    /// Whether this base treats the input as one big number (quadratic-time decoding).
    public var isRadixBase: Bool {
        switch self {
        case .base10, .base36, .base36Upper, .base58btc, .base58Flickr: true
        default: false
        }
    }

    /// Encodes `bytes` in this base, without the prefix.
    public func encodeWithoutPrefix(_ bytes: some Collection<UInt8>) -> String {
        codec.encode(Array(bytes))
    }

    /// Encodes `bytes` in this base, with the multibase prefix.
    public func encode(_ bytes: some Collection<UInt8>) -> String {
        String(rawValue) + encodeWithoutPrefix(bytes)
    }

    /// Decodes `text` (without prefix) in this base.
    public func decodeWithoutPrefix(_ text: Substring) throws(MultiformatError) -> [UInt8] {
        let limit = isRadixBase ? Multibase.maximumRadixEncodedLength : Multibase.maximumEncodedLength
        guard text.utf8.count <= limit else {
            throw .tooLarge(context: "\(name) string", byteCount: text.utf8.count, limit: limit)
        }
        return try codec.decode(text)
    }

    /// Decodes a prefixed multibase string, returning the base used and the bytes.
    public static func decode(_ text: String) throws(MultiformatError) -> (base: Multibase, bytes: [UInt8]) {
        guard let prefix = text.first else { throw .empty(context: "multibase string") }
        guard let base = Multibase(rawValue: prefix) else { throw .unknownMultibasePrefix(prefix) }
        return (base, try base.decodeWithoutPrefix(text.dropFirst()))
    }

    private var codec: BaseCodec {
        switch self {
        case .base2: RFC4648Codec.base2
        case .base8: RFC4648Codec.base8
        case .base10: RadixCodec.base10
        case .base32HexPad: RFC4648Codec.base32HexPad
        case .base32HexPadUpper: RFC4648Codec.base32HexPadUpper
        case .base32Z: RFC4648Codec.base32Z
        case .base16: Base16.lower
        case .base16Upper: Base16.upper
        case .base32: RFC4648Codec.base32
        case .base32Upper: RFC4648Codec.base32Upper
        case .base32Pad: RFC4648Codec.base32Pad
        case .base32PadUpper: RFC4648Codec.base32PadUpper
        case .base32Hex: RFC4648Codec.base32Hex
        case .base32HexUpper: RFC4648Codec.base32HexUpper
        case .base36: RadixCodec.base36
        case .base36Upper: RadixCodec.base36Upper
        case .base58btc: RadixCodec.base58btc
        case .base58Flickr: RadixCodec.base58Flickr
        case .base64: RFC4648Codec.base64
        case .base64Pad: RFC4648Codec.base64Pad
        case .base64URL: RFC4648Codec.base64URL
        case .base64URLPad: RFC4648Codec.base64URLPad
        }
    }
}

/// One base's alphabet and algorithm.
protocol BaseCodec: Sendable {
    func encode(_ bytes: [UInt8]) -> String
    func decode(_ text: Substring) throws(MultiformatError) -> [UInt8]
}

/// The character to name in an error for the UTF-8 byte `c`: itself when ASCII, U+FFFD for a byte of a
/// multi-byte sequence (which is never in any alphabet), so errors never show a misleading Latin-1 letter.
private func displayCharacter(_ c: UInt8) -> Character {
    c < 0x80 ? Character(Unicode.Scalar(c)) : "\u{FFFD}"
}

/// Builds a 256-entry reverse lookup table; `caseInsensitive` maps both cases of letters.
private func reverseTable(_ alphabet: [UInt8], caseInsensitive: Bool) -> [Int16] {
    var table = [Int16](repeating: -1, count: 256)
    for (i, c) in alphabet.enumerated() {
        table[Int(c)] = Int16(i)
        if caseInsensitive {
            if c >= 0x61 && c <= 0x7a { table[Int(c - 0x20)] = Int16(i) }
            if c >= 0x41 && c <= 0x5a { table[Int(c + 0x20)] = Int16(i) }
        }
    }
    return table
}

/// Power-of-two bases of RFC 4648 (base16, base32, base64 and their variants): bit packing with
/// optional `=` padding. Decoding requires zero trailing bits and, for padded variants, correct padding.
struct RFC4648Codec: BaseCodec {
    let name: String
    let alphabet: [UInt8]
    let bitsPerCharacter: Int
    let padded: Bool
    let table: [Int16]

    init(name: String, alphabet: String, padded: Bool, caseInsensitive: Bool) {
        self.name = name
        self.alphabet = Array(alphabet.utf8)
        self.bitsPerCharacter = self.alphabet.count.trailingZeroBitCount
        self.padded = padded
        self.table = reverseTable(self.alphabet, caseInsensitive: caseInsensitive)
    }

    static let base32 = RFC4648Codec(name: "base32", alphabet: "abcdefghijklmnopqrstuvwxyz234567", padded: false, caseInsensitive: true)
    static let base32Upper = RFC4648Codec(name: "base32upper", alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", padded: false, caseInsensitive: true)
    static let base32Pad = RFC4648Codec(name: "base32pad", alphabet: "abcdefghijklmnopqrstuvwxyz234567", padded: true, caseInsensitive: true)
    static let base32PadUpper = RFC4648Codec(name: "base32padupper", alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", padded: true, caseInsensitive: true)
    static let base32Hex = RFC4648Codec(name: "base32hex", alphabet: "0123456789abcdefghijklmnopqrstuv", padded: false, caseInsensitive: true)
    static let base32HexUpper = RFC4648Codec(name: "base32hexupper", alphabet: "0123456789ABCDEFGHIJKLMNOPQRSTUV", padded: false, caseInsensitive: true)
    static let base2 = RFC4648Codec(name: "base2", alphabet: "01", padded: false, caseInsensitive: false)
    static let base8 = RFC4648Codec(name: "base8", alphabet: "01234567", padded: false, caseInsensitive: false)
    static let base32HexPad = RFC4648Codec(name: "base32hexpad", alphabet: "0123456789abcdefghijklmnopqrstuv", padded: true, caseInsensitive: true)
    static let base32HexPadUpper = RFC4648Codec(name: "base32hexpadupper", alphabet: "0123456789ABCDEFGHIJKLMNOPQRSTUV", padded: true, caseInsensitive: true)
    static let base32Z = RFC4648Codec(name: "base32z", alphabet: "ybndrfg8ejkmcpqxot1uwisza345h769", padded: false, caseInsensitive: false)
    static let base64 = RFC4648Codec(name: "base64", alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", padded: false, caseInsensitive: false)
    static let base64Pad = RFC4648Codec(name: "base64pad", alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", padded: true, caseInsensitive: false)
    static let base64URL = RFC4648Codec(name: "base64url", alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", padded: false, caseInsensitive: false)
    static let base64URLPad = RFC4648Codec(name: "base64urlpad", alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", padded: true, caseInsensitive: false)

    /// Characters per padded group: 8 for base32, 4 for base64, 2 for base16.
    private var groupLength: Int { bitsPerCharacter == 5 ? 8 : (bitsPerCharacter == 6 ? 4 : 2) }

    func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + bitsPerCharacter - 1) / bitsPerCharacter + 8)
        var buffer: UInt32 = 0
        var bits = 0
        let mask = UInt32((1 << bitsPerCharacter) - 1)
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= bitsPerCharacter {
                bits -= bitsPerCharacter
                out.append(alphabet[Int((buffer >> UInt32(bits)) & mask)])
            }
        }
        if bits > 0 {
            out.append(alphabet[Int((buffer << UInt32(bitsPerCharacter - bits)) & mask)])
        }
        if padded {
            while out.count % groupLength != 0 { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func decode(_ text: Substring) throws(MultiformatError) -> [UInt8] {
        var chars = Array(text.utf8)
        if padded {
            guard chars.count % groupLength == 0 else { throw .invalidPadding(base: name) }
            var padCount = 0
            while let last = chars.last, last == UInt8(ascii: "=") { chars.removeLast(); padCount += 1 }
            guard padCount < groupLength else { throw .invalidPadding(base: name) }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * bitsPerCharacter / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for c in chars {
            let v = table[Int(c)]
            guard v >= 0 else { throw .invalidCharacter(displayCharacter(c), base: name) }
            buffer = (buffer << UInt32(bitsPerCharacter)) | UInt32(v)
            bits += bitsPerCharacter
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // Leftover bits must be fewer than one character's worth and all zero.
        if bits >= bitsPerCharacter || (buffer & ((1 << UInt32(bits)) - 1)) != 0 {
            throw .invalidPadding(base: name)
        }
        return out
    }
}

/// Hexadecimal (base16), lower or upper case; decoding is case-insensitive.
public struct Base16: BaseCodec {
    let digits: [UInt8]
    static let lower = Base16(digits: Array("0123456789abcdef".utf8))
    static let upper = Base16(digits: Array("0123456789ABCDEF".utf8))

    /// Lower-case hex of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String { lower.encode(Array(bytes)) }
    /// Bytes from hex text (either case).
    public static func decode(_ text: String) throws(MultiformatError) -> [UInt8] { try lower.decode(Substring(text)) }

    func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    func decode(_ text: Substring) throws(MultiformatError) -> [UInt8] {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { throw .invalidPadding(base: "base16") }
        func nibble(_ c: UInt8) throws(MultiformatError) -> UInt8 {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: throw .invalidCharacter(displayCharacter(c), base: "base16")
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            out.append(try nibble(chars[i]) << 4 | nibble(chars[i + 1]))
            i += 2
        }
        return out
    }
}

/// Bases that treat the input as one big number (base58, base36): leading zero bytes become leading
/// "zero" characters, as in Bitcoin's base58.
struct RadixCodec: BaseCodec {
    let name: String
    let alphabet: [UInt8]
    let table: [Int16]

    init(name: String, alphabet: String, caseInsensitive: Bool) {
        self.name = name
        self.alphabet = Array(alphabet.utf8)
        self.table = reverseTable(self.alphabet, caseInsensitive: caseInsensitive)
    }

    static let base58btc = RadixCodec(name: "base58btc", alphabet: "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", caseInsensitive: false)
    static let base58Flickr = RadixCodec(name: "base58flickr", alphabet: "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ", caseInsensitive: false)
    static let base10 = RadixCodec(name: "base10", alphabet: "0123456789", caseInsensitive: false)
    static let base36 = RadixCodec(name: "base36", alphabet: "0123456789abcdefghijklmnopqrstuvwxyz", caseInsensitive: true)
    static let base36Upper = RadixCodec(name: "base36upper", alphabet: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", caseInsensitive: true)

    func encode(_ bytes: [UInt8]) -> String {
        let radix = UInt32(alphabet.count)
        let zeros = bytes.prefix(while: { $0 == 0 }).count
        var digits: [UInt8] = []  // little-endian digits in `radix`
        digits.reserveCapacity(bytes.count * 2)
        for byte in bytes[zeros...] {
            var carry = UInt32(byte)
            for i in digits.indices {
                carry += UInt32(digits[i]) << 8
                digits[i] = UInt8(carry % radix)
                carry /= radix
            }
            while carry > 0 {
                digits.append(UInt8(carry % radix))
                carry /= radix
            }
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        out.reserveCapacity(zeros + digits.count)
        for d in digits.reversed() { out.append(alphabet[Int(d)]) }
        return String(decoding: out, as: UTF8.self)
    }

    func decode(_ text: Substring) throws(MultiformatError) -> [UInt8] {
        let radix = UInt32(alphabet.count)
        let chars = Array(text.utf8)
        let zeros = chars.prefix(while: { table[Int($0)] == 0 }).count
        var bytes: [UInt8] = []  // little-endian base-256
        bytes.reserveCapacity(chars.count)
        for c in chars[zeros...] {
            let v = table[Int(c)]
            guard v >= 0 else { throw .invalidCharacter(displayCharacter(c), base: name) }
            var carry = UInt32(v)
            for i in bytes.indices {
                carry += UInt32(bytes[i]) * radix
                bytes[i] = UInt8(truncatingIfNeeded: carry)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(truncatingIfNeeded: carry))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}

/// Bitcoin base58 without a multibase prefix, as used by CIDv0 and peer IDs.
public enum Base58 {
    /// Encodes `bytes` in base58btc.
    public static func encode(_ bytes: some Collection<UInt8>) -> String { RadixCodec.base58btc.encode(Array(bytes)) }
    /// Decodes base58btc text.
    public static func decode(_ text: String) throws(MultiformatError) -> [UInt8] {
        try Multibase.base58btc.decodeWithoutPrefix(Substring(text))
    }
}
