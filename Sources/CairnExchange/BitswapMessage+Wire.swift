import CairnCore
import CairnNet

/// Encoding and decoding of `BitswapMessage` (the layout is on the type's doc comment).
extension BitswapMessage {
    /// The protobuf bytes of the message, without the length prefix; proto3 defaults are omitted, except that a
    /// non-nil `wantlist` is always written (even empty, as kubo writes it in responses).
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        if let wantlist { writer.appendBytes(field: 1, wantlist.encoded()) }
        for block in blocks { writer.appendBytes(field: 2, block) }
        for block in payload { writer.appendBytes(field: 3, block.encoded()) }
        for presence in blockPresences { writer.appendBytes(field: 4, presence.encoded()) }
        writer.appendInt32IfNotZero(field: 5, pendingBytes)
        return writer.bytes
    }

    /// The message with its uvarint length prefix, ready to write on a stream.
    public func framed() -> [UInt8] {
        LengthPrefixedFrameDecoder.frame(encoded())
    }

    /// Decodes one message body (without its length prefix), validating it completely.
    /// - Throws: `BitswapError` naming the first problem: size limits, malformed protobuf, wrong wire types,
    ///   bad CIDs or prefixes, unknown enum values, too many entries, blocks or presences.
    public init(decoding bytes: [UInt8], configuration: BitswapConfiguration = .default) throws(BitswapError) {
        guard bytes.count <= configuration.maximumMessageByteCount else {
            throw .messageTooLarge(byteCount: bytes.count, limit: configuration.maximumMessageByteCount)
        }
        self.init()
        var reader = ProtobufReader(bytes)
        while !reader.isAtEnd {
            let (field, wireType) = try Self.wire { () throws(ProtobufWireError) in try reader.readKey() }
            switch field {
            case 1...4:
                let range = try Self.wire { () throws(ProtobufWireError) in
                    try ProtobufReader.expect(wireType, ProtobufReader.lengthDelimited, field: field)
                    return try reader.readLengthDelimited(field: field)
                }
                try decodeField(field, ProtobufReader(bytes, range: range), configuration: configuration)
            case 5:
                pendingBytes = try Self.wire { () throws(ProtobufWireError) in
                    try ProtobufReader.expect(wireType, ProtobufReader.varint, field: field)
                    return try reader.readInt32(field: field)
                }
            default:
                try Self.wire { () throws(ProtobufWireError) in try reader.skip(field: field, wireType: wireType) }
            }
        }
    }

    /// Runs a protobuf read of the top-level `Message`, mapping its failure to `.malformedProtobuf`.
    private static func wire<T>(_ read: () throws(ProtobufWireError) -> T) throws(BitswapError) -> T {
        do {
            return try read()
        } catch {
            throw .malformedProtobuf(message: "Message", error)
        }
    }

    /// Decodes one length-delimited field of `Message` and checks the per-message count limits.
    private mutating func decodeField(
        _ field: UInt64, _ reader: ProtobufReader, configuration: BitswapConfiguration
    ) throws(BitswapError) {
        switch field {
        case 1:
            // A repeated embedded message merges into the earlier one (protobuf semantics).
            let part = try Wantlist(decoding: reader, configuration: configuration)
            var merged = wantlist ?? Wantlist()
            merged.entries += part.entries
            merged.full = merged.full || part.full
            guard merged.entries.count <= configuration.maximumWantlistEntryCountPerMessage else {
                throw .tooManyItems(what: "wantlist entries", count: merged.entries.count,
                                    limit: configuration.maximumWantlistEntryCountPerMessage)
            }
            wantlist = merged
        case 2:
            let data = Array(reader.bytes[reader.offset..<reader.end])
            try Self.checkBlockSize(data.count, configuration)
            blocks.append(data)
        case 3:
            payload.append(try PayloadBlock(decoding: reader, configuration: configuration))
        default:
            blockPresences.append(try BlockPresence(decoding: reader))
        }
        let blockCount = blocks.count + payload.count
        guard blockCount <= configuration.maximumBlockCountPerMessage else {
            throw .tooManyItems(what: "blocks", count: blockCount, limit: configuration.maximumBlockCountPerMessage)
        }
        guard blockPresences.count <= configuration.maximumBlockPresenceCountPerMessage else {
            throw .tooManyItems(what: "block presences", count: blockPresences.count,
                                limit: configuration.maximumBlockPresenceCountPerMessage)
        }
    }

    /// Throws `.blockTooLarge` for a block over the configured limit.
    static func checkBlockSize(_ byteCount: Int, _ configuration: BitswapConfiguration) throws(BitswapError) {
        guard byteCount <= configuration.maximumBlockByteCount else {
            throw .blockTooLarge(byteCount: byteCount, limit: configuration.maximumBlockByteCount)
        }
    }

    /// Parses a binary CID field, mapping failures to `.invalidCID`.
    static func decodeCID(_ bytes: [UInt8], field: String) throws(BitswapError) -> CID {
        do {
            return try CID(bytes: bytes)
        } catch {
            throw .invalidCID(field: field, error)
        }
    }
}

