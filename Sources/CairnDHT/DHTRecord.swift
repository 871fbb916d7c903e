/// A value record carried by PUT_VALUE and GET_VALUE.
///
/// Schema: `message Record { bytes key = 1; bytes value = 2; string timeReceived = 5; }` (fields 3 and 4,
/// the old author and signature, are obsolete and skipped as unknown). Kubo fills `timeReceived` with an
/// RFC 3339 timestamp when it stores a record, e.g. `2026-11-21T10:33:59.210397833Z`.
public struct DHTRecord: Sendable, Equatable {
    /// The record key, e.g. `/pk/` followed by binary peer-ID bytes.
    public var key: [UInt8]
    /// The record value, validated per namespace by `RecordValidator`.
    public var value: [UInt8]
    /// When the storing node received the record (RFC 3339), empty when absent.
    public var timeReceived: String

    /// Creates a record.
    public init(key: [UInt8], value: [UInt8], timeReceived: String = "") {
        self.key = key
        self.value = value
        self.timeReceived = timeReceived
    }
}
