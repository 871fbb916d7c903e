/// Every way Kademlia DHT input can be rejected: malformed or oversized protobuf messages and frames, and
/// records that fail validation.
///
/// A peer that sends any of these gets its stream reset (kubo does the same for an invalid request); the
/// node never traps on them.
public enum DHTError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside a value; `context` names what was being read.
    case truncated(context: String)
    /// A varint ran past 10 bytes or 64 bits; `context` names the field.
    case invalidVarint(context: String)
    /// A field tag used field number 0 or one above the protobuf maximum (2^29 - 1).
    case invalidFieldNumber(UInt64)
    /// A wire type protobuf does not define (6, 7) or that proto3 forbids (groups, 3 and 4).
    case unsupportedWireType(fieldNumber: UInt64, wireType: UInt8)
    /// A known field arrived with a wire type other than the one its schema declares.
    case wrongWireType(field: String, expected: UInt8, actual: UInt8)
    /// A length-prefixed value or frame is larger than `limit` bytes.
    case tooLarge(context: String, byteCount: Int, limit: Int)
    /// A message carries more than `limit` peers in one repeated field.
    case tooManyPeers(field: String, limit: Int)
    /// A peer entry carries more than `limit` addresses.
    case tooManyAddresses(limit: Int)
    /// An enum field holds a value the schema does not define.
    case unknownEnumValue(field: String, value: Int64)
    /// A peer entry's `id` is empty or not a valid multihash.
    case invalidPeerID(reason: String)
    /// A string field is not valid UTF-8.
    case invalidUTF8(field: String)
    /// The stream ended in the middle of a frame (`bufferedByteCount` bytes were waiting).
    case truncatedFrame(bufferedByteCount: Int)
    /// A Kademlia key was not exactly 32 bytes.
    case invalidKademliaKeyLength(Int)
    /// A record's key is not in a namespace this node validates (only `/pk/` for now).
    case unsupportedRecordNamespace(String)
    /// A `/pk/` record's value is not a well-formed libp2p `PublicKey` protobuf.
    case malformedPublicKey(reason: String)
    /// A `/pk/` record's key suffix is not the peer ID derived from its value.
    case publicKeyDoesNotMatchPeerID
    /// A request is not acceptable for its type (missing key or record, key and record key differ, …).
    case invalidRequest(type: DHTMessage.MessageType, reason: String)
    /// The server's record store is full, so a new record cannot be kept.
    case recordStoreFull(limit: Int)
    /// A routing-table snapshot has a format version this code does not read.
    case unsupportedSnapshotVersion(Int)
    /// A request to `peer` got no complete answer within `limit` (`DHTServiceConfiguration.requestTimeout`);
    /// the stream was reset.
    case requestTimedOut(peer: DHTPeerID, limit: Duration)
    /// No stream could be opened to `peer` (no address, dial or negotiation failure); `reason` is the
    /// network's explanation.
    case peerUnreachable(peer: DHTPeerID, reason: String)
    /// The stream failed while a message was read or written (reset by the peer, connection lost).
    case streamFailed(reason: String)
    /// The stream ended before the peer answered our request.
    case noResponse(type: DHTMessage.MessageType)
    /// The peer answered a request of type `expected` with a message of another type or key.
    case unexpectedResponse(expected: DHTMessage.MessageType, actual: DHTMessage.MessageType)
    /// The peer refused the request (in the simulator or a messenger that can tell: it reset the stream).
    case requestRejected(type: DHTMessage.MessageType)
    /// This node runs in client mode and does not answer DHT requests.
    case clientMode
    /// A record's key has no namespace (`/<namespace>/…`) or its namespace has no validator here.
    case invalidRecordKey(reason: String)
    /// An IPNS-style record failed its namespace validator; `reason` says why.
    case invalidRecord(namespace: String, reason: String)
    /// The operation was cancelled before it finished.
    case cancelled

    /// A one-line explanation of the failure for logs.
    public var description: String {
        switch self {
        case .truncated(let context): "dht: input ended inside \(context)"
        case .invalidVarint(let context): "dht: invalid varint in \(context)"
        case .invalidFieldNumber(let number): "dht: invalid protobuf field number \(number)"
        case .unsupportedWireType(let field, let wireType): "dht: unsupported wire type \(wireType) on field \(field)"
        case .wrongWireType(let field, let expected, let actual):
            "dht: field \(field) has wire type \(actual), expected \(expected)"
        case .tooLarge(let context, let count, let limit): "dht: \(context) of \(count) bytes is over the limit of \(limit)"
        case .tooManyPeers(let field, let limit): "dht: more than \(limit) entries in \(field)"
        case .tooManyAddresses(let limit): "dht: a peer entry has more than \(limit) addresses"
        case .unknownEnumValue(let field, let value): "dht: unknown value \(value) for \(field)"
        case .invalidPeerID(let reason): "dht: invalid peer ID: \(reason)"
        case .invalidUTF8(let field): "dht: \(field) is not valid UTF-8"
        case .truncatedFrame(let count): "dht: stream ended inside a frame (\(count) bytes buffered)"
        case .invalidKademliaKeyLength(let count): "dht: a Kademlia key must be 32 bytes, not \(count)"
        case .unsupportedRecordNamespace(let namespace): "dht: records in namespace \(namespace) are not accepted"
        case .malformedPublicKey(let reason): "dht: malformed public key record: \(reason)"
        case .publicKeyDoesNotMatchPeerID: "dht: the public key does not hash to the peer ID in the record key"
        case .invalidRequest(let type, let reason): "dht: invalid \(type) request: \(reason)"
        case .recordStoreFull(let limit): "dht: the record store already holds \(limit) records"
        case .unsupportedSnapshotVersion(let version): "dht: routing-table snapshot version \(version) is not supported"
        case .requestTimedOut(let peer, let limit): "dht: peer \(peer) did not answer within \(limit)"
        case .peerUnreachable(let peer, let reason): "dht: cannot open a stream to \(peer): \(reason)"
        case .streamFailed(let reason): "dht: stream failed: \(reason)"
        case .noResponse(let type): "dht: the stream ended before the \(type) response"
        case .unexpectedResponse(let expected, let actual): "dht: expected a \(expected) response, got \(actual)"
        case .requestRejected(let type): "dht: the peer refused the \(type) request"
        case .clientMode: "dht: this node runs in client mode and answers no DHT requests"
        case .invalidRecordKey(let reason): "dht: invalid record key: \(reason)"
        case .invalidRecord(let namespace, let reason): "dht: invalid /\(namespace)/ record: \(reason)"
        case .cancelled: "dht: the operation was cancelled"
        }
    }
}
