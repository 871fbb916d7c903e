import CairnCore
import CairnCrypto
import Logging
import NIOCore

/// The one owner of a connection's ``UpgradeStateMachine`` and socket: it feeds socket bytes to the
/// machine, queues the machine's output for the socket, and keeps per-stream buffers and waiters.
///
/// `run` (started by ``start(_:)``, its task handle kept and cancelled on shutdown) reads the socket and
/// drains the outbound queue in one task group inside `NIOAsyncChannel.executeThenClose`, so the socket is
/// closed when either side ends. Reads apply backpressure (the next socket read waits until the machine
/// handled the last one); stream data is bounded by yamux receive windows, and we grant window back only
/// when the application reads.
actor ConnectionDriver {
    /// Per-stream buffers and the single pending reader and writer.
    struct StreamState {
        /// Bytes already reported as consumed (a multistream leftover), returned before `chunks`.
        var leftover: [UInt8] = []
        var chunks: [[UInt8]] = []
        var isRemoteClosed = false
        var isLocallyClosed = false
        var isReset = false
        var reader: ConnectionWaiter<[UInt8]?>?
        var writer: ConnectionWaiter<Void>?
    }

    let role: UpgradeStateMachine.Role
    let configuration: ConnectionConfiguration
    let handlers: StreamHandlers
    let logger: Logger
    var machine: UpgradeStateMachine
    let outgoing: AsyncStream<ByteBuffer>
    let outgoingContinuation: AsyncStream<ByteBuffer>.Continuation
    var streams: [UInt32: StreamState] = [:]
    var inboundTasks: [UInt32: Task<Void, Never>] = [:]
    var runTask: Task<Void, Never>?
    var upgradeTimer: Task<Void, Never>?
    var activeInboundStreamCounts: [String: Int] = [:]
    var keepAliveTask: Task<Void, Never>?
    var queuedOutboundByteCount = 0
    var drainWaiters: [ConnectionWaiter<Void>] = []
    var upgradeWaiter: ConnectionWaiter<PeerID>?
    var upgradeResult: Result<PeerID, ConnectionError>?
    var closedReason: ConnectionError?
    var upgradeCallback: (@Sendable (LibP2PConnection) -> Void)?
    var remotePeerID: PeerID?
    /// The socket's remote address as a multiaddr, once started (nil for non-IPv4/IPv6 sockets).
    var remoteAddress: Multiaddr?
    var closeWaiters: [ConnectionWaiter<Void>] = []
    /// Bytes received on streams and not yet read by the application, over all streams.
    var bufferedInboundByteCount = 0

    init(role: UpgradeStateMachine.Role, identity: PrivateKey, expectedRemotePeerID: PeerID?,
         configuration: ConnectionConfiguration, handlers: StreamHandlers, logger: Logger,
         onUpgrade: (@Sendable (LibP2PConnection) -> Void)? = nil) {
        self.role = role
        self.configuration = configuration
        self.handlers = handlers
        self.logger = logger
        self.machine = UpgradeStateMachine(role: role, identity: identity, expectedRemotePeerID: expectedRemotePeerID,
                                           configuration: configuration)
        (outgoing, outgoingContinuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        self.upgradeCallback = onUpgrade
    }

    // MARK: - Lifecycle

    /// Starts the upgrade on `channel` and the task that serves it until the connection ends.
    func start(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        precondition(runTask == nil, "a connection driver is started once")
        let timeout = configuration.upgradeTimeout
        upgradeTimer = Task { [weak self] in
            // The driver is the I/O edge; the upgrade deadline is its own wall-clock concern.
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            await self?.shutdown(.upgradeTimedOut(limit: timeout))
        }
        remoteAddress = channel.channel.remoteAddress.flatMap(Multiaddr.init(socketAddress:))
        perform(machine.start())
        runTask = Task { await self.run(channel) }
    }

    private func run(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let outgoing = self.outgoing
        let remote = channel.channel.remoteAddress?.description ?? "unknown peer address"
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await buffer in outgoing {
                            let count = buffer.readableBytes
                            try await outbound.write(buffer)
                            await self.wrote(count)
                        }
                    }
                    group.addTask {
                        for try await buffer in inbound { await self.received(buffer) }
                        await self.inputEnded()
                    }
                    defer { group.cancelAll() }
                    _ = try await group.next()
                }
            }
            shutdown(.connectionClosed(reason: "the socket closed"))
        } catch {
            shutdown(.socketFailed(address: remote, message: "\(error)"))
        }
    }

    /// Waits until the upgrade finishes and returns the authenticated remote peer.
    func waitUntilUpgraded() async throws(ConnectionError) -> PeerID {
        if let upgradeResult { return try upgradeResult.get() }
        let waiter = ConnectionWaiter<PeerID>()
        upgradeWaiter = waiter
        do {
            return try await waiter.wait()
        } catch {
            throw (error as? ConnectionError) ?? .connectionClosed(reason: "\(error)")
        }
    }

    /// Closes the connection: sends GoAway, fails every waiting read and write, cancels inbound stream
    /// tasks, and closes the socket once queued bytes are written.
    func close() {
        guard closedReason == nil else { return }
        perform(machine.goAway())
        shutdown(.connectionClosed(reason: "closed locally"))
    }

    /// Whether the connection has ended.
    var isClosed: Bool { closedReason != nil }

    /// Returns once the connection has ended (at once if it already has), or when the task is cancelled.
    func waitUntilClosed() async {
        guard closedReason == nil else { return }
        let waiter = ConnectionWaiter<Void>()
        closeWaiters.append(waiter)
        _ = try? await waiter.wait()
    }

    func shutdown(_ reason: ConnectionError) {
        guard closedReason == nil else { return }
        closedReason = reason
        if upgradeResult == nil {
            upgradeResult = .failure(reason)
            upgradeWaiter?.resume(.failure(reason))
            upgradeWaiter = nil
        }
        upgradeTimer?.cancel()
        keepAliveTask?.cancel()
        for waiter in drainWaiters { waiter.resume(.failure(reason)) }
        drainWaiters.removeAll()
        for waiter in closeWaiters { waiter.resume(.success(())) }
        closeWaiters.removeAll()
        for (id, var state) in streams {
            state.reader?.resume(.failure(reason))
            state.writer?.resume(.failure(reason))
            state.reader = nil
            state.writer = nil
            streams[id] = state
        }
        for task in inboundTasks.values { task.cancel() }
        inboundTasks.removeAll()
        outgoingContinuation.finish()
        logger.debug("connection closed", metadata: ["peer": "\(remotePeerID?.description ?? "?")", "reason": "\(reason)"])
    }

    // MARK: - Socket input

    private func received(_ buffer: ByteBuffer) async {
        guard closedReason == nil else { return }
        perform(machine.receive(Array(buffer.readableBytesView)))
        // Stop reading while our replies pile up: the peer then feels TCP backpressure instead.
        try? await waitForOutboundDrain()
    }

    /// The writer handed `count` bytes to the socket.
    private func wrote(_ count: Int) {
        queuedOutboundByteCount -= count
        guard queuedOutboundByteCount <= configuration.maximumQueuedOutboundByteCount else { return }
        for waiter in drainWaiters { waiter.resume(.success(())) }
        drainWaiters.removeAll()
    }

    /// Waits while more than `maximumQueuedOutboundByteCount` bytes wait for the socket.
    func waitForOutboundDrain() async throws(ConnectionError) {
        while queuedOutboundByteCount > configuration.maximumQueuedOutboundByteCount {
            if let closedReason { throw closedReason }
            let waiter = ConnectionWaiter<Void>()
            drainWaiters.append(waiter)
            do {
                try await waiter.wait()
            } catch {
                throw (error as? ConnectionError) ?? .connectionClosed(reason: "\(error)")
            }
        }
    }

    private func keepAliveTick() {
        perform(machine.pingTimerFired(silentRoundLimit: configuration.silentKeepAliveRoundLimit))
    }

    private func inputEnded() {
        perform(machine.endOfInput())
        shutdown(.connectionClosed(reason: "the peer closed the connection"))
    }

    // MARK: - Events

    func perform(_ events: [UpgradeEvent]) {
        for event in events {
            switch event {
            case .send(let bytes):
                guard closedReason == nil else { continue }
                queuedOutboundByteCount += bytes.count
                outgoingContinuation.yield(ByteBuffer(bytes: bytes))
            case .upgraded(let peer):
                upgraded(peer)
            case .yamux(let action):
                handle(action)
            case .failed(let error):
                logger.debug("connection failed", metadata: ["error": "\(error)"])
                shutdown(error)
            }
        }
    }

    private func upgraded(_ peer: PeerID) {
        remotePeerID = peer
        upgradeTimer?.cancel()
        upgradeResult = .success(peer)
        if let interval = configuration.keepAliveInterval {
            keepAliveTask = Task { [weak self] in
                while (try? await Task.sleep(for: interval)) != nil {
                    await self?.keepAliveTick()
                }
            }
        }
        upgradeWaiter?.resume(.success(peer))
        upgradeWaiter = nil
        if let upgradeCallback {
            upgradeCallback(LibP2PConnection(driver: self, remotePeerID: peer, role: role))
            self.upgradeCallback = nil
        }
    }

    private func handle(_ action: YamuxAction) {
        switch action {
        case .send:
            preconditionFailure("yamux frames are translated to .send events by the upgrade state machine")
        case .streamOpened(let id):
            openedByPeer(id)
        case .deliver(let id, let data):
            deliver(data, streamID: id)
        case .streamWritable(let id, _):
            streams[id]?.writer?.resume(.success(()))
            streams[id]?.writer = nil
        case .streamRemoteClosed(let id):
            streams[id]?.isRemoteClosed = true
            wakeReaderAtEnd(id)
        case .streamClosed(let id):
            streams[id]?.isRemoteClosed = true
            streams[id]?.isLocallyClosed = true
            wakeReaderAtEnd(id)
        case .streamReset(let id), .streamRefused(let id, _):
            markReset(id)
        case .pingAcknowledged, .goAwayReceived:
            break
        case .sessionFailed(let error):
            shutdown(.yamux(error))
        }
    }

    private func openedByPeer(_ id: UInt32) {
        guard inboundTasks.count < configuration.maximumInboundStreamTaskCount else {
            logger.debug("inbound stream refused: too many", metadata: ["stream": "\(id)"])
            perform(machine.reset(streamID: id))
            return
        }
        streams[id] = StreamState()
        inboundTasks[id] = Task { await self.serveInbound(streamID: id) }
    }

    private func deliver(_ data: [UInt8], streamID id: UInt32) {
        guard var state = streams[id] else { return }
        if let reader = state.reader, state.leftover.isEmpty, state.chunks.isEmpty {
            state.reader = nil
            streams[id] = state
            // A reader cancelled meanwhile does not take the data; it stays buffered for the next read.
            if reader.resume(.success(data)) {
                perform(machine.consumed(streamID: id, byteCount: data.count))
                return
            }
        }
        state.chunks.append(data)
        streams[id] = state
        bufferedInboundByteCount += data.count
        // Flow control bounds each stream; this bounds the sum, so many full windows cannot pile up.
        if bufferedInboundByteCount > configuration.maximumBufferedInboundByteCount {
            logger.info("closing a connection holding too much unread data",
                        metadata: ["peer": "\(remotePeerID?.description ?? "?")", "bytes": "\(bufferedInboundByteCount)"])
            shutdown(.resourceLimitExceeded(limit: "unread bytes per connection", value: configuration.maximumBufferedInboundByteCount))
        }
    }

    private func wakeReaderAtEnd(_ id: UInt32) {
        guard var state = streams[id], let reader = state.reader else { return }
        state.reader = nil
        streams[id] = state
        reader.resume(.success(nil))
    }

    private func markReset(_ id: UInt32) {
        guard var state = streams[id] else { return }
        state.isReset = true
        state.reader?.resume(.failure(ConnectionError.streamReset(streamID: id)))
        state.writer?.resume(.failure(ConnectionError.streamReset(streamID: id)))
        state.reader = nil
        state.writer = nil
        streams[id] = state
    }
}
