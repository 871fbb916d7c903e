import CairnCore
import CairnCrypto

/// The strict, canonical protobuf reader behind every storage message's `init(decoding:)`. Not API.
///
/// A message is read field by field in field-number order: every scalar field must be present exactly
/// once, a repeated field's entries must be adjacent, and every key, varint and length must be minimally
/// encoded — so there is exactly one encoding of each value and decode-then-encode returns the input.
/// Unknown fields, duplicates, wrong wire types and trailing bytes are errors. A length is checked
/// against the field's limit and then against the bytes left before anything is copied.
struct WireDecoder {
    private var reader: ProtobufReader
    private let message: String
    private let fieldCount: UInt64

    /// A decoder for `message` (its name, used in errors) whose fields are numbered 1...fieldCount.
    /// - Throws: `.tooLarge` over ``StorageWire/maximumMessageByteCount``.
    init(_ bytes: [UInt8], message: String, fieldCount: UInt64) throws(StorageWireError) {
        guard bytes.count <= StorageWire.maximumMessageByteCount else {
            throw .tooLarge(message, byteCount: bytes.count, limit: StorageWire.maximumMessageByteCount)
        }
        self.reader = ProtobufReader(bytes)
        self.message = message
        self.fieldCount = fieldCount
    }

    private func name(_ field: String) -> String { "\(message).\(field)" }

    private func mapped(_ error: ProtobufWireError, _ field: String) -> StorageWireError {
        switch error {
        case .truncated: .truncated(name(field))
        default: .malformed(field: name(field), reason: error.description)
        }
    }

    /// Reads a protobuf varint and rejects a redundant encoding.
    private mutating func varint(_ field: String) throws(StorageWireError) -> UInt64 {
        let start = reader.offset
        let value: UInt64
        do {
            value = try reader.readVarint(field)
        } catch {
            throw mapped(error, field)
        }
        guard reader.offset - start == ProtobufWriter.varintByteCount(value) else {
            throw .malformed(field: name(field), reason: "varint is not minimally encoded")
        }
        return value
    }

    /// Reads the key of field `number` (named `field`) and checks its wire type.
    private mutating func key(_ number: UInt64, _ field: String, wireType: UInt64) throws(StorageWireError) {
        guard !reader.isAtEnd else { throw .truncated(name(field)) }
        let key = try varint("key of \(field)")
        let (found, foundType) = (key >> 3, key & 7)
        guard found == number else {
            if found < number { throw .malformed(field: "\(message) field \(found)", reason: "duplicate or out of order") }
            if found > fieldCount { throw .malformed(field: "\(message) field \(found)", reason: "unknown field") }
            throw .malformed(field: name(field), reason: "missing (field \(found) came first)")
        }
        guard foundType == wireType else {
            throw .malformed(field: name(field), reason: "wire type \(foundType), expected \(wireType)")
        }
    }

    /// Whether the next field is `number` (for repeated fields); false at the end or on unreadable input,
    /// which the next read then reports.
    func next(is number: UInt64) -> Bool {
        var peek = reader
        guard !peek.isAtEnd, let key = try? peek.readVarint("key") else { return false }
        return key >> 3 == number
    }

    /// Checks every byte was read.
    mutating func finish() throws(StorageWireError) {
        guard !reader.isAtEnd else { return }
        let key = try varint("key after the last field")
        let found = key >> 3
        if found >= 1 && found <= fieldCount { throw .malformed(field: "\(message) field \(found)", reason: "duplicate or out of order") }
        throw .malformed(field: "\(message) field \(found)", reason: "unknown field")
    }

    // MARK: - Scalars

    /// A `uint64` field.
    mutating func uint64(_ number: UInt64, _ field: String) throws(StorageWireError) -> UInt64 {
        try key(number, field, wireType: ProtobufReader.varint)
        return try varint(field)
    }

    /// A `uint32` field.
    mutating func uint32(_ number: UInt64, _ field: String) throws(StorageWireError) -> UInt32 {
        let value = try uint64(number, field)
        guard let narrow = UInt32(exactly: value) else { throw .malformed(field: name(field), reason: "\(value) does not fit 32 bits") }
        return narrow
    }

    /// A `uint32` field holding a 16-bit value.
    mutating func uint16(_ number: UInt64, _ field: String) throws(StorageWireError) -> UInt16 {
        let value = try uint64(number, field)
        guard let narrow = UInt16(exactly: value) else { throw .malformed(field: name(field), reason: "\(value) does not fit 16 bits") }
        return narrow
    }

    // MARK: - Length-delimited

    /// The range of a length-delimited field of at most `limit` bytes (checked before the bytes left).
    mutating func range(_ number: UInt64, _ field: String, limit: Int) throws(StorageWireError) -> Range<Int> {
        try key(number, field, wireType: ProtobufReader.lengthDelimited)
        var skip = reader
        let length = try varint("length of \(field)")
        guard length <= UInt64(limit) else {
            throw .tooLarge(name(field), byteCount: Int(clamping: length), limit: limit)
        }
        guard length <= UInt64(reader.remainingCount) else { throw .truncated(name(field)) }
        // The length was read and checked above; read it again through the shared reader to move past it.
        do {
            let range = try skip.readLengthDelimited(field, lengthWhat: "length of \(field)")
            reader = skip
            return range
        } catch {
            throw mapped(error, field)
        }
    }

