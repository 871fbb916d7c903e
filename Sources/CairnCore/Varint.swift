/// Unsigned LEB128 varints as specified by multiformats/unsigned-varint.
///
/// Layout: 7 value bits per byte, least significant group first, high bit set on every byte but the last.
/// The spec caps varints at 9 bytes (63 bits). Decoding always rejects non-minimal encodings
/// (a trailing `0x00` continuation group), as the spec requires for multiformats.
public enum Varint {
    /// The longest varint the spec allows, in bytes.
    public static let maximumByteCount = 9

    /// Appends the varint encoding of `value` to `buffer`.
    @inlinable
    public static func encode(_ value: UInt64, into buffer: inout [UInt8]) {
        precondition(value < (1 << 63), "varints are limited to 63 bits")
        var v = value
        while v >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        buffer.append(UInt8(v))
    }

    /// Returns the varint encoding of `value`.
    @inlinable
    public static func encode(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4)
        encode(value, into: &out)
        return out
    }

    /// The number of bytes `encode(value)` produces.
    @inlinable
    public static func byteCount(_ value: UInt64) -> Int {
        var n = 1
        var v = value >> 7
        while v != 0 { n += 1; v >>= 7 }
        return n
    }

    /// Decodes one varint at the start of `bytes`, returning the value and the number of bytes read.
    /// - Throws: `MultiformatError.truncated`, `.varintTooLong` or `.varintNotMinimal`.
    public static func decode<C: Collection<UInt8>>(_ bytes: C) throws(MultiformatError) -> (value: UInt64, byteCount: Int) {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var count = 0
        for byte in bytes {
            count += 1
            if count > maximumByteCount { throw .varintTooLong }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                if byte == 0 && count > 1 { throw .varintNotMinimal }
                if count == maximumByteCount && byte & 0x80 == 0 && value >= (1 << 63) { throw .varintTooLong }
                return (value, count)
            }
            shift += 7
        }
        throw .truncated(context: "varint")
    }
}
