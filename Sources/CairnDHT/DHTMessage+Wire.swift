import CairnCore

/// The protobuf codec of `DHTMessage`, `DHTPeer` and `DHTRecord`.
///
/// Encoding follows proto3 and go's field order: fields in tag order, default values (type 0, empty
/// bytes, connection 0, cluster level 0) omitted. Decoding accepts absent fields as defaults, skips
/// unknown fields of a known wire type, and rejects wrong wire types, truncation, oversized values and
/// too many peers or addresses with a `DHTError`. Example, a FIND_NODE request for a 2-byte key:
/// ```
/// 08 04        type = FIND_NODE
/// 12 02 ab cd  key
/// 50 00        clusterLevelRaw = 0 would be omitted; kubo writes 50 01 (1)
/// ```
extension DHTMessage {
    /// The protobuf encoding (without a length prefix).
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        if type != .putValue { writer.appendVarint(field: 1, UInt64(type.rawValue)) }
        if !key.isEmpty { writer.appendBytes(field: 2, key) }
        if let record { writer.appendBytes(field: 3, record.encoded()) }
        for peer in closerPeers { writer.appendBytes(field: 8, peer.encoded()) }
        for peer in providerPeers { writer.appendBytes(field: 9, peer.encoded()) }
        if clusterLevelRaw != 0 { writer.appendVarint(field: 10, UInt64(bitPattern: Int64(clusterLevelRaw))) }
        return writer.bytes
    }

    /// The encoding with its uvarint length prefix, as written on a kad stream.
    public func framed() -> [UInt8] {
        let body = encoded()
        var writer = ProtobufWriter()
        writer.appendVarint(UInt64(body.count))
        return writer.bytes + body
    }

    /// Decodes one message (without a length prefix), validating it completely.
    /// - Throws: `DHTError` for malformed, truncated or oversized input.
    public init(decoding bytes: [UInt8], configuration: DHTConfiguration = .default) throws(DHTError) {
        guard bytes.count <= configuration.maximumMessageByteCount else {
            throw .tooLarge(context: "message", byteCount: bytes.count, limit: configuration.maximumMessageByteCount)
        }
        var reader = DHTWireReader(bytes, range: bytes.indices)
        self.init(type: .putValue)
        while !reader.isAtEnd {
            try decodeField(from: &reader, configuration: configuration)
        }
    }

    private mutating func decodeField(from reader: inout DHTWireReader, configuration: DHTConfiguration) throws(DHTError) {
        let (fieldNumber, wireType) = try reader.readTag()
        let bytesType = DHTWireReader.lengthDelimitedWireType
        switch fieldNumber {
        case 1:
            try DHTWireReader.expect(wireType, DHTWireReader.varintWireType, field: "Message.type")
            let raw = Int64(Int32(truncatingIfNeeded: try reader.readVarint("Message.type")))
            guard let value = MessageType(rawValue: raw) else { throw .unknownEnumValue(field: "Message.type", value: raw) }
            type = value
        case 2:
            try DHTWireReader.expect(wireType, bytesType, field: "Message.key")
            key = Array(reader.bytes[try reader.readLengthDelimited("Message.key", limit: reader.end)])
        case 3:
            try DHTWireReader.expect(wireType, bytesType, field: "Message.record")
            let range = try reader.readLengthDelimited("Message.record", limit: reader.end)
            record = try DHTRecord(decoding: reader.bytes, range: range)
        case 8, 9:
            let name = fieldNumber == 8 ? "Message.closerPeers" : "Message.providerPeers"
            try DHTWireReader.expect(wireType, bytesType, field: name)
            let range = try reader.readLengthDelimited(name, limit: reader.end)
            let count = fieldNumber == 8 ? closerPeers.count : providerPeers.count
            guard count < configuration.maximumPeersPerMessage else {
                throw .tooManyPeers(field: name, limit: configuration.maximumPeersPerMessage)
            }
            let peer = try DHTPeer(decoding: reader.bytes, range: range, configuration: configuration)
            if fieldNumber == 8 { closerPeers.append(peer) } else { providerPeers.append(peer) }
        case 10:
            try DHTWireReader.expect(wireType, DHTWireReader.varintWireType, field: "Message.clusterLevelRaw")
            clusterLevelRaw = Int32(truncatingIfNeeded: try reader.readVarint("Message.clusterLevelRaw"))
        default:
            try reader.skipField(fieldNumber: fieldNumber, wireType: wireType)
        }
    }
}

