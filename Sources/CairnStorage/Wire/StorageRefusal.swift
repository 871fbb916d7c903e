import CairnCore

/// Why a provider refused a request.
public enum StorageRefusalCode: UInt32, Sendable, Equatable, CaseIterable {
    /// The share or file is not held.
    case notFound = 1
    /// Not enough free space.
    case noSpace
    /// A signature does not verify.
    case badSignature
    /// No such contract.
    case unknownContract
    /// The contract has ended.
    case expired
    /// The request breaks a rule (a wrong range, a share outside the contract, …).
    case invalid
    /// Too busy now; try again later.
    case busy
    /// The provider failed on its side.
    case internalError
    /// The provider declines the proposal (price, duration, policy).
    case notAccepted
}

/// A provider's refusal: a code and a short human-readable message (≤ 1024 UTF-8 bytes).
///
/// ```
/// 1 code     uint32  a StorageRefusalCode
/// 2 message  string  ≤ 1024 bytes
/// ```
public struct StorageRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var code: StorageRefusalCode
    /// Details for logs.
    public var message: String

    /// Creates a refusal.
    public init(code: StorageRefusalCode, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// The canonical encoding (a message over the limit is cut at a character boundary).
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendVarint(field: 1, UInt64(code.rawValue))
        writer.appendBytes(field: 2, Self.clipped(message))
        return writer.bytes
    }

    static func clipped(_ text: String) -> [UInt8] {
        var utf8 = Array(text.utf8)
        guard utf8.count > StorageWire.maximumRefusalMessageByteCount else { return utf8 }
        utf8.removeLast(utf8.count - StorageWire.maximumRefusalMessageByteCount)
        while !utf8.isEmpty, String(validating: utf8, as: UTF8.self) == nil { utf8.removeLast() }
        return utf8
    }

    /// Decodes the canonical encoding.
    /// - Throws: `StorageWireError`, also for an unknown code.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "StorageRefusal", fieldCount: 2)
        let raw = try decoder.uint32(1, "code")
        guard let code = StorageRefusalCode(rawValue: raw) else { throw decoder.fail("code", "unknown refusal code \(raw)") }
        self.code = code
        message = try decoder.string(2, "message", limit: StorageWire.maximumRefusalMessageByteCount)
        try decoder.finish()
    }
}
