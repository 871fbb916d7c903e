import CairnCore

extension UnixFSData {
    /// Encodes the message in ascending field order (the layout kubo writes).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((data?.count ?? 0) + blockSizes.count * 4 + 16)
        out.append(0x08)
        ProtobufWriter.appendVarint(type.rawValue, to: &out)
        if let data { ProtobufWriter.appendBytes(field: 2, data, to: &out) }
        if let fileSize {
            out.append(0x18)
            ProtobufWriter.appendVarint(fileSize, to: &out)
        }
        for size in blockSizes {
            out.append(0x20)
            ProtobufWriter.appendVarint(size, to: &out)
        }
        if let hashType {
            out.append(0x28)
            ProtobufWriter.appendVarint(hashType, to: &out)
        }
        if let fanout {
            out.append(0x30)
            ProtobufWriter.appendVarint(fanout, to: &out)
        }
        if let mode {
            out.append(0x38)
            ProtobufWriter.appendVarint(UInt64(mode), to: &out)
        }
        if let modificationTime {
            var body: [UInt8] = [0x08]
            ProtobufWriter.appendVarint(UInt64(bitPattern: modificationTime.seconds), to: &body)
            if let nanos = modificationTime.nanoseconds {
                body.append(0x15)
                withUnsafeBytes(of: nanos.littleEndian) { body.append(contentsOf: $0) }
            }
            ProtobufWriter.appendBytes(field: 8, body, to: &out)
        }
        return out
    }

    /// Decodes a UnixFS `Data` message.
    ///
    /// Accepts packed or unpacked `blocksizes` (protobuf requires both), skips unknown fields as
    /// proto2 does, and rejects a missing or unknown `Type`, wrong wire types and truncation.
    /// - Throws: `DAGError`.
    public init(decoding bytes: [UInt8]) throws(DAGError) {
        var reader = DAGWireReader(bytes, context: "UnixFS Data")
        var type: NodeType?
        var value = UnixFSData(type: .raw)
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            func expect(_ wt: UInt64) throws(DAGError) {
                guard wireType == wt else { throw .wrongWireType(context: "UnixFS Data", field: field, wireType: wireType) }
            }
            switch field {
            case 1:
                try expect(ProtobufReader.varint)
                let raw = try reader.readVarint("Type")
                guard let t = NodeType(rawValue: raw) else { throw .invalidUnixFS(reason: "unknown Type \(raw)") }
                type = t
            case 2:
                try expect(ProtobufReader.lengthDelimited)
                value.data = Array(bytes[try reader.readLengthDelimited("Data")])
            case 3:
                try expect(ProtobufReader.varint)
                value.fileSize = try reader.readVarint("filesize")
            case 4:
                if wireType == ProtobufReader.lengthDelimited {
                    let r = try reader.readLengthDelimited("blocksizes")
                    var packed = DAGWireReader(bytes, range: r, context: "UnixFS blocksizes")
                    while !packed.isAtEnd { value.blockSizes.append(try packed.readVarint("blocksize")) }
                } else {
                    try expect(ProtobufReader.varint)
                    value.blockSizes.append(try reader.readVarint("blocksize"))
                }
            case 5:
                try expect(ProtobufReader.varint)
                value.hashType = try reader.readVarint("hashType")
            case 6:
                try expect(ProtobufReader.varint)
                value.fanout = try reader.readVarint("fanout")
            case 7:
                try expect(ProtobufReader.varint)
                value.mode = UInt32(truncatingIfNeeded: try reader.readVarint("mode"))
            case 8:
                try expect(ProtobufReader.lengthDelimited)
                let r = try reader.readLengthDelimited("mtime")
                value.modificationTime = try UnixFSData.decodeTime(bytes, range: r)
            default:
                try reader.skip(wireType: wireType, field: field)
            }
        }
        guard let type else { throw .missingField(context: "UnixFS Data", field: "Type") }
        value.type = type
        self = value
    }

    private static func decodeTime(_ bytes: [UInt8], range: Range<Int>) throws(DAGError) -> ModificationTime {
        var reader = DAGWireReader(bytes, range: range, context: "UnixFS mtime")
        var time = ModificationTime(seconds: 0)
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            if field == 1 && wireType == ProtobufReader.varint {
                time.seconds = Int64(bitPattern: try reader.readVarint("seconds"))
            } else if field == 2 && wireType == ProtobufReader.fixed32 {
                let r = reader.offset..<(reader.offset + 4)
                try reader.skip(wireType: wireType, field: field)
                var nanos: UInt32 = 0
                for (i, b) in bytes[r].enumerated() { nanos |= UInt32(b) << (8 * UInt32(i)) }
                time.nanoseconds = nanos
            } else {
                try reader.skip(wireType: wireType, field: field)
            }
        }
        return time
    }
}