extension DHTPeer {
    /// The protobuf encoding of the peer entry.
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, id.bytes)
        for address in addresses { writer.appendBytes(field: 2, address.bytes) }
        if connection != .notConnected { writer.appendVarint(field: 3, UInt64(connection.rawValue)) }
        return writer.bytes
    }

    /// Decodes a peer entry from `bytes[range]`, dropping addresses CairnCore cannot parse.
    /// - Throws: `DHTError` for malformed input, a missing or invalid ID, or too many addresses.
    public init(decoding bytes: [UInt8], range: Range<Int>, configuration: DHTConfiguration = .default) throws(DHTError) {
        var reader = DHTWireReader(bytes, range: range)
        var idBytes: [UInt8] = []
        var addresses: [Multiaddr] = []
        var addressCount = 0
        var connection = ConnectionType.notConnected
        while !reader.isAtEnd {
            let (fieldNumber, wireType) = try reader.readTag()
            switch fieldNumber {
            case 1:
                try DHTWireReader.expect(wireType, DHTWireReader.lengthDelimitedWireType, field: "Peer.id")
                let limit = Multiaddr.maximumPeerIDByteCount
                idBytes = Array(bytes[try reader.readLengthDelimited("Peer.id", limit: limit)])
            case 2:
                try DHTWireReader.expect(wireType, DHTWireReader.lengthDelimitedWireType, field: "Peer.addrs")
                let range = try reader.readLengthDelimited("Peer.addrs", limit: reader.end)
                addressCount += 1
                guard addressCount <= configuration.maximumAddressesPerPeer else {
                    throw .tooManyAddresses(limit: configuration.maximumAddressesPerPeer)
                }
                if let address = try? Multiaddr(bytes: Array(bytes[range])) { addresses.append(address) }
            case 3:
                try DHTWireReader.expect(wireType, DHTWireReader.varintWireType, field: "Peer.connection")
                let raw = Int64(Int32(truncatingIfNeeded: try reader.readVarint("Peer.connection")))
                guard let value = ConnectionType(rawValue: raw) else {
                    throw .unknownEnumValue(field: "Peer.connection", value: raw)
                }
                connection = value
            default:
                try reader.skipField(fieldNumber: fieldNumber, wireType: wireType)
            }
        }
        self.init(id: try DHTPeerID(bytes: idBytes), addresses: addresses, connection: connection)
    }
}

extension DHTRecord {
    /// The protobuf encoding of the record.
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        if !key.isEmpty { writer.appendBytes(field: 1, key) }
        if !value.isEmpty { writer.appendBytes(field: 2, value) }
        if !timeReceived.isEmpty { writer.appendBytes(field: 5, Array(timeReceived.utf8)) }
        return writer.bytes
    }

    /// Decodes a record from `bytes[range]`.
    /// - Throws: `DHTError` for malformed input or a `timeReceived` that is not UTF-8.
    public init(decoding bytes: [UInt8], range: Range<Int>) throws(DHTError) {
        var reader = DHTWireReader(bytes, range: range)
        self.init(key: [], value: [])
        let bytesType = DHTWireReader.lengthDelimitedWireType
        while !reader.isAtEnd {
            let (fieldNumber, wireType) = try reader.readTag()
            switch fieldNumber {
            case 1:
                try DHTWireReader.expect(wireType, bytesType, field: "Record.key")
                key = Array(bytes[try reader.readLengthDelimited("Record.key", limit: reader.end)])
            case 2:
                try DHTWireReader.expect(wireType, bytesType, field: "Record.value")
                value = Array(bytes[try reader.readLengthDelimited("Record.value", limit: reader.end)])
            case 5:
                try DHTWireReader.expect(wireType, bytesType, field: "Record.timeReceived")
                let raw = bytes[try reader.readLengthDelimited("Record.timeReceived", limit: reader.end)]
                guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(field: "Record.timeReceived") }
                timeReceived = text
            default:
                try reader.skipField(fieldNumber: fieldNumber, wireType: wireType)
            }
        }
    }
}
