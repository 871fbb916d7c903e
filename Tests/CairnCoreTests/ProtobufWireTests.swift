import CairnCore
import Testing

/// The shared protobuf toolkit: both varint rules, key validation, skipping and group rejection.
@Suite struct ProtobufWireTests {
    @Test func writerRoundTripsThroughReader() throws {
        var writer = ProtobufWriter()
        writer.appendVarint(field: 1, 300)
        writer.appendBytes(field: 2, [0xaa, 0xbb])
        writer.appendInt32IfNotZero(field: 3, -1)
        writer.appendBoolIfTrue(field: 4, false)
        #expect(writer.bytes == [0x08, 0xac, 0x02, 0x12, 0x02, 0xaa, 0xbb]
            + [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
        var reader = ProtobufReader(writer.bytes)
        let first = try #require(try reader.nextField())
        #expect(first.number == 1 && first.value == .varint(300))
        let second = try #require(try reader.nextField())
        #expect(second.number == 2 && second.value == .bytes([0xaa, 0xbb]))
        let (field, wireType) = try reader.readKey()
        #expect(field == 3 && wireType == ProtobufReader.varint)
        #expect(try reader.readInt32(field: 3) == -1)
        #expect(try reader.nextField() == nil)
    }

    @Test func minimalRuleRejectsWhatProtobufAccepts() throws {
        let padded: [UInt8] = [0x81, 0x00]  // 1 with a redundant zero group
        var lenient = ProtobufReader(padded)
        #expect(try lenient.readVarint("v") == 1)
        var strict = ProtobufReader(padded, varints: .minimal)
        #expect(throws: ProtobufWireError.nonMinimalVarint(what: "v")) { try strict.readVarint("v") }
        let tenBytes: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        var full = ProtobufReader(tenBytes)
        #expect(try full.readVarint("v") == .max)
        var strictLong = ProtobufReader(tenBytes, varints: .minimal)
        #expect(throws: ProtobufWireError.invalidVarint(what: "v")) { try strictLong.readVarint("v") }
    }

    @Test func keysSkipsAndGroups() throws {
        var zero = ProtobufReader([0x00])
        #expect(throws: ProtobufWireError.invalidFieldNumber(0)) { try zero.readKey() }
        // Field 2^29 is over protobuf's limit unless the reader allows more.
        let big: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x10]
        var limited = ProtobufReader(big)
        #expect(throws: ProtobufWireError.invalidFieldNumber(1 << 29)) { try limited.readKey() }
        var unlimited = ProtobufReader(big, maximumFieldNumber: .max)
        let key = try unlimited.readKey()
        #expect(key.field == 1 << 29 && key.wireType == 0)
        var skipping = ProtobufReader([0x0d, 1, 2, 3, 4, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x1b])
        for _ in 0..<2 {
            let (field, wireType) = try skipping.readKey()
            try skipping.skip(field: field, wireType: wireType)
        }
        let (field, wireType) = try skipping.readKey()
        #expect(throws: ProtobufWireError.unsupportedWireType(field: 3, wireType: 3)) {
            try skipping.skip(field: field, wireType: wireType)
        }
        var truncated = ProtobufReader([0x12, 0x05, 0x01])
        _ = try truncated.readKey()
        #expect(throws: ProtobufWireError.truncated(what: "field 2")) { try truncated.readLengthDelimited(field: 2) }
    }
}
