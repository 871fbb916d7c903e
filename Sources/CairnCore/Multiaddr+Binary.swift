extension Multiaddr {
    /// The binary form: each component's varint protocol code followed by its value.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for component in components { component.write(into: &out) }
        return out
    }

    /// Parses a binary multiaddr, reading components until the bytes run out.
    ///
    /// Strict: every protocol code must be known, fixed-size values complete, length prefixes within
    /// their limits and covering a complete, valid value.
    /// - Throws: `.empty`, `.tooLarge` (over `maximumByteCount` or a per-value limit), `.truncated`,
    ///   `.unknownMultiaddrProtocol`, `.invalidMultiaddrValue`, or a varint error.
    public init(bytes: [UInt8]) throws(MultiformatError) {
        guard !bytes.isEmpty else { throw .empty(context: "multiaddr") }
        guard bytes.count <= Multiaddr.maximumByteCount else {
            throw .tooLarge(context: "multiaddr", byteCount: bytes.count, limit: Multiaddr.maximumByteCount)
        }
        var reader = ByteReader(bytes)
        var components: [Component] = []
        while !reader.isAtEnd {
            components.append(try Component.read(from: &reader))
        }
        self.init(components)
    }
}

extension Multiaddr.Component {
    /// Appends the binary form (varint code, then the value) to `out`.
    func write(into out: inout [UInt8]) {
        Varint.encode(protocolCode.rawValue, into: &out)
        switch self {
        case .ip4(let address): out.append(contentsOf: address.bytes)
        case .ip6(let address): out.append(contentsOf: address.bytes)
        case .tcp(let port), .udp(let port):
            out.append(UInt8(truncatingIfNeeded: port >> 8))
            out.append(UInt8(truncatingIfNeeded: port))
        case .dns(let name), .dns4(let name), .dns6(let name), .dnsaddr(let name):
            Varint.encode(UInt64(name.utf8.count), into: &out)
            out.append(contentsOf: name.utf8)
        case .p2p(let peer):
            let value = peer.bytes
            Varint.encode(UInt64(value.count), into: &out)
            out.append(contentsOf: value)
        case .quicV1, .ws, .wss:
            break
        }
    }

    /// Reads one binary component.
    static func read(from reader: inout ByteReader) throws(MultiformatError) -> Multiaddr.Component {
        let rawCode = try reader.readVarint("multiaddr protocol code")
        guard let code = Multiaddr.ProtocolCode(rawValue: rawCode) else {
            throw .unknownMultiaddrProtocol("code 0x" + String(rawCode, radix: 16))
        }
        switch code {
        case .ip4:
            let value = try reader.readBytes(4, "/ip4 address")
            return .ip4(Multiaddr.IPv4Address(value[value.startIndex], value[value.startIndex + 1],
                                              value[value.startIndex + 2], value[value.startIndex + 3]))
        case .ip6:
            return .ip6(Multiaddr.IPv6Address(bytes: try reader.readBytes(16, "/ip6 address")))
        case .tcp, .udp:
            let value = try reader.readBytes(2, "/\(code.name) port")
            let port = UInt16(value[value.startIndex]) << 8 | UInt16(value[value.startIndex + 1])
            return code == .tcp ? .tcp(port: port) : .udp(port: port)
        case .dns, .dns4, .dns6, .dnsaddr:
            let value = try readLengthPrefixed(&reader, code: code, limit: Multiaddr.maximumDNSNameByteCount)
            guard let name = String(validating: value, as: UTF8.self) else {
                throw .invalidMultiaddrValue(protocolName: code.name, value: Base16.encode(value), reason: "name is not UTF-8")
            }
            try validateDNSName(name, code: code)
            return dnsComponent(code, name)
        case .p2p:
            let value = try readLengthPrefixed(&reader, code: code, limit: Multiaddr.maximumPeerIDByteCount)
            let multihash: Multihash
            do { multihash = try Multihash(bytes: Array(value)) } catch {
                throw .invalidMultiaddrValue(protocolName: "p2p", value: Base16.encode(value), reason: "not a multihash: \(error)")
            }
            try validatePeerID(multihash, text: Base16.encode(value))
            return .p2p(multihash)
        case .quicV1: return .quicV1
        case .ws: return .ws
        case .wss: return .wss
        }
    }

    /// Reads `varint(length) value`, rejecting lengths over `limit` before reading the value.
    private static func readLengthPrefixed(
        _ reader: inout ByteReader, code: Multiaddr.ProtocolCode, limit: Int
    ) throws(MultiformatError) -> ArraySlice<UInt8> {
        let length = try reader.readVarint("/\(code.name) value length")
        guard length <= UInt64(limit) else {
            throw .tooLarge(context: "/\(code.name) value", byteCount: Int(clamping: length), limit: limit)
        }
        return try reader.readBytes(Int(length), "/\(code.name) value")
    }
}
