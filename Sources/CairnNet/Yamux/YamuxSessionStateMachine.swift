/// A yamux session (libp2p `/yamux/1.0.0`) as a sans-IO state machine: events in, `YamuxAction`s out.
///
/// - Roles: the connection dialer is the client and opens odd stream IDs; the listener is the server and
///   opens even IDs.
/// - Flow control: each stream starts with a 256 KiB window each way, counting Data payload bytes only. We
///   never send beyond the peer's window (`write` returns how much it took; `.streamWritable` says when to
///   continue) and we reopen our receive window only as the application reports consumption, once half the
///   window is used. A peer overrunning our window is a protocol error (GoAway 1).
/// - Limits (`YamuxConfiguration`): concurrent streams and inbound backlog (excess inbound SYNs get RST),
///   unacknowledged outbound streams, frame sizes. Nothing from the network is buffered beyond one frame.
/// - Keep-alive: Ping SYN is answered with Ping ACK echoing the opaque value; `pingTimerFired` sends our own
///   pings and fails the session when the previous one went unanswered.
public struct YamuxSessionStateMachine: Sendable {
    /// Which side of the connection this session is on.
    public enum Role: Sendable, Equatable {
        /// The connection dialer; opens odd stream IDs.
        case client
        /// The connection listener; opens even stream IDs.
        case server
    }

    struct Stream: Sendable {
        var sendWindow: Int
        var receiveWindow: Int
        var unconsumedByteCount = 0
        var ungrantedByteCount = 0
        var isLocallyClosed = false
        var isRemotelyClosed = false
        var isAwaitingAccept = false
        var isAwaitingAcknowledgement = false
    }

    /// The side of the connection this session is on.
    public let role: Role
    /// The limits in force.
    public let configuration: YamuxConfiguration
    var streams: [UInt32: Stream] = [:]
    var decoder: YamuxFrameDecoder
    var nextOutboundStreamID: UInt64
    var highestInboundStreamID: UInt32 = 0
    var inboundBacklog = 0
    var outboundBacklog = 0
    var hasSentGoAway = false
    var hasReceivedGoAway = false
    var failure: YamuxError?
    var outstandingPing: UInt32?
    var nextPingOpaque: UInt32 = 0
    /// Whether any frame arrived since the last keep-alive round; traffic proves the peer alive.
    var hasReceivedSinceKeepAliveRound = false
    /// Keep-alive rounds in a row in which our ping stayed unanswered and nothing at all arrived.
    var silentKeepAliveRounds = 0

    /// Creates a session for `role` with the given limits.
    public init(role: Role, configuration: YamuxConfiguration = .default) {
        self.role = role
        self.configuration = configuration
        self.decoder = YamuxFrameDecoder(maximumPayloadByteCount: configuration.maximumInboundFramePayloadByteCount)
        self.nextOutboundStreamID = role == .client ? 1 : 2
    }

    /// The number of streams currently open (half-closed ones included).
    public var streamCount: Int { streams.count }
    /// The number of inbound streams opened by the peer and not yet accepted.
    public var inboundBacklogCount: Int { inboundBacklog }
    /// The error that ended the session, if it has ended.
    public var failureCause: YamuxError? { failure }

    /// The bytes that may be written on `streamID` now, or `nil` if the stream is not open.
    public func sendWindow(streamID: UInt32) -> Int? { streams[streamID]?.sendWindow }

    // MARK: - Events from the connection

    /// Handles bytes received from the connection (any chunking, down to one byte).
    public mutating func receive<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [YamuxAction] {
        guard failure == nil else { return [] }
        decoder.append(bytes)
        var actions: [YamuxAction] = []
        while failure == nil {
            let frame: YamuxFrame?
            do {
                frame = try decoder.nextFrame()
            } catch {
                fail(error, goAway: .protocolError, into: &actions)
                break
            }
            guard let frame else { break }
            handle(frame, into: &actions)
        }
        return actions
    }

    /// Handles the end of the connection's input.
    public mutating func endOfInput() -> [YamuxAction] {
        guard failure == nil else { return [] }
        var actions: [YamuxAction] = []
        let count = decoder.bufferedByteCount
        fail(count > 0 ? .truncated(bufferedByteCount: count) : .endOfInput, goAway: nil, into: &actions)
        return actions
    }

    // MARK: - Events from the application

