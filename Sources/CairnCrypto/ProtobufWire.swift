import CairnCore

/// The two protobuf wire types the libp2p messages in Cairn use.
package enum ProtobufWireType: UInt64, Sendable {
    /// A varint (`int32`, `enum`, `uint64`, ...).
    case varint = 0
    /// A length-delimited field (`bytes`, `string`, embedded message).
    case lengthDelimited = 2
}

/// One decoded protobuf field: its number and its value.
package enum ProtobufFieldValue: Sendable, Equatable {
    /// A varint value.
    case varint(UInt64)
    /// A length-delimited value.
    case bytes([UInt8])
}

/// A minimal proto2 writer for the small, fixed libp2p messages (keys, Noise payloads).
///
/// Fields are written in the order the caller appends them, with minimal varints, which is the
/// deterministic encoding libp2p requires when the caller appends them in field-number order.
package struct ProtobufWriter: Sendable {
    /// The bytes written so far.
    package private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    package init() {}

    /// Appends a varint field.
    package mutating func appendVarint(field: UInt64, _ value: UInt64) {
        Varint.encode(field << 3 | ProtobufWireType.varint.rawValue, into: &bytes)
        Varint.encode(value, into: &bytes)
    }

    /// Appends a length-delimited field.
    package mutating func appendBytes(field: UInt64, _ value: some Collection<UInt8>) {
        Varint.encode(field << 3 | ProtobufWireType.lengthDelimited.rawValue, into: &bytes)
        Varint.encode(UInt64(value.count), into: &bytes)
        bytes.append(contentsOf: value)
    }
}

/// A strict protobuf field reader: it understands only varint and length-delimited fields and
/// reports every structural problem as a ``CryptoError`` naming `context`.
package struct ProtobufReader: Sendable {
    private var reader: ByteReader
    private let context: String

    /// Creates a reader over a complete message.
    package init(_ bytes: [UInt8], context: String) {
        self.reader = ByteReader(bytes)
        self.context = context
    }

    /// Whether every byte has been read.
    package var isAtEnd: Bool { reader.isAtEnd }

    /// Reads the next field, or returns nil at the end of the message.
    /// - Throws: `.truncated` or `.malformedProtobuf` for anything but a well-formed varint or
    ///   length-delimited field.
    package mutating func nextField() throws(CryptoError) -> (number: UInt64, value: ProtobufFieldValue)? {
        guard !reader.isAtEnd else { return nil }
        let key = try Self.readVarint(&reader, "\(context) field key", context: context)
        let number = key >> 3
        guard number != 0 else { throw .malformedProtobuf(context: context, reason: "field number 0") }
        switch ProtobufWireType(rawValue: key & 7) {
        case .varint:
            return (number, .varint(try Self.readVarint(&reader, "\(context) field \(number)", context: context)))
        case .lengthDelimited:
            let length = try Self.readVarint(&reader, "\(context) field \(number) length", context: context)
            guard length <= UInt64(reader.remainingCount) else { throw .truncated(context: "\(context) field \(number)") }
            do {
                return (number, .bytes(Array(try reader.readBytes(Int(length)))))
            } catch {
                throw .truncated(context: "\(context) field \(number)")
            }
        case nil:
            throw .malformedProtobuf(context: context, reason: "field \(number) has unsupported wire type \(key & 7)")
        }
    }

    private static func readVarint(_ reader: inout ByteReader, _ what: String, context: String) throws(CryptoError) -> UInt64 {
        do {
            return try reader.readVarint(what)
        } catch .truncated {
            throw .truncated(context: what)
        } catch {
            throw .malformedProtobuf(context: context, reason: error.description)
        }
    }
}
