import CairnCore

extension CryptoError {
    /// Maps a failure of CairnCore's shared protobuf reader into this module's cases, worded as the key and
    /// Noise payload decoders have always reported them: truncation names `context` and the field, anything
    /// else is `.malformedProtobuf` of `context`.
    package init(protobuf error: ProtobufWireError, context: String) {
        switch error {
        case .truncated(let what):
            self = .truncated(context: "\(context) \(what)")
        case .invalidVarint:
            self = .malformedProtobuf(context: context, reason: MultiformatError.varintTooLong.description)
        case .nonMinimalVarint:
            self = .malformedProtobuf(context: context, reason: MultiformatError.varintNotMinimal.description)
        case .invalidFieldNumber(let field):
            self = .malformedProtobuf(context: context, reason: "field number \(field)")
        case .unsupportedWireType(let field, let wireType):
            self = .malformedProtobuf(context: context, reason: "field \(field) has unsupported wire type \(wireType)")
        case .wrongWireType, .valueOutOfRange:
            self = .malformedProtobuf(context: context, reason: error.description)
        }
    }
}

extension ProtobufReader {
    /// A reader for the strict libp2p messages this module and Noise decode (keys, handshake payloads):
    /// multiformats varints (minimal, at most 9 bytes) and any non-zero field number, as always.
    package static func libp2pStrict(_ bytes: [UInt8]) -> ProtobufReader {
        ProtobufReader(bytes, varints: .minimal, maximumFieldNumber: .max)
    }

    /// ``nextField()`` with its failure mapped to a `CryptoError` naming `context`.
    package mutating func nextField(context: String) throws(CryptoError) -> (number: UInt64, value: ProtobufFieldValue)? {
        do {
            return try nextField()
        } catch {
            throw CryptoError(protobuf: error, context: context)
        }
    }
}
