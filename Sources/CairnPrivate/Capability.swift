import CairnCore
import Foundation

/// A Tahoe-LAFS-style capability for a private file, with a stable text form:
/// `cairn-read-v1-<base32>` or `cairn-verify-v1-<base32>`, where the base32 (RFC 4648, lower case, no
/// padding) carries `uvarint(len(CID)) ‖ manifest CID ‖ [32-byte key] ‖ 4-byte checksum`. The checksum
/// (the first 4 bytes of a tagged hash over the kind and payload) catches typos and truncation.
///
/// A read-cap lets its holder decrypt. The verify-cap derived from it names only the manifest (whose CID
/// commits to every share root), so its holder can check and rebuild shares but never decrypt.
public enum Capability: Sendable, Equatable, CustomStringConvertible {
    /// Manifest and file key: can read.
    case read(manifest: CID, key: FileKey)
    /// Manifest only: can check and repair shares, cannot decrypt.
    case verify(manifest: CID)

    static let checksumByteCount = 4

    /// The manifest this capability names.
    public var manifest: CID {
        switch self {
        case .read(let manifest, _), .verify(let manifest): manifest
        }
    }

    /// The verify-cap of this capability (itself for a verify-cap).
    public var verifyCap: Capability { .verify(manifest: manifest) }

    /// The text form. It contains the key for a read-cap: treat it as a secret.
    public var text: String {
        let (kind, payload) = parts
        let checksum = Array(HashTag.capabilityChecksum.hash([Array(kind.utf8), payload]).prefix(Self.checksumByteCount))
        return "cairn-\(kind)-v1-" + Multibase.base32.encodeWithoutPrefix(payload + checksum)
    }

    /// Never the key: a read-cap prints as `read-cap for <manifest>`.
    public var description: String {
        switch self {
        case .read(let manifest, _): "read-cap for \(manifest) (<key redacted>)"
        case .verify(let manifest): "verify-cap for \(manifest)"
        }
    }

    private var parts: (kind: String, payload: [UInt8]) {
        switch self {
        case .read(let manifest, let key):
            ("read", Varint.encode(UInt64(manifest.bytes.count)) + manifest.bytes + key.rawBytes)
        case .verify(let manifest):
            ("verify", Varint.encode(UInt64(manifest.bytes.count)) + manifest.bytes)
        }
    }

    /// Parses a capability's text form.
    /// - Throws: `CapabilityError` for an unknown prefix or version, bad base32, a bad checksum (typo), or a
    ///   malformed payload.
    public init(_ text: String) throws(CapabilityError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let kind: String
        let body: Substring
        if trimmed.hasPrefix("cairn-read-v1-") {
            (kind, body) = ("read", trimmed.dropFirst("cairn-read-v1-".count))
        } else if trimmed.hasPrefix("cairn-verify-v1-") {
            (kind, body) = ("verify", trimmed.dropFirst("cairn-verify-v1-".count))
        } else {
            throw .unknownPrefix
        }
        guard body.count <= 400 else { throw .malformed("too long") }
        let bytes: [UInt8]
        do {
            bytes = try Multibase.decode("b" + body.lowercased()).bytes
        } catch {
            throw .malformed("not base32")
        }
        guard bytes.count > Self.checksumByteCount else { throw .malformed("too short") }
        let payload = Array(bytes.dropLast(Self.checksumByteCount))
        let checksum = Array(HashTag.capabilityChecksum.hash([Array(kind.utf8), payload]).prefix(Self.checksumByteCount))
        guard checksum == Array(bytes.suffix(Self.checksumByteCount)) else { throw .badChecksum }
        var reader = ByteReader(payload)
        guard let length = try? reader.readVarint(), length > 0, length <= 128,
              let cidBytes = try? reader.readBytes(Int(length)), let manifest = try? CID(bytes: Array(cidBytes)) else {
            throw .malformed("the manifest CID does not parse")
        }
        let rest = (try? reader.readBytes(reader.remainingCount)).map(Array.init) ?? []
        switch kind {
        case "read":
            guard rest.count == FileKey.byteCount, let key = try? FileKey(bytes: rest) else { throw .malformed("the key is not 32 bytes") }
            self = .read(manifest: manifest, key: key)
        default:
            guard rest.isEmpty else { throw .malformed("unexpected bytes after the manifest") }
            self = .verify(manifest: manifest)
        }
    }
}

/// Why a capability string was rejected.
public enum CapabilityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not `cairn-read-v1-…` or `cairn-verify-v1-…`.
    case unknownPrefix
    /// The checksum does not match: a typo or a truncated copy.
    case badChecksum
    /// The payload is malformed; `reason` says how.
    case malformed(String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .unknownPrefix: "capability: expected cairn-read-v1-… or cairn-verify-v1-…"
        case .badChecksum: "capability: checksum mismatch (a typo or an incomplete copy); copy the whole capability again"
        case .malformed(let reason): "capability: malformed (\(reason))"
        }
    }
}