    /// A `bytes` field of at most `limit` bytes.
    mutating func bytes(_ number: UInt64, _ field: String, limit: Int) throws(StorageWireError) -> [UInt8] {
        Array(reader.bytes[try range(number, field, limit: limit)])
    }

    /// A `bytes` field of exactly `count` bytes (or, with `orEmpty`, none).
    mutating func bytes(_ number: UInt64, _ field: String, exactly count: Int, orEmpty: Bool = false) throws(StorageWireError) -> [UInt8] {
        let value = try bytes(number, field, limit: count)
        guard value.count == count || (orEmpty && value.isEmpty) else {
            throw .malformed(field: name(field), reason: "\(value.count) bytes, expected \(count)\(orEmpty ? " or none" : "")")
        }
        return value
    }

    /// A UTF-8 `string` field of at most `limit` bytes.
    mutating func string(_ number: UInt64, _ field: String, limit: Int) throws(StorageWireError) -> String {
        let value = try bytes(number, field, limit: limit)
        guard let text = String(validating: value, as: UTF8.self) else { throw .malformed(field: name(field), reason: "not UTF-8") }
        return text
    }

    /// A contract ID (16 bytes).
    mutating func contractID(_ number: UInt64, _ field: String) throws(StorageWireError) -> [UInt8] {
        try bytes(number, field, exactly: StorageWire.contractIDByteCount)
    }

    /// An Ed25519 signature (64 bytes), or none when `optional`.
    mutating func signature(_ number: UInt64, _ field: String, optional: Bool = false) throws(StorageWireError) -> [UInt8] {
        try bytes(number, field, exactly: StorageWire.signatureByteCount, orEmpty: optional)
    }

    /// An Ed25519 public key in its libp2p protobuf form.
    mutating func publicKey(_ number: UInt64, _ field: String) throws(StorageWireError) -> PublicKey {
        let value = try bytes(number, field, limit: PublicKey.maximumProtobufByteCount)
        let key: PublicKey
        do {
            key = try PublicKey(protobufBytes: value)
        } catch {
            throw .malformed(field: name(field), reason: error.description)
        }
        guard key.type == .ed25519 else { throw .malformed(field: name(field), reason: "only Ed25519 keys sign storage messages") }
        return key
    }

    /// A binary CID.
    mutating func cid(_ number: UInt64, _ field: String) throws(StorageWireError) -> CID {
        let value = try bytes(number, field, limit: CID.maximumByteCount)
        do {
            return try CID(bytes: value)
        } catch {
            throw .malformed(field: name(field), reason: error.description)
        }
    }

    /// A share CID (CIDv1, raw, cairn share tree, 32-byte digest).
    mutating func shareCID(_ number: UInt64, _ field: String) throws(StorageWireError) -> CID {
        let value = try cid(number, field)
        guard value.isShareCID else { throw .malformed(field: name(field), reason: "\(value) is not a share CID") }
        return value
    }

    /// A binary peer ID.
    mutating func peerID(_ number: UInt64, _ field: String) throws(StorageWireError) -> PeerID {
        let value = try bytes(number, field, limit: StorageWire.maximumPeerIDByteCount)
        do {
            return try PeerID(bytes: value)
        } catch {
            throw .malformed(field: name(field), reason: error.description)
        }
    }

    /// The entries of repeated field `number`, at most `limit` of them, each decoded by `decode`.
    mutating func repeated<Element>(_ number: UInt64, _ field: String, limit: Int, elementLimit: Int,
                                    _ decode: ([UInt8]) throws(StorageWireError) -> Element) throws(StorageWireError) -> [Element] {
        var elements: [Element] = []
        while next(is: number) {
            guard elements.count < limit else { throw .tooLarge(name(field), byteCount: elements.count + 1, limit: limit) }
            elements.append(try decode(try bytes(number, field, limit: elementLimit)))
        }
        return elements
    }

    /// Fails with `.malformed` naming `field`.
    func fail(_ field: String, _ reason: String) -> StorageWireError {
        .malformed(field: name(field), reason: reason)
    }
}

extension CID {
    /// Whether this CID names a share: CIDv1, raw, multihash cairn share tree with a 32-byte digest.
    var isShareCID: Bool {
        version == .v1 && codec == .raw && multihash.function == .cairnShareTree && multihash.digest.count == ShareTree.digestByteCount
    }
}

/// What the signatures of storage messages cover.
enum SigningDomain {
    /// `uvarint(len(tag)) ‖ tag ‖ body`: the tag makes a signature for one message kind useless for another.
    static func bytes(tag: String, body: [UInt8]) -> [UInt8] {
        var out = Varint.encode(UInt64(tag.utf8.count))
        out += Array(tag.utf8)
        out += body
        return out
    }
}

extension PublicKey {
    /// Whether `signature` is valid for `message`; false for a key that cannot verify.
    func verifies(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == StorageWire.signatureByteCount else { return false }
        return (try? isValidSignature(signature, for: message)) ?? false
    }
}

extension [UInt8] {
    /// Lowercase hex.
    var lowercaseHex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self { out += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
