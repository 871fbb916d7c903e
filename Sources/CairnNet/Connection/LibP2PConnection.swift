import CairnCore
import CairnCrypto

/// An upgraded libp2p connection (TCP, then Noise, then yamux) to one authenticated peer.
///
/// Obtain one from ``TCPTransport/dial(_:identity:handlers:)`` or a ``TCPListener``. Inbound streams are
/// negotiated against the ``StreamHandlers`` given there and each runs its handler in a task the
/// connection owns; yamux pings are answered automatically. All state lives in one actor per connection.
public struct LibP2PConnection: Sendable {
    let driver: ConnectionDriver
    /// The peer at the other end, proven by its signature in the Noise handshake.
    public let remotePeerID: PeerID
    /// Whether this side dialled (yamux client, odd stream IDs) or accepted (server, even IDs).
    public let role: UpgradeStateMachine.Role

    init(driver: ConnectionDriver, remotePeerID: PeerID, role: UpgradeStateMachine.Role) {
        self.driver = driver
        self.remotePeerID = remotePeerID
        self.role = role
    }

    /// Opens a stream and negotiates the first of `protocols` the peer accepts (multistream-select, one
    /// round trip per refused proposal).
    /// - Parameter protocols: protocol IDs in order of preference; at least one.
    /// - Throws: `.multistream(.protocolsExhausted)` when the peer refuses them all, `.yamux(…)` when the
    ///   session refuses a new stream, `.streamReset` or the connection's failure.
    public func openStream(protocols: [String]) async throws(ConnectionError) -> LibP2PStream {
        let id = try await driver.openRawStream()
        do {
            var dialer = try MultistreamDialerStateMachine(protocols: protocols, configuration: driver.configuration.multistream)
            var actions = dialer.start()
            while true {
                for action in actions {
                    switch action {
                    case .send(let bytes):
                        try await driver.write(bytes, streamID: id)
                    case .failed(let error):
                        throw ConnectionError.multistream(error)
                    case .negotiated(let protocolID, let leftover):
                        await driver.pushBack(leftover, streamID: id)
                        return LibP2PStream(driver: driver, streamID: id, protocolID: protocolID, remotePeerID: remotePeerID)
                    }
                }
                if let chunk = try await driver.read(streamID: id) {
                    actions = dialer.receive(chunk)
                } else {
                    actions = dialer.endOfInput()
                }
            }
        } catch let error as ConnectionError {
            await driver.reset(streamID: id)
            throw error
        } catch let error as MultistreamError {
            await driver.reset(streamID: id)
            throw .multistream(error)
        } catch {
            await driver.reset(streamID: id)
            throw .connectionClosed(reason: "\(error)")
        }
    }

    /// Closes the connection: GoAway, then the socket; pending stream operations fail with
    /// `.connectionClosed`, inbound stream tasks are cancelled.
    public func close() async {
        await driver.close()
    }

    /// Returns once the connection has ended (closed by either side or failed), or when cancelled.
    public func waitUntilClosed() async {
        await driver.waitUntilClosed()
    }

    /// The socket's remote address (`/ip4/A/tcp/N`), when the socket has one.
    public var remoteAddress: Multiaddr? {
        get async { await driver.remoteAddress }
    }

    /// Whether the connection has ended (closed by either side or failed).
    public var isClosed: Bool {
        get async { await driver.isClosed }
    }
}