extension BitswapMessage.Wantlist {
    /// The protobuf bytes of the wantlist.
    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        for entry in entries { writer.appendBytes(field: 1, entry.encoded()) }
        writer.appendBoolIfTrue(field: 2, full)
        return writer.bytes
    }

    /// Decodes a wantlist (an empty one included), enforcing the per-message entry limit.
    init(decoding source: ProtobufReader, configuration: BitswapConfiguration) throws(BitswapError) {
        self.init()
        var reader = source
        var entryRanges: [Range<Int>] = []
        do throws(ProtobufWireError) {
            fields: while !reader.isAtEnd {
                let (field, wireType) = try reader.readKey()
                switch field {
                case 1:
                    try ProtobufReader.expect(wireType, ProtobufReader.lengthDelimited, field: field)
                    entryRanges.append(try reader.readLengthDelimited(field: field))
                    // Stop collecting once over the limit; the guard below reports it.
                    if entryRanges.count > configuration.maximumWantlistEntryCountPerMessage { break fields }
                case 2:
                    try ProtobufReader.expect(wireType, ProtobufReader.varint, field: field)
                    full = try reader.readBool(field: field)
                default:
                    try reader.skip(field: field, wireType: wireType)
                }
            }
        } catch {
            throw .malformedProtobuf(message: "Message.Wantlist", error)
        }
        guard entryRanges.count <= configuration.maximumWantlistEntryCountPerMessage else {
            throw .tooManyItems(what: "wantlist entries", count: entryRanges.count,
                                limit: configuration.maximumWantlistEntryCountPerMessage)
        }
        for range in entryRanges {
            entries.append(try BitswapMessage.WantlistEntry(decoding: ProtobufReader(source.bytes, range: range)))
        }
    }
}

extension BitswapMessage.WantlistEntry {
    /// The protobuf bytes of the entry.
    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, cid.bytes)
        writer.appendInt32IfNotZero(field: 2, priority)
        writer.appendBoolIfTrue(field: 3, cancel)
        writer.appendInt32IfNotZero(field: 4, wantType.rawValue)
        writer.appendBoolIfTrue(field: 5, sendDontHave)
        return writer.bytes
    }

    /// Decodes an entry; the CID is required (an absent or empty `block` is not a CID).
    init(decoding source: ProtobufReader) throws(BitswapError) {
        var reader = source
        var cidBytes: [UInt8] = []
        var priority: Int32 = 0, cancel = false, sendDontHave = false
        var rawWantType: Int32 = 0
        do throws(ProtobufWireError) {
            while !reader.isAtEnd {
                let (field, wireType) = try reader.readKey()
                switch field {
                case 1:
                    try ProtobufReader.expect(wireType, ProtobufReader.lengthDelimited, field: field)
                    cidBytes = try reader.readBytes(field: field)
                case 2...5:
                    try ProtobufReader.expect(wireType, ProtobufReader.varint, field: field)
                    switch field {
                    case 2: priority = try reader.readInt32(field: field)
                    case 3: cancel = try reader.readBool(field: field)
                    case 4: rawWantType = try reader.readInt32(field: field)
                    default: sendDontHave = try reader.readBool(field: field)
                    }
                default:
                    try reader.skip(field: field, wireType: wireType)
                }
            }
        } catch {
            throw .malformedProtobuf(message: "Message.Wantlist.Entry", error)
        }
        guard let wantType = BitswapMessage.WantType(rawValue: rawWantType) else {
            throw .unknownEnumValue(field: "Entry.wantType", value: rawWantType)
        }
        let cid = try BitswapMessage.decodeCID(cidBytes, field: "Entry.block")
        self.init(cid: cid, priority: priority, cancel: cancel, wantType: wantType, sendDontHave: sendDontHave)
    }
}

extension BitswapMessage.PayloadBlock {
    /// The protobuf bytes of the payload block.
    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendBytesIfNotEmpty(field: 1, prefix.bytes)
        writer.appendBytesIfNotEmpty(field: 2, data)
        return writer.bytes
    }

    /// Decodes a payload block and parses its prefix; the data is not hashed here (see `verifiedBlock()`).
    init(decoding source: ProtobufReader, configuration: BitswapConfiguration) throws(BitswapError) {
        var reader = source
        var prefixBytes: [UInt8] = []
        var data: [UInt8] = []
        do throws(ProtobufWireError) {
            while !reader.isAtEnd {
                let (field, wireType) = try reader.readKey()
                switch field {
                case 1, 2:
                    try ProtobufReader.expect(wireType, ProtobufReader.lengthDelimited, field: field)
                    let value = try reader.readBytes(field: field)
                    if field == 1 { prefixBytes = value } else { data = value }
                default:
                    try reader.skip(field: field, wireType: wireType)
                }
            }
        } catch {
            throw .malformedProtobuf(message: "Message.Block", error)
        }
        try BitswapMessage.checkBlockSize(data.count, configuration)
        self.init(prefix: try BlockPrefix(bytes: prefixBytes), data: data)
    }
}

extension BitswapMessage.BlockPresence {
    /// The protobuf bytes of the presence.
    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, cid.bytes)
        writer.appendInt32IfNotZero(field: 2, type.rawValue)
        return writer.bytes
    }

    /// Decodes a presence; the CID is required.
    init(decoding source: ProtobufReader) throws(BitswapError) {
        var reader = source
        var cidBytes: [UInt8] = []
        var rawType: Int32 = 0
        do throws(ProtobufWireError) {
            while !reader.isAtEnd {
                let (field, wireType) = try reader.readKey()
                switch field {
                case 1:
                    try ProtobufReader.expect(wireType, ProtobufReader.lengthDelimited, field: field)
                    cidBytes = try reader.readBytes(field: field)
                case 2:
                    try ProtobufReader.expect(wireType, ProtobufReader.varint, field: field)
                    rawType = try reader.readInt32(field: field)
                default:
                    try reader.skip(field: field, wireType: wireType)
                }
            }
        } catch {
            throw .malformedProtobuf(message: "Message.BlockPresence", error)
        }
        guard let type = BitswapMessage.PresenceType(rawValue: rawType) else {
            throw .unknownEnumValue(field: "BlockPresence.type", value: rawType)
        }
        self.init(cid: try BitswapMessage.decodeCID(cidBytes, field: "BlockPresence.cid"), type: type)
    }
}
