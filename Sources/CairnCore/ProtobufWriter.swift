/// The one protobuf wire writer shared by Cairn's codecs (dag-pb, UnixFS, libp2p keys, Noise payloads,
/// identify, bitswap, the DHT). Not API.
///
/// Fields are written in the order the caller appends them, with minimal varints, which is the
/// deterministic encoding libp2p and dag-pb require when fields are appended in field-number order.
/// The `…IfNotDefault` helpers omit zero, false and empty values as proto3 does on the wire. The static
/// helpers write into a caller's buffer, for the hot dag-pb/UnixFS encoders.
package struct ProtobufWriter: Sendable {
    /// The bytes written so far.
    package private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    package init() {}

    /// The number of bytes a protobuf varint of `value` takes.
    @inlinable
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

    /// Appends a protobuf varint (full 64 bits, up to 10 bytes) to `out`.
    @inlinable
    package static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }

    /// Writes a protobuf varint at `offset` of `buffer`, returning the number of bytes written; the caller
    /// sized `buffer` with ``varintByteCount(_:)``.
    @inlinable
    package static func storeVarint(_ value: UInt64, in buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var rest = value
        var index = offset
        while rest >= 0x80 {
            buffer[index] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            index += 1
        }
        buffer[index] = UInt8(rest)
        return index + 1 - offset
    }

    /// Appends a length-delimited field (key, length, value) to `out`.
    @inlinable
    package static func appendBytes<C: Collection<UInt8>>(field: UInt64, _ value: C, to out: inout [UInt8]) {
        appendVarint(field << 3 | 2, to: &out)
        appendVarint(UInt64(value.count), to: &out)
        out.append(contentsOf: value)
    }

    /// Appends a protobuf varint.
    package mutating func appendVarint(_ value: UInt64) {
        Self.appendVarint(value, to: &bytes)
    }

    /// Appends a field key.
    package mutating func appendKey(field: UInt64, wireType: UInt64) {
        appendVarint(field << 3 | wireType)
    }

    /// Appends a varint field, even when `value` is zero (proto2 and required fields); an `int32` must be
    /// passed sign-extended to 64 bits, as protobuf requires.
    package mutating func appendVarint(field: UInt64, _ value: UInt64) {
        appendKey(field: field, wireType: ProtobufReader.varint)
        appendVarint(value)
    }

    /// Appends a length-delimited field, even when `value` is empty (repeated and sub-message fields).
    package mutating func appendBytes(field: UInt64, _ value: some Collection<UInt8>) {
        Self.appendBytes(field: field, value, to: &bytes)
    }

    /// Appends a `bytes` or `string` scalar unless it is empty (proto3 default).
    package mutating func appendBytesIfNotEmpty(field: UInt64, _ value: some Collection<UInt8>) {
        if !value.isEmpty { appendBytes(field: field, value) }
    }

    /// Appends an `int32` or enum unless it is zero; negative values are sign-extended to 10 bytes.
    package mutating func appendInt32IfNotZero(field: UInt64, _ value: Int32) {
        guard value != 0 else { return }
        appendVarint(field: field, UInt64(bitPattern: Int64(value)))
    }

    /// Appends a `bool` unless it is false.
    package mutating func appendBoolIfTrue(field: UInt64, _ value: Bool) {
        guard value else { return }
        appendVarint(field: field, 1)
    }
}
