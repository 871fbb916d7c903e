import CairnCore
import CairnCrypto
import Logging
import NIOCore

/// A listening TCP socket that upgrades every accepted connection as the libp2p listener.
///
/// Upgraded connections are announced on ``connections``; the listener keeps each one until it ends and
/// closes them all in ``close()``. The accept loop runs in a task whose handle the listener keeps.
public actor TCPListener {
    /// The default bound on connections held at once (accepted, upgrading or upgraded).
    public static let defaultMaximumConnectionCount = 256

    /// The bound address with the real port and this node's `/p2p/ID`, ready to give to a dialer.
    public nonisolated let address: Multiaddr
    /// Upgraded inbound connections, in the order their upgrades finished.
    ///
    /// Buffers at most `maximumConnectionCount` connections nobody has taken yet; older ones are dropped
    /// from the sequence (not closed).
    public nonisolated let connections: AsyncStream<LibP2PConnection>
    /// The most connections held at once.
    public nonisolated let maximumConnectionCount: Int
    private let connectionsContinuation: AsyncStream<LibP2PConnection>.Continuation
    private let identity: PrivateKey
    private let configuration: ConnectionConfiguration
    private let handlers: StreamHandlers
    private let logger: Logger
    private var drivers: [ObjectIdentifier: ConnectionDriver] = [:]
    private var acceptTask: Task<Void, Never>?
    private var isClosed = false

    init(address: Multiaddr, identity: PrivateKey, configuration: ConnectionConfiguration, handlers: StreamHandlers,
         maximumConnectionCount: Int, logger: Logger) {
        precondition(maximumConnectionCount > 0, "a listener must accept at least one connection")
        self.address = address
        self.identity = identity
        self.configuration = configuration
        self.handlers = handlers
        self.maximumConnectionCount = maximumConnectionCount
        self.logger = logger
        (connections, connectionsContinuation) = AsyncStream.makeStream(
            of: LibP2PConnection.self, bufferingPolicy: .bufferingNewest(maximumConnectionCount))
    }

    func start(_ server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) {
        acceptTask = Task {
            do {
                try await server.executeThenClose { inbound in
                    for try await child in inbound { await self.accepted(child) }
                }
            } catch {
                self.logger.debug("listener stopped", metadata: ["error": "\(error)"])
            }
        }
    }

    private func accepted(_ child: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        await pruneClosed()
        guard !isClosed, drivers.count < maximumConnectionCount else {
            logger.debug("inbound connection refused", metadata: ["limit": "\(maximumConnectionCount)"])
            try? await child.channel.close()
            return
        }
        let continuation = connectionsContinuation
        let driver = ConnectionDriver(role: .listener, identity: identity, expectedRemotePeerID: nil,
                                      configuration: configuration, handlers: handlers, logger: logger,
                                      onUpgrade: { continuation.yield($0) })
        drivers[ObjectIdentifier(driver)] = driver
        await driver.start(child)
    }

    /// Drops connections that have ended from the bookkeeping.
    private func pruneClosed() async {
        for (key, driver) in drivers where await driver.isClosed {
            drivers.removeValue(forKey: key)
        }
    }

    /// The number of connections currently held (including ones still upgrading).
    public var connectionCount: Int {
        get async {
            await pruneClosed()
            return drivers.count
        }
    }

    /// Stops accepting, closes the socket and every connection it accepted, and ends ``connections``.
    public func close() async {
        guard !isClosed else { return }
        isClosed = true
        acceptTask?.cancel()
        for driver in drivers.values { await driver.close() }
        drivers.removeAll()
        connectionsContinuation.finish()
    }
}
