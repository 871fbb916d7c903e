import CairnCore

/// Encoding and decoding of `IdentifyMessage` (the layout is on the type's doc comment).
extension IdentifyMessage {
    /// The protobuf bytes, without the length prefix; present fields are written even when empty (proto2).
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        if let publicKey { writer.appendBytes(field: 1, publicKey) }
        for address in listenAddresses { writer.appendBytes(field: 2, address.bytes) }
        for name in protocols { writer.appendBytes(field: 3, Array(name.utf8)) }
        if let observedAddress { writer.appendBytes(field: 4, observedAddress.bytes) }
        if let protocolVersion { writer.appendBytes(field: 5, Array(protocolVersion.utf8)) }
        if let agentVersion { writer.appendBytes(field: 6, Array(agentVersion.utf8)) }
        if let signedPeerRecord { writer.appendBytes(field: 8, signedPeerRecord) }
        return writer.bytes
    }

    /// Our own message, length-prefixed, checked against the size every implementation accepts.
    /// - Throws: `.ownMessageTooLarge` when the body exceeds `maximumOwnMessageByteCount` (advertise fewer
    ///   addresses or protocols, or leave the signed peer record out).
    public func framedOwnMessage(configuration: IdentifyConfiguration = .default) throws(IdentifyError) -> [UInt8] {
        let body = encoded()
        guard body.count <= configuration.maximumOwnMessageByteCount else {
            throw .ownMessageTooLarge(byteCount: body.count, limit: configuration.maximumOwnMessageByteCount)
        }
        return LengthPrefixedFrameDecoder.frame(body)
    }

    /// Decodes one message body (without its length prefix).
    /// - Throws: `.messageTooLarge`, `.malformedProtobuf` (wrong wire types included), `.invalidUTF8`,
    ///   or `.tooManyItems` when addresses or protocols exceed the limits.
    public init(decoding bytes: [UInt8], configuration: IdentifyConfiguration = .default) throws(IdentifyError) {
        guard bytes.count <= configuration.maximumMessageByteCount else {
            throw .messageTooLarge(byteCount: bytes.count, limit: configuration.maximumMessageByteCount)
        }
        self.init()
        var reader = ProtobufReader(bytes)
        var invalidField: String?
        do throws(ProtobufWireError) {
            while !reader.isAtEnd {
                let (field, wireType) = try reader.readKey()
                switch field {
                case 1...6, 8:
                    try ProtobufReader.expect(wireType, ProtobufReader.lengthDelimited, field: field)
                    let value = try reader.readBytes(field: field)
                    if invalidField == nil { invalidField = assign(field: field, value) }
                default:
                    try reader.skip(field: field, wireType: wireType)
                }
            }
        } catch {
            throw .malformedProtobuf(error)
        }
        if let invalidField { throw .invalidUTF8(field: invalidField) }
        try checkCounts(configuration)
    }

    /// Stores one length-delimited field and returns the field's name when it is a string that is not UTF-8.
    private mutating func assign(field: UInt64, _ value: [UInt8]) -> String? {
        switch field {
        case 1: publicKey = value
        case 2:
            if let address = try? Multiaddr(bytes: value) { listenAddresses.append(address) } else { droppedAddressCount += 1 }
        case 3:
            guard let name = String(validating: value, as: UTF8.self) else { return "protocols" }
            protocols.append(name)
        case 4:
            if let address = try? Multiaddr(bytes: value) { observedAddress = address } else { droppedAddressCount += 1 }
        case 5:
            guard let text = String(validating: value, as: UTF8.self) else { return "protocolVersion" }
            protocolVersion = text
        case 6:
            guard let text = String(validating: value, as: UTF8.self) else { return "agentVersion" }
            agentVersion = text
        default: signedPeerRecord = value
        }
        return nil
    }

    /// Throws when the message carries more addresses or protocols than the configuration allows.
    func checkCounts(_ configuration: IdentifyConfiguration) throws(IdentifyError) {
        guard listenAddresses.count + droppedAddressCount <= configuration.maximumListenAddressCount else {
            throw .tooManyItems(what: "listen addresses", count: listenAddresses.count + droppedAddressCount,
                                limit: configuration.maximumListenAddressCount)
        }
        guard protocols.count <= configuration.maximumProtocolCount else {
            throw .tooManyItems(what: "protocols", count: protocols.count, limit: configuration.maximumProtocolCount)
        }
    }
}
