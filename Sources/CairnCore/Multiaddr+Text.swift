extension Multiaddr {
    /// Parses a text multiaddr such as `/ip4/127.0.0.1/tcp/4101/p2p/12D3KooW…`.
    ///
    /// Strict: the string must start with `/`, every protocol must be known, every value valid, and
    /// nothing may follow the last component (a trailing `/` is an empty protocol name).
    /// - Throws: `.empty`, `.tooLarge` (over `maximumTextLength`), `.invalidMultiaddrSyntax`,
    ///   `.unknownMultiaddrProtocol` or `.invalidMultiaddrValue`.
    public init(_ text: String) throws(MultiformatError) {
        guard !text.isEmpty else { throw .empty(context: "multiaddr") }
        guard text.utf8.count <= Multiaddr.maximumTextLength else {
            throw .tooLarge(context: "multiaddr string", byteCount: text.utf8.count, limit: Multiaddr.maximumTextLength)
        }
        guard text.hasPrefix("/") else { throw .invalidMultiaddrSyntax(text, reason: "must start with '/'") }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var components: [Component] = []
        var index = parts.startIndex
        while index < parts.endIndex {
            let name = parts[index]
            guard !name.isEmpty else { throw .invalidMultiaddrSyntax(text, reason: "empty protocol name") }
            guard let code = ProtocolCode(name: name) else { throw .unknownMultiaddrProtocol(String(name)) }
            index += 1
            guard code.hasValue else {
                components.append(try Component(code, textValue: nil))
                continue
            }
            guard index < parts.endIndex else {
                throw .invalidMultiaddrSyntax(text, reason: "/\(code.name) needs a value")
            }
            components.append(try Component(code, textValue: parts[index]))
            index += 1
        }
        guard !components.isEmpty else { throw .invalidMultiaddrSyntax(text, reason: "no components") }
        self.init(components)
    }
}

extension Multiaddr.Component {
    /// Builds a component from its protocol and text value (nil for protocols without one).
    /// - Throws: `.invalidMultiaddrValue` when the value is malformed or out of range,
    ///   `.invalidMultiaddrSyntax` when a value is given to a protocol without one or missing.
    public init(_ code: Multiaddr.ProtocolCode, textValue: Substring?) throws(MultiformatError) {
        guard let value = textValue else {
            switch code {
            case .quicV1: self = .quicV1
            case .ws: self = .ws
            case .wss: self = .wss
            default: throw .invalidMultiaddrSyntax("/" + code.name, reason: "/\(code.name) needs a value")
            }
            return
        }
        func invalid(_ reason: String) -> MultiformatError {
            .invalidMultiaddrValue(protocolName: code.name, value: String(value), reason: reason)
        }
        switch code {
        case .ip4:
            guard let address = Multiaddr.IPv4Address(value) else { throw invalid("not a dotted-quad IPv4 address") }
            self = .ip4(address)
        case .ip6:
            guard let address = Multiaddr.IPv6Address(value) else { throw invalid("not an IPv6 address") }
            self = .ip6(address)
        case .tcp, .udp:
            guard let port = parseDecimal(value.utf8, maximum: UInt32(UInt16.max)) else {
                throw invalid("port must be a decimal number 0…65535 without leading zeros")
            }
            self = code == .tcp ? .tcp(port: UInt16(port)) : .udp(port: UInt16(port))
        case .dns, .dns4, .dns6, .dnsaddr:
            let name = String(value)
            try Multiaddr.Component.validateDNSName(name, code: code)
            self = Multiaddr.Component.dnsComponent(code, name)
        case .p2p:
            self = .p2p(try Multiaddr.Component.parsePeerID(value))
        case .quicV1, .ws, .wss:
            throw .invalidMultiaddrSyntax("/" + code.name + "/" + value, reason: "/\(code.name) takes no value")
        }
    }

    /// Parses a peer ID written in base58btc (`Qm…`, `12D3KooW…`) or as a CIDv1 with the libp2p-key codec.
    static func parsePeerID(_ value: Substring) throws(MultiformatError) -> Multihash {
        func invalid(_ reason: String) -> MultiformatError {
            .invalidMultiaddrValue(protocolName: "p2p", value: String(value), reason: reason)
        }
        guard let first = value.first else { throw invalid("empty peer ID") }
        let multihash: Multihash
        if first == "Q" || first == "1" {
            let bytes: [UInt8]
            do { bytes = try Base58.decode(String(value)) } catch { throw invalid("not base58btc: \(error)") }
            do { multihash = try Multihash(bytes: bytes) } catch { throw invalid("not a multihash: \(error)") }
        } else {
            let cid: CID
            do { cid = try CID(String(value)) } catch { throw invalid("neither base58btc nor a CID: \(error)") }
            guard cid.version == .v1, cid.codec == .libp2pKey else {
                throw invalid("a peer ID CID must be CIDv1 with the libp2p-key codec, not \(cid.codec.name)")
            }
            multihash = cid.multihash
        }
        try validatePeerID(multihash, text: value)
        return multihash
    }

    /// Checks that a peer ID multihash is identity (an inlined key) or a full sha2-256 digest.
    static func validatePeerID(_ multihash: Multihash, text: some StringProtocol) throws(MultiformatError) {
        let fullSHA256 = multihash.function == .sha2_256 && !multihash.isTruncated
        let identity = multihash.function == .identity && !multihash.digest.isEmpty
        guard fullSHA256 || identity else {
            throw .invalidMultiaddrValue(protocolName: "p2p", value: String(text),
                                         reason: "a peer ID is an identity or full sha2-256 multihash")
        }
    }

    /// Checks a DNS name: non-empty, valid UTF-8 without `/`, at most `maximumDNSNameByteCount` bytes.
    static func validateDNSName(_ name: String, code: Multiaddr.ProtocolCode) throws(MultiformatError) {
        func invalid(_ reason: String) -> MultiformatError {
            .invalidMultiaddrValue(protocolName: code.name, value: name, reason: reason)
        }
        guard !name.isEmpty else { throw invalid("empty name") }
        guard name.utf8.count <= Multiaddr.maximumDNSNameByteCount else {
            throw invalid("name is \(name.utf8.count) bytes, over the limit of \(Multiaddr.maximumDNSNameByteCount)")
        }
        guard !name.utf8.contains(UInt8(ascii: "/")) else { throw invalid("name contains '/'") }
    }

    /// The DNS component of kind `code` holding `name`.
    static func dnsComponent(_ code: Multiaddr.ProtocolCode, _ name: String) -> Multiaddr.Component {
        switch code {
        case .dns4: .dns4(name)
        case .dns6: .dns6(name)
        case .dnsaddr: .dnsaddr(name)
        default: .dns(name)
        }
    }
}
