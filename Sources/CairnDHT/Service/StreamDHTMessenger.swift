import CairnCore
import CairnCrypto
import CairnNet
import Synchronization

/// A `DHTMessenger` over libp2p streams: one request per stream, as go-libp2p-kad-dht's client mostly
/// does (it may reuse streams; the server side here loops, so either works against us).
///
/// A request opens a stream on the DHT protocol, writes one uvarint length-prefixed message, reads one
/// response (checked against `maximumMessageByteCount` as soon as its length prefix arrives) and
/// half-closes. The whole exchange, dial included, runs against `requestTimeout`. Any protocol error
/// (malformed, oversized or truncated response, wrong type, timeout) resets the stream.
public struct StreamDHTMessenger: DHTMessenger {
    /// Opens a stream to a peer on one of the given protocol IDs.
    public typealias StreamOpener = @Sendable (DHTPeer, [String]) async throws(DHTError) -> any DHTStream

    /// The DHT parameters (protocol ID and message limits).
    public let configuration: DHTConfiguration
    /// How long one exchange, dial included, may take before the stream is reset.
    public let requestTimeout: Duration
    private let clock: any DHTClock
    private let openStream: StreamOpener

    /// A messenger over `network`: a peer's addresses are added to the network's address book before its
    /// stream is opened.
    public init(network: any PeerNetwork, configuration: DHTConfiguration = .default, clock: any DHTClock,
                requestTimeout: Duration = .seconds(10)) {
        self.init(configuration: configuration, clock: clock, requestTimeout: requestTimeout) { peer, protocols throws(DHTError) in
            let peerID: PeerID
            do {
                peerID = try PeerID(bytes: peer.id.bytes)
            } catch {
                throw .peerUnreachable(peer: peer.id, reason: "not a libp2p peer ID: \(error)")
            }
            if !peer.addresses.isEmpty { await network.addAddresses(peer.addresses, for: peerID) }
            do throws(ConnectionError) {
                return try await network.openStream(to: peerID, protocols: protocols)
            } catch {
                throw .peerUnreachable(peer: peer.id, reason: error.description)
            }
        }
    }

    /// A messenger over any stream source (tests use in-memory pipes).
    public init(configuration: DHTConfiguration = .default, clock: any DHTClock, requestTimeout: Duration = .seconds(10),
                openStream: @escaping StreamOpener) {
        self.configuration = configuration
        self.clock = clock
        self.requestTimeout = requestTimeout
        self.openStream = openStream
    }

    /// Opens a stream, sends `message`, returns the response and half-closes.
    /// - Throws: `DHTError.peerUnreachable`, `.requestTimedOut`, `.noResponse`, `.unexpectedResponse`,
    ///   `.streamFailed` or the decoding error of a malformed response; the stream is reset on all of them.
    public func request(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError) -> DHTMessage {
        try await withStream(to: peer) { channel throws(DHTError) in
            try await channel.send(message)
            guard let response = try await channel.receive() else { throw .noResponse(type: message.type) }
            guard response.type == message.type else { throw .unexpectedResponse(expected: message.type, actual: response.type) }
            await channel.stream.closeWrite()
            return response
        }
    }

    /// Opens a stream, writes `message` and half-closes without waiting for an answer (ADD_PROVIDER).
    /// - Throws: `DHTError.peerUnreachable`, `.requestTimedOut` or `.streamFailed`.
    public func send(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError) {
        try await withStream(to: peer) { channel throws(DHTError) in
            try await channel.send(message)
            await channel.stream.closeWrite()
        }
    }

    private func withStream<Value: Sendable>(
        to peer: DHTPeer, _ body: @escaping @Sendable (DHTMessageChannel) async throws(DHTError) -> Value
    ) async throws(DHTError) -> Value {
        let opened = OpenedStream()
        let configuration = configuration
        let protocols = [configuration.protocolID]
        let openStream = openStream
        return try await DHTDeadline.run(
            clock: clock, limit: requestTimeout, expiredError: .requestTimedOut(peer: peer.id, limit: requestTimeout),
            abort: { await opened.reset() }
        ) { () async throws(DHTError) -> Value in
            let stream = try await openStream(peer, protocols)
            guard opened.set(stream) else {
                await stream.reset()
                throw .cancelled
            }
            do throws(DHTError) {
                return try await body(DHTMessageChannel(stream: stream, configuration: configuration))
            } catch {
                await stream.reset()
                throw error
            }
        }
    }
}

/// The stream a deadline may have to reset, set once it is open; an abort that comes first wins.
private final class OpenedStream: Sendable {
    private struct State {
        var stream: (any DHTStream)?
        var isAborted = false
    }

    private let state = Mutex(State())

    /// Records the opened stream; false if the exchange was aborted meanwhile (the caller resets it).
    func set(_ opened: any DHTStream) -> Bool {
        state.withLock { state in
            guard !state.isAborted else { return false }
            state.stream = opened
            return true
        }
    }

    /// Marks the exchange aborted and resets its stream if it is open.
    func reset() async {
        let current = state.withLock { state in
            state.isAborted = true
            return state.stream
        }
        await current?.reset()
    }
}