    /// Opens an outbound stream: returns its ID and the WindowUpdate+SYN frame to send.
    /// - Throws: `YamuxError.sessionFailed`, `.sessionGoingAway`, `.streamLimitExceeded`,
    ///   `.outboundBacklogExceeded` or `.streamIDsExhausted`.
    public mutating func openStream() throws(YamuxError) -> (streamID: UInt32, actions: [YamuxAction]) {
        if let failure { throw .sessionFailed(cause: failure) }
        guard !hasSentGoAway && !hasReceivedGoAway else { throw .sessionGoingAway }
        guard streams.count < configuration.maximumStreamCount else {
            throw .streamLimitExceeded(limit: configuration.maximumStreamCount)
        }
        guard outboundBacklog < configuration.maximumOutboundBacklogCount else {
            throw .outboundBacklogExceeded(limit: configuration.maximumOutboundBacklogCount)
        }
        guard nextOutboundStreamID <= UInt64(UInt32.max) else { throw .streamIDsExhausted }
        let id = UInt32(nextOutboundStreamID)
        nextOutboundStreamID += 2
        var stream = Stream(sendWindow: YamuxConfiguration.initialWindowByteCount,
                            receiveWindow: configuration.receiveWindowByteCount)
        stream.isAwaitingAcknowledgement = true
        streams[id] = stream
        outboundBacklog += 1
        return (id, [.send(.windowUpdate(streamID: id, flags: .syn, delta: extraWindowGrant))])
    }

    /// Accepts an inbound stream announced by `.streamOpened`, sending WindowUpdate+ACK.
    ///
    /// Does nothing if the stream is already accepted or gone (the peer may have reset it meanwhile).
    public mutating func accept(streamID: UInt32) -> [YamuxAction] {
        var actions: [YamuxAction] = []
        acceptIfNeeded(streamID, into: &actions)
        return actions
    }

    /// The outcome of `write`: how many bytes were taken, and the Data frames carrying them.
    public struct WriteResult: Sendable, Equatable {
        /// The number of leading bytes taken (at most the send window); write the rest after `.streamWritable`.
        public let acceptedByteCount: Int
        /// The actions to perform (an ACK for an unaccepted stream, then Data frames).
        public let actions: [YamuxAction]
    }

    /// Writes as much of `data` as the peer's window allows, in Data frames of at most
    /// `maximumOutboundFramePayloadByteCount` bytes.
    /// - Throws: `YamuxError.sessionFailed`, `.unknownStream` (never opened, closed or reset) or
    ///   `.streamClosedForWriting` (we already sent FIN).
    public mutating func write(_ data: ArraySlice<UInt8>, streamID: UInt32) throws(YamuxError) -> WriteResult {
        if let failure { throw .sessionFailed(cause: failure) }
        guard let stream = streams[streamID] else { throw .unknownStream(streamID: streamID) }
        guard !stream.isLocallyClosed else { throw .streamClosedForWriting(streamID: streamID) }
        var actions: [YamuxAction] = []
        acceptIfNeeded(streamID, into: &actions)
        let count = min(data.count, stream.sendWindow)
        var offset = data.startIndex
        let end = data.startIndex + count
        while offset < end {
            let next = min(offset + configuration.maximumOutboundFramePayloadByteCount, end)
            actions.append(.send(.data(streamID: streamID, payload: Array(data[offset..<next]))))
            offset = next
        }
        streams[streamID]?.sendWindow -= count
        return WriteResult(acceptedByteCount: count, actions: actions)
    }

    /// Writes as much of `data` as the peer's window allows (see `write(_:streamID:)` for slices).
    public mutating func write(_ data: [UInt8], streamID: UInt32) throws(YamuxError) -> WriteResult {
        try write(data[...], streamID: streamID)
    }

    /// Half-closes our direction of the stream with a WindowUpdate+FIN; the peer may still send.
    ///
    /// Does nothing if the stream is gone or already closed for writing.
    public mutating func close(streamID: UInt32) -> [YamuxAction] {
        guard failure == nil, let stream = streams[streamID], !stream.isLocallyClosed else { return [] }
        var actions: [YamuxAction] = []
        acceptIfNeeded(streamID, into: &actions)
        actions.append(.send(.windowUpdate(streamID: streamID, flags: .fin, delta: 0)))
        streams[streamID]?.isLocallyClosed = true
        if stream.isRemotelyClosed {
            removeStream(streamID)
            actions.append(.streamClosed(streamID: streamID))
        }
        return actions
    }

