import CairnCore
import CairnCrypto

/// The identify protocols (`/ipfs/id/1.0.0` and `/ipfs/id/push/1.0.0`) over ``LibP2PStream``s: answering a
/// peer's request with our own message, asking a peer for its message, and pushing ours.
public enum IdentifyService {
    /// The identify request protocol: the requester sends nothing, the responder writes and closes.
    public static let protocolID = "/ipfs/id/1.0.0"
    /// The push protocol: the pusher writes its message and closes.
    public static let pushProtocolID = "/ipfs/id/push/1.0.0"
    /// The protocol family version we announce (kubo announces "").
    public static let protocolVersion = "ipfs/0.1.0"

    /// Writes `message` (with the stream's remote address as the observed address) and closes our side.
    public static func answer(_ stream: LibP2PStream, with message: IdentifyMessage) async {
        var message = message
        message.observedAddress = await stream.connectionRemoteAddress
        do {
            try await stream.write(message.framedOwnMessage())
            await stream.closeWrite()
        } catch {
            await stream.reset()
        }
    }

    /// Reads a whole identify (or push) stream and returns the merged message, checking that an included
    /// public key belongs to the peer at the other end.
    /// - Throws: `IdentifyError`, `ConnectionError`, or `IdentifyServiceError.publicKeyMismatch`.
    public static func read(_ stream: LibP2PStream, configuration: IdentifyConfiguration) async throws -> IdentifyMessage {
        var decoder = IdentifyStreamDecoder(configuration: configuration)
        while let chunk = try await stream.read() {
            try decoder.receive(chunk)
        }
        let message = try decoder.finish()
        if let keyBytes = message.publicKey {
            let key = try PublicKey(protobufBytes: keyBytes)
            guard stream.remotePeerID.matches(key) else {
                throw IdentifyServiceError.publicKeyMismatch(peer: stream.remotePeerID.description)
            }
        }
        return message
    }

    /// Opens an identify stream on `connection` and returns the peer's message.
    public static func request(on connection: LibP2PConnection, configuration: IdentifyConfiguration) async throws -> IdentifyMessage {
        let stream = try await connection.openStream(protocols: [protocolID])
        await stream.closeWrite()
        do {
            return try await read(stream, configuration: configuration)
        } catch {
            await stream.reset()
            throw error
        }
    }
}

/// Identify failures beyond the codec's.
public enum IdentifyServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The identify message carried a public key that is not the authenticated peer's.
    case publicKeyMismatch(peer: String)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .publicKeyMismatch(let peer): "identify: \(peer) sent a public key that is not its own"
        }
    }
}
