/// Appends protobuf fields with proto3 semantics, shared by the identify and bitswap codecs.
///
/// The `…IfNotDefault` helpers omit zero, false and empty values as proto3 does on the wire.
package struct ProtobufWriter: Sendable {
    /// The bytes written so far.
    package private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    package init() {}

    /// The number of bytes a protobuf varint of `value` takes.
    package static func varintByteCount(_ value: UInt64) -> Int {
        var count = 1
        var rest = value >> 7
        while rest != 0 { count += 1; rest >>= 7 }
        return count
    }

    /// The number of bytes a length-delimited field of `byteCount` bytes takes, key included.
    package static func lengthDelimitedByteCount(field: UInt64, byteCount: Int) -> Int {
        varintByteCount(field << 3) + varintByteCount(UInt64(byteCount)) + byteCount
    }

    /// Appends a protobuf varint.
    package mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a field key.
    package mutating func appendKey(field: UInt64, wireType: UInt64) {
        appendVarint(field << 3 | wireType)
    }

    /// Appends a length-delimited field, even when `value` is empty (repeated and sub-message fields).
    package mutating func appendBytes(field: UInt64, _ value: some Collection<UInt8>) {
        appendKey(field: field, wireType: ProtobufReader.lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a `bytes` or `string` scalar unless it is empty (proto3 default).
    package mutating func appendBytesIfNotEmpty(field: UInt64, _ value: some Collection<UInt8>) {
        if !value.isEmpty { appendBytes(field: field, value) }
    }

    /// Appends an `int32` or enum unless it is zero; negative values are sign-extended to 10 bytes.
    package mutating func appendInt32IfNotZero(field: UInt64, _ value: Int32) {
        guard value != 0 else { return }
        appendKey(field: field, wireType: ProtobufReader.varint)
        appendVarint(UInt64(bitPattern: Int64(value)))
    }

    /// Appends a `bool` unless it is false.
    package mutating func appendBoolIfTrue(field: UInt64, _ value: Bool) {
        guard value else { return }
        appendKey(field: field, wireType: ProtobufReader.varint)
        appendVarint(1)
    }
}
