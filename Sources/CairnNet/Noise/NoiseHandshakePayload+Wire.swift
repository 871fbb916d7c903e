import CairnCore
import CairnCrypto

extension NoiseHandshakePayload {
    /// The proto2 encoding: fields in number order, extensions only when present.
    public var protobufBytes: [UInt8] {
        var writer = ProtobufWriter()
        writer.appendBytes(field: 1, identityKey)
        writer.appendBytes(field: 2, identitySignature)
        if let extensions {
            writer.appendBytes(field: 4, extensions.protobufBytes)
        }
        return writer.bytes
    }

    /// Decodes a payload; `identity_key` and `identity_sig` are required, a field may not repeat,
    /// and unknown fields are skipped (protobuf forward compatibility).
    /// - Throws: `.malformedPayload` naming the problem.
    public init(protobufBytes: [UInt8]) throws(NoiseError) {
        var identityKey: [UInt8]?
        var identitySignature: [UInt8]?
        var extensions: NoiseExtensions?
        do {
            var reader = ProtobufReader.libp2pStrict(protobufBytes)
            while let (number, value) = try reader.nextField(context: "NoiseHandshakePayload") {
                switch (number, value) {
                case (1, .bytes(let bytes)):
                    guard identityKey == nil else { throw NoiseError.malformedPayload(reason: "duplicate identity_key") }
                    identityKey = bytes
                case (2, .bytes(let bytes)):
                    guard identitySignature == nil else { throw NoiseError.malformedPayload(reason: "duplicate identity_sig") }
                    identitySignature = bytes
                case (4, .bytes(let bytes)):
                    guard extensions == nil else { throw NoiseError.malformedPayload(reason: "duplicate extensions") }
                    extensions = try NoiseExtensions(protobufBytes: bytes)
                case (1, _), (2, _), (4, _):
                    throw NoiseError.malformedPayload(reason: "field \(number) has the wrong wire type")
                default:
                    continue
                }
            }
        } catch let error as NoiseError {
            throw error
        } catch {
            throw .malformedPayload(reason: "\(error)")
        }
        guard let identityKey else { throw .malformedPayload(reason: "missing identity_key") }
        guard let identitySignature else { throw .malformedPayload(reason: "missing identity_sig") }
        self.init(identityKey: identityKey, identitySignature: identitySignature, extensions: extensions)
    }
}

extension NoiseExtensions {
    /// The proto2 encoding.
    public var protobufBytes: [UInt8] {
        var writer = ProtobufWriter()
        for hash in webtransportCertificateHashes { writer.appendBytes(field: 1, hash) }
        for muxer in streamMuxers { writer.appendBytes(field: 2, Array(muxer.utf8)) }
        return writer.bytes
    }

    /// Decodes extensions, skipping unknown fields.
    /// - Throws: `.malformedPayload` for bad structure or a muxer name that is not UTF-8.
    public init(protobufBytes: [UInt8]) throws(NoiseError) {
        var hashes: [[UInt8]] = []
        var muxers: [String] = []
        do {
            var reader = ProtobufReader.libp2pStrict(protobufBytes)
            while let (number, value) = try reader.nextField(context: "NoiseExtensions") {
                switch (number, value) {
                case (1, .bytes(let bytes)):
                    hashes.append(bytes)
                case (2, .bytes(let bytes)):
                    guard let name = String(validating: bytes, as: UTF8.self) else {
                        throw NoiseError.malformedPayload(reason: "stream muxer name is not UTF-8")
                    }
                    muxers.append(name)
                case (1, _), (2, _):
                    throw NoiseError.malformedPayload(reason: "extensions field \(number) has the wrong wire type")
                default:
                    continue
                }
            }
        } catch let error as NoiseError {
            throw error
        } catch {
            throw .malformedPayload(reason: "\(error)")
        }
        self.init(webtransportCertificateHashes: hashes, streamMuxers: muxers)
    }
}