    /// Resets the stream at once with a WindowUpdate+RST and releases its state.
    public mutating func reset(streamID: UInt32) -> [YamuxAction] {
        guard failure == nil, streams[streamID] != nil else { return [] }
        removeStream(streamID)
        return [.send(.windowUpdate(streamID: streamID, flags: .rst, delta: 0))]
    }

    /// Records that the application consumed `byteCount` delivered bytes of the stream; once half the receive
    /// window has been consumed, returns a WindowUpdate granting it back to the peer.
    public mutating func consumed(streamID: UInt32, byteCount: Int) -> [YamuxAction] {
        guard failure == nil, streams[streamID] != nil else { return [] }
        var actions: [YamuxAction] = []
        // Consuming implies acceptance; accepting first also grants any window above 256 KiB.
        acceptIfNeeded(streamID, into: &actions)
        guard var stream = streams[streamID] else { return actions }
        precondition(byteCount >= 0 && byteCount <= stream.unconsumedByteCount,
                     "consumed more bytes than were delivered on the stream")
        stream.unconsumedByteCount -= byteCount
        stream.ungrantedByteCount += byteCount
        guard !stream.isRemotelyClosed, stream.ungrantedByteCount >= configuration.receiveWindowByteCount / 2 else {
            streams[streamID] = stream
            return actions
        }
        actions.append(.send(.windowUpdate(streamID: streamID, delta: UInt32(stream.ungrantedByteCount))))
        stream.receiveWindow += stream.ungrantedByteCount
        stream.ungrantedByteCount = 0
        streams[streamID] = stream
        return actions
    }

    /// The keep-alive timer fired: sends a Ping SYN when none is outstanding. A ping stays outstanding
    /// while frames keep arriving (traffic proves the peer alive, as in go-yamux v4); the session fails
    /// with `.pingTimeout` once `silentRoundLimit` rounds in a row pass with the ping unanswered and
    /// nothing received at all.
    public mutating func pingTimerFired(silentRoundLimit: Int = 1) -> [YamuxAction] {
        guard failure == nil else { return [] }
        var actions: [YamuxAction] = []
        let heardFromPeer = hasReceivedSinceKeepAliveRound
        hasReceivedSinceKeepAliveRound = false
        if outstandingPing != nil {
            silentKeepAliveRounds = heardFromPeer ? 0 : silentKeepAliveRounds + 1
            if silentKeepAliveRounds >= max(1, silentRoundLimit) {
                fail(.pingTimeout, goAway: nil, into: &actions)
            }
            return actions
        }
        silentKeepAliveRounds = 0
        let opaque = nextPingOpaque
        nextPingOpaque &+= 1
        outstandingPing = opaque
        return [.send(.ping(flags: .syn, opaque: opaque))]
    }

    /// Starts a graceful shutdown: sends GoAway(normal); existing streams continue, new ones are refused.
    public mutating func goAway() -> [YamuxAction] {
        guard failure == nil, !hasSentGoAway else { return [] }
        hasSentGoAway = true
        return [.send(.goAway(.normal))]
    }

    // MARK: - Helpers

    /// The WindowUpdate delta sent with SYN or ACK to raise the window from 256 KiB to our receive window.
    var extraWindowGrant: UInt32 {
        UInt32(configuration.receiveWindowByteCount - YamuxConfiguration.initialWindowByteCount)
    }

    mutating func acceptIfNeeded(_ streamID: UInt32, into actions: inout [YamuxAction]) {
        guard failure == nil, var stream = streams[streamID], stream.isAwaitingAccept else { return }
        stream.isAwaitingAccept = false
        stream.receiveWindow += Int(extraWindowGrant)
        streams[streamID] = stream
        inboundBacklog -= 1
        actions.append(.send(.windowUpdate(streamID: streamID, flags: .ack, delta: extraWindowGrant)))
    }

    mutating func removeStream(_ streamID: UInt32) {
        guard let stream = streams.removeValue(forKey: streamID) else { return }
        if stream.isAwaitingAccept { inboundBacklog -= 1 }
        if stream.isAwaitingAcknowledgement { outboundBacklog -= 1 }
    }

    mutating func fail(_ error: YamuxError, goAway code: YamuxFrame.GoAwayCode?, into actions: inout [YamuxAction]) {
        if let code, !hasSentGoAway { actions.append(.send(.goAway(code))) }
        hasSentGoAway = true
        failure = error
        streams.removeAll()
        inboundBacklog = 0
        outboundBacklog = 0
        actions.append(.sessionFailed(error))
    }
}
