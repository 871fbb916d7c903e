/// How a `DHTService` reaches other DHT peers: send a request and await its response, or send a message
/// that gets none (ADD_PROVIDER, which go-libp2p-kad-dht never answers).
///
/// `StreamDHTMessenger` implements it over libp2p streams; tests use an in-memory network. The service
/// applies its own per-request deadline on top, so implementations must return promptly when cancelled.
public protocol DHTMessenger: Sendable {
    /// Sends `message` to `peer` (dialling one of its `addresses` if needed) and returns its response.
    /// - Throws: `DHTError.peerUnreachable`, `.streamFailed`, `.noResponse`, `.requestTimedOut`, a decoding
    ///   error for a malformed response, or `.cancelled`.
    func request(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError) -> DHTMessage

    /// Sends `message` to `peer` without waiting for an answer.
    /// - Throws: `DHTError.peerUnreachable` or `.streamFailed` when it could not be written.
    func send(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError)
}
