import Foundation

/// The server side of the DHT as a sans-IO value: answers one request at a time from the routing table,
/// the provider store and the value records, with the time passed in.
///
/// Behaviour follows go-libp2p-kad-dht 0.24 as seen from kubo 0.22:
/// - FIND_NODE: the k closest peers to `key` we know, never the requester; ourselves too when the key is our
///   own ID (ipfs/specs asks for it, and it lets a 2-node network pass go's routing-table admission check);
/// - GET_PROVIDERS: unexpired providers of the multihash in `key` plus closer peers;
/// - ADD_PROVIDER: stores the provider entries whose ID is the sender's; **no reply**;
/// - PUT_VALUE: validates (only `/pk/` for now), stores and echoes the record with `timeReceived` set;
/// - GET_VALUE: the stored record, if any, plus closer peers; PING: echoed.
/// An invalid request yields `.reject(error)`: the owner resets the stream without a reply, as kubo does.
public struct DHTServerStateMachine: Sendable {
    /// What to do with one request.
    public enum Outcome: Sendable, Equatable {
        /// Write this message back on the stream.
        case respond(DHTMessage)
        /// Send nothing (ADD_PROVIDER) and wait for the next request on the stream.
        case noResponse
        /// Reset the stream without a reply.
        case reject(DHTError)
    }

    /// Ourselves as a peer entry (ID and listen addresses), returned for FIND_NODE of our own ID; the owner
    /// updates the addresses when its listen addresses change.
    public var localPeer: DHTPeer
    /// The validators PUT_VALUE records must pass (only `/pk/` by default).
    public let validators: DHTRecordValidators
    /// The limits applied.
    public let configuration: DHTConfiguration
    /// The provider records held for others.
    public private(set) var providers: ProviderStore
    /// The value records held for others, by record key (expired ones until `removeExpiredRecords`).
    public private(set) var records: [[UInt8]: DHTRecord] = [:]
    private var recordReceivedAt: [[UInt8]: Date] = [:]

    /// Creates a server with empty stores.
    public init(localPeer: DHTPeer, configuration: DHTConfiguration = .default, validators: DHTRecordValidators = .default) {
        self.localPeer = localPeer
        self.validators = validators
        self.configuration = configuration
        self.providers = ProviderStore(configuration: configuration)
    }

    /// Answers `request` from `sender`, received at `now`, using `routingTable` for closer peers.
    public mutating func handle(_ request: DHTMessage, from sender: DHTPeerID, routingTable: RoutingTable, now: Date) -> Outcome {
        do {
            switch request.type {
            case .findNode:
                try requireKey(request)
                return .respond(DHTMessage(type: .findNode, key: request.key, closerPeers: closerPeers(request, sender, routingTable)))
            case .getProviders:
                try requireProviderKey(request)
                let found = providers.providers(for: request.key, now: now)
                return .respond(
                    DHTMessage(type: .getProviders, key: request.key, closerPeers: closerPeers(request, sender, routingTable), providerPeers: found))
            case .addProvider:
                try requireProviderKey(request)
                for peer in request.providerPeers where peer.id == sender {
                    _ = providers.addProvider(peer.id, addresses: peer.addresses, for: request.key, now: now)
                }
                return .noResponse
            case .getValue:
                try requireKey(request)
                return .respond(
                    DHTMessage(type: .getValue, key: request.key, record: record(for: request.key, now: now),
                               closerPeers: closerPeers(request, sender, routingTable)))
            case .putValue:
                return .respond(try putValue(request, now: now))
            case .ping:
                return .respond(DHTMessage(type: .ping))
            }
        } catch {
            return .reject(error)
        }
    }

    private mutating func putValue(_ request: DHTMessage, now: Date) throws(DHTError) -> DHTMessage {
        guard var record = request.record else { throw .invalidRequest(type: .putValue, reason: "no record") }
        guard record.key == request.key else { throw .invalidRequest(type: .putValue, reason: "the record key differs from the message key") }
        try validators.validate(record)
        if records[record.key] == nil && records.count >= configuration.maximumStoredRecordCount { removeExpiredRecords(now: now) }
        guard records[record.key] != nil || records.count < configuration.maximumStoredRecordCount else {
            throw .recordStoreFull(limit: configuration.maximumStoredRecordCount)
        }
        record.timeReceived = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(now)
        records[record.key] = record
        recordReceivedAt[record.key] = now
        return DHTMessage(type: .putValue, key: request.key, record: record)
    }

    /// Drops provider records expired at `now`.
    /// - Returns: the number of records dropped.
    @discardableResult
    public mutating func removeExpiredProviders(now: Date) -> Int {
        providers.removeExpired(now: now)
    }

    /// The record stored under `key` if it is younger than `maximumRecordAge` at `now`.
    public func record(for key: [UInt8], now: Date) -> DHTRecord? {
        guard let record = records[key], let receivedAt = recordReceivedAt[key],
            now.timeIntervalSince(receivedAt) < ProviderStore.seconds(configuration.maximumRecordAge)
        else { return nil }
        return record
    }

    /// Drops value records older than `maximumRecordAge` at `now`.
    /// - Returns: the number of records dropped.
    @discardableResult
    public mutating func removeExpiredRecords(now: Date) -> Int {
        let limit = ProviderStore.seconds(configuration.maximumRecordAge)
        let expired = recordReceivedAt.filter { now.timeIntervalSince($0.value) >= limit }.map(\.key)
        for key in expired {
            records[key] = nil
            recordReceivedAt[key] = nil
        }
        return expired.count
    }

    private func closerPeers(_ request: DHTMessage, _ sender: DHTPeerID, _ routingTable: RoutingTable) -> [DHTPeer] {
        let target = KademliaKey(hashing: request.key)
        var peers = routingTable.closest(to: target, count: configuration.bucketSize + 1)
            .filter { $0.peer != sender }
            .prefix(configuration.bucketSize)
            .map { DHTPeer(id: $0.peer, addresses: $0.addresses) }
        if request.type == .findNode && request.key == localPeer.id.bytes {
            peers = [localPeer] + peers.prefix(configuration.bucketSize - 1)
        }
        return peers
    }

    private func requireKey(_ request: DHTMessage) throws(DHTError) {
        guard !request.key.isEmpty else { throw .invalidRequest(type: request.type, reason: "no key") }
    }

    private func requireProviderKey(_ request: DHTMessage) throws(DHTError) {
        try requireKey(request)
        let limit = configuration.maximumProviderKeyByteCount
        guard request.key.count <= limit else { throw .tooLarge(context: "provider key", byteCount: request.key.count, limit: limit) }
    }
}
