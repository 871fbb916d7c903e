import CairnCore
import CairnCrypto
import Foundation

/// Why a storage request got no answer.
public enum StorageTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The peer could not be dialled or the stream failed.
    case unreachable(String)
    /// No answer within the deadline.
    case timeout
    /// The answer was not a valid storage message.
    case protocolViolation(String)
    /// The request was cancelled (another provider answered first).
    case cancelled

    public var description: String {
        switch self {
        case .unreachable(let reason): "unreachable: \(reason)"
        case .timeout: "no answer in time"
        case .protocolViolation(let reason): "protocol violation: \(reason)"
        case .cancelled: "cancelled"
        }
    }
}

/// How the storage engines talk to other nodes: one request, one response. The daemon implements it over
/// libp2p streams (`/cairn/storage/1.0.0`); a simulator implements it in memory.
public protocol StorageTransport: Sendable {
    /// Sends `request` to `peer` and waits up to `timeout` for its response. Cancelling the calling task
    /// abandons the request promptly.
    func request(_ request: StorageRequest, to peer: PeerID, timeout: Duration) async throws(StorageTransportError) -> StorageResponse
}

/// A provider found through discovery (the DHT): who it is and where it listens.
public struct DiscoveredProvider: Sendable, Equatable {
    /// Its peer ID.
    public var peer: PeerID
    /// Its addresses (without `/p2p/`).
    public var addresses: [Multiaddr]

    /// Creates a record.
    public init(peer: PeerID, addresses: [Multiaddr]) {
        self.peer = peer
        self.addresses = addresses
    }
}

/// The bytes a provider keeps for its contracts, on its own disk.
public protocol ProviderShareStore: Sendable {
    /// The share's bytes, or nil when it is not here.
    func read(_ cid: CID) throws -> [UInt8]?
    /// Writes the share durably (synced before returning).
    func write(_ cid: CID, bytes: [UInt8]) throws
    /// Deletes the share (no error when absent).
    func delete(_ cid: CID) throws
    /// Free bytes on the disk holding the shares, when known.
    func availableDiskByteCount() -> Int64?
}
