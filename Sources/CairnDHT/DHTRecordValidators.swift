/// Validates and orders the value records of one namespace (`/pk/`, `/ipns/`, …), as go-libp2p-record's
/// `Validator` does.
///
/// Implementations are pure and cheap enough to call on every PUT_VALUE and GET_VALUE answer.
public protocol DHTNamespaceValidator: Sendable {
    /// The namespace served, without slashes (`"pk"` for keys starting with `/pk/`).
    var namespace: String { get }
    /// Checks that `record` (whose key is in this namespace) is valid.
    /// - Throws: `DHTError` naming what is wrong; the record is then neither stored nor returned.
    func validate(_ record: DHTRecord) throws(DHTError)
    /// The index of the best of several valid records for one key (for IPNS: the highest sequence).
    func select(_ records: [DHTRecord]) -> Int
}

/// The `/pk/` namespace: the value must be a public key hashing to the peer ID in the key (all valid values
/// for one key are equivalent, so the first is selected).
public struct PublicKeyNamespaceValidator: DHTNamespaceValidator {
    /// Creates the validator.
    public init() {}
    /// `"pk"`.
    public var namespace: String { "pk" }
    /// Checks the record with `RecordValidator.validatePublicKeyRecord`.
    /// - Throws: `DHTError.malformedPublicKey`, `.publicKeyDoesNotMatchPeerID` or `.tooLarge`.
    public func validate(_ record: DHTRecord) throws(DHTError) {
        try RecordValidator.validatePublicKeyRecord(key: record.key, value: record.value)
    }
    /// Always 0: every valid `/pk/` value for a key is the same key.
    public func select(_ records: [DHTRecord]) -> Int { 0 }
}

/// The set of namespace validators a DHT uses: a record is accepted only if its key's namespace has a
/// validator and that validator accepts it (kubo resets the stream for any other namespace).
public struct DHTRecordValidators: Sendable {
    /// The longest record value accepted in any namespace, in bytes (kubo bounds IPNS at 10 KiB; 64 KiB
    /// leaves room for large RSA `/pk/` values and custom namespaces).
    public static let maximumValueByteCount = 64 * 1024

    private let validators: [String: any DHTNamespaceValidator]

    /// Creates the set; a later validator for the same namespace replaces an earlier one.
    public init(_ validators: [any DHTNamespaceValidator]) {
        var table: [String: any DHTNamespaceValidator] = [:]
        for validator in validators { table[validator.namespace] = validator }
        self.validators = table
    }

    /// Only `/pk/`, the namespace this node can validate today.
    public static let `default` = DHTRecordValidators([PublicKeyNamespaceValidator()])

    /// The namespaces served.
    public var namespaces: [String] { validators.keys.sorted() }

    /// The namespace of a record key: the bytes between the leading `/` and the next `/`.
    /// - Throws: `DHTError.invalidRecordKey` when the key does not look like `/<namespace>/<rest>`.
    public static func namespace(of key: [UInt8]) throws(DHTError) -> String {
        let slash = UInt8(ascii: "/")
        guard key.first == slash, let end = key.dropFirst().firstIndex(of: slash), end > 1 else {
            throw .invalidRecordKey(reason: "no /<namespace>/ prefix")
        }
        guard let namespace = String(validating: key[1..<end], as: UTF8.self) else {
            throw .invalidRecordKey(reason: "the namespace is not UTF-8")
        }
        return namespace
    }

    /// Checks `record` with its namespace's validator.
    /// - Throws: `DHTError.unsupportedRecordNamespace` for a namespace without validator, `.tooLarge` for
    ///   a value over `maximumValueByteCount`, or the validator's error.
    public func validate(_ record: DHTRecord) throws(DHTError) {
        guard let namespace = try? Self.namespace(of: record.key), let validator = validators[namespace] else {
            // Named as RecordValidator names it: "/ipns/" or the key's first 16 bytes.
            let ipns = record.key.starts(with: RecordValidator.ipnsNamespace)
            throw .unsupportedRecordNamespace(ipns ? "/ipns/" : String(decoding: record.key.prefix(16), as: UTF8.self))
        }
        guard record.value.count <= Self.maximumValueByteCount else {
            throw .tooLarge(context: "record value", byteCount: record.value.count, limit: Self.maximumValueByteCount)
        }
        try validator.validate(record)
    }

    /// The best of several records for one key (each already validated), or nil for none.
    public func select(_ records: [DHTRecord]) -> DHTRecord? {
        guard let first = records.first else { return nil }
        guard let namespace = try? Self.namespace(of: first.key), let validator = validators[namespace] else { return first }
        let index = validator.select(records)
        return records.indices.contains(index) ? records[index] : first
    }
}
