import CairnCore
import Crypto
import Foundation

/// Validates value records before they are stored or returned, as kubo does for PUT_VALUE and GET_VALUE.
///
/// `/pk/<peer-ID bytes>` records hold a serialized libp2p `PublicKey` protobuf
/// (`08 <KeyType> 12 <length> <key data>`, KeyType RSA=0 Ed25519=1 Secp256k1=2 ECDSA=3). The peer ID is
/// derived from the canonical re-encoding of that key (as go's `IDFromPublicKey` does): the identity
/// multihash `00 <length> ‖ encoding` when the encoding is at most 42 bytes (Ed25519, secp256k1), else
/// the sha2-256 multihash `12 20 ‖ SHA-256(encoding)` (RSA, ECDSA). The key suffix must equal it.
/// Parsed here without CairnCrypto so the DHT does not depend on its key API.
public enum RecordValidator {
    /// The namespace prefix of public-key records.
    public static let publicKeyNamespace: [UInt8] = Array("/pk/".utf8)
    /// The namespace prefix of IPNS records (not validated yet, so refused).
    public static let ipnsNamespace: [UInt8] = Array("/ipns/".utf8)
    /// The largest public-key value accepted, in bytes (an RSA-4096 key is about 550 bytes).
    public static let maximumPublicKeyByteCount = 8 * 1024
    /// The longest canonical key encoding that is inlined as an identity multihash peer ID (libp2p spec).
    public static let maximumInlineKeyByteCount = 42

    /// Checks a record for any namespace this node accepts.
    /// - Throws: `DHTError.unsupportedRecordNamespace` for namespaces other than `/pk/`, or the `/pk/` errors.
    public static func validate(_ record: DHTRecord) throws(DHTError) {
        if record.key.starts(with: publicKeyNamespace) {
            try validatePublicKeyRecord(key: record.key, value: record.value)
            return
        }
        let namespace = record.key.starts(with: ipnsNamespace) ? "/ipns/" : String(decoding: record.key.prefix(16), as: UTF8.self)
        throw .unsupportedRecordNamespace(namespace)
    }

    /// Checks that `value` is a public key whose peer ID is the suffix of `key` (after `/pk/`).
    /// - Throws: `DHTError.unsupportedRecordNamespace`, `.malformedPublicKey` or `.publicKeyDoesNotMatchPeerID`.
    public static func validatePublicKeyRecord(key: [UInt8], value: [UInt8]) throws(DHTError) {
        guard key.starts(with: publicKeyNamespace) else {
            throw .unsupportedRecordNamespace(String(decoding: key.prefix(16), as: UTF8.self))
        }
        let derived = try peerIDBytes(fromPublicKey: value)
        guard key.dropFirst(publicKeyNamespace.count).elementsEqual(derived) else { throw .publicKeyDoesNotMatchPeerID }
    }

    /// The binary peer ID of a serialized libp2p `PublicKey`.
    /// - Throws: `DHTError.malformedPublicKey` when the protobuf is malformed, a field is missing, the key type is
    ///   unknown or the key data has the wrong size for its type.
    public static func peerIDBytes(fromPublicKey value: [UInt8]) throws(DHTError) -> [UInt8] {
        guard value.count <= maximumPublicKeyByteCount else {
            throw .tooLarge(context: "public key", byteCount: value.count, limit: maximumPublicKeyByteCount)
        }
        let (keyType, data) = try parsePublicKey(value)
        var canonical = ProtobufWriter()
        canonical.appendVarint(field: 1, keyType)
        canonical.appendBytes(field: 2, data)
        let encoding = canonical.bytes
        if encoding.count <= maximumInlineKeyByteCount {
            var writer = ProtobufWriter()
            writer.appendVarint(0x00)
            writer.appendVarint(UInt64(encoding.count))
            return writer.bytes + encoding
        }
        return Multihash.sha256(encoding).bytes
    }

    private static func parsePublicKey(_ value: [UInt8]) throws(DHTError) -> (keyType: UInt64, data: [UInt8]) {
        var reader = DHTWireReader(value, range: value.indices)
        var keyType: UInt64?
        var data: [UInt8]?
        do {
            while !reader.isAtEnd {
                let (fieldNumber, wireType) = try reader.readTag()
                switch fieldNumber {
                case 1:
                    try DHTWireReader.expect(wireType, DHTWireReader.varintWireType, field: "PublicKey.Type")
                    keyType = try reader.readVarint("PublicKey.Type")
                case 2:
                    try DHTWireReader.expect(wireType, DHTWireReader.lengthDelimitedWireType, field: "PublicKey.Data")
                    data = Array(value[try reader.readLengthDelimited("PublicKey.Data", limit: value.count)])
                default:
                    try reader.skipField(fieldNumber: fieldNumber, wireType: wireType)
                }
            }
        } catch {
            throw .malformedPublicKey(reason: error.description)
        }
        guard let keyType else { throw .malformedPublicKey(reason: "no Type field") }
        guard let data, !data.isEmpty else { throw .malformedPublicKey(reason: "no Data field") }
        switch keyType {
        case 1 where data.count != 32: throw .malformedPublicKey(reason: "an Ed25519 key must be 32 bytes, not \(data.count)")
        case 2 where data.count != 33: throw .malformedPublicKey(reason: "a compressed secp256k1 key must be 33 bytes, not \(data.count)")
        case 0...3: return (keyType, data)
        default: throw .malformedPublicKey(reason: "unknown key type \(keyType)")
        }
    }
}
