import CairnCrypto

/// What an ``UpgradeStateMachine`` asks its owner to do after an event.
public enum UpgradeEvent: Sendable, Equatable {
    /// Write these bytes to the socket, in order (already Noise-encrypted once the handshake is done).
    case send([UInt8])
    /// The upgrade finished: Noise authenticated `remotePeerID` and the yamux session is running.
    case upgraded(remotePeerID: PeerID)
    /// A yamux event for the owner (every yamux `.send` has already been turned into a `.send` event).
    case yamux(YamuxAction)
    /// The connection failed; close the socket. No further events follow.
    case failed(ConnectionError)
}

/// The libp2p connection upgrade over a raw byte stream, as a sans-IO state machine: socket bytes in,
/// socket bytes and events out.
///
/// The phases, exactly as kubo 0.22 expects them (`docs/specs/connection.md`):
/// 1. multistream-select `/noise` on the raw socket (the listener answers `na` to
///    `/libp2p/simultaneous-connect` and to anything else it does not speak);
/// 2. the Noise XX handshake, with no extensions, so the muxer is negotiated next;
/// 3. multistream-select `/yamux/1.0.0` inside Noise;
/// 4. a yamux session: the dialer is the client (odd stream IDs), the listener the server.
///
/// Bytes the peer pipelines after a negotiated protocol line are handed to the next phase. After the
/// upgrade, the stream operations (`openStream`, `write`, …) return events whose yamux frames are already
/// encrypted. Any error moves the machine to a failed state; it then ignores input.
public struct UpgradeStateMachine: Sendable {
    /// Which side of the connection this is.
    public enum Role: Sendable, Equatable {
        /// The side that connected: multistream dialer, Noise initiator, yamux client.
        case dialer
        /// The side that accepted: multistream listener, Noise responder, yamux server.
        case listener
    }

    /// The security protocol ID negotiated on the raw socket.
    public static let securityProtocol = "/noise"
    /// The muxer protocol ID negotiated inside Noise.
    public static let muxerProtocol = "/yamux/1.0.0"

    private enum Phase: Sendable {
        case idle
        case securityDialer(MultistreamDialerStateMachine)
        case securityListener(MultistreamListenerStateMachine)
        case handshake
        case muxerDialer(MultistreamDialerStateMachine)
        case muxerListener(MultistreamListenerStateMachine)
        case muxing(YamuxSessionStateMachine)
        case failed
    }

    /// This side's role.
    public let role: Role
    /// The limits in force.
    public let configuration: ConnectionConfiguration
    private var phase: Phase = .idle
    private var handshake: NoiseHandshakeStateMachine
    private var session: NoiseSession?
    private var frameDecoder = NoiseFrameDecoder()

    /// Creates the upgrade for `role`.
    /// - Parameters:
    ///   - identity: this node's key; it signs the Noise static key.
    ///   - expectedRemotePeerID: the peer a dialer means to reach (from `/p2p/…`); a different peer fails
    ///     the upgrade with `.noise(.peerIDMismatch)`. Nil accepts any peer (listeners).
    public init(role: Role, identity: PrivateKey, expectedRemotePeerID: PeerID? = nil,
                configuration: ConnectionConfiguration = .default) {
        self.role = role
        self.configuration = configuration
        self.handshake = NoiseHandshakeStateMachine(
            role: role == .dialer ? .initiator : .responder, identity: identity, expectedRemotePeerID: expectedRemotePeerID)
    }

    /// The authenticated remote peer, once the Noise handshake is complete.
    public var remotePeerID: PeerID? { session?.remotePeerID }

    /// Whether the yamux session is running.
    public var isUpgraded: Bool { if case .muxing = phase { true } else { false } }

    /// Starts the upgrade: the dialer gets its multistream header and `/noise` proposal to send.
    public mutating func start() -> [UpgradeEvent] {
        guard case .idle = phase else { preconditionFailure("start() called twice") }
        switch role {
        case .dialer:
            do {
                var dialer = try MultistreamDialerStateMachine(protocols: [Self.securityProtocol], configuration: configuration.multistream)
                let actions = dialer.start()
                phase = .securityDialer(dialer)
                var events: [UpgradeEvent] = []
                handleSecurity(actions, into: &events)
                return events
            } catch {
                return fail(.multistream(error))
            }
        case .listener:
            phase = .securityListener(MultistreamListenerStateMachine(
                supportedProtocols: [Self.securityProtocol], configuration: configuration.multistream))
            return []
        }
    }

    /// Handles bytes read from the socket.
    public mutating func receive(_ bytes: [UInt8]) -> [UpgradeEvent] {
        var events: [UpgradeEvent] = []
        switch phase {
        case .idle: preconditionFailure("receive(_:) before start()")
        case .failed: return []
        case .securityDialer(var dialer):
            let actions = dialer.receive(bytes)
            phase = .securityDialer(dialer)
            handleSecurity(actions, into: &events)
        case .securityListener(var listener):
            let actions = listener.receive(bytes)
            phase = .securityListener(listener)
            handleSecurity(actions, into: &events)
        case .handshake, .muxerDialer, .muxerListener, .muxing:
            receiveFrames(bytes, into: &events)
        }
        return events
    }

    /// Handles the end of the socket's input.
    public mutating func endOfInput() -> [UpgradeEvent] {
        switch phase {
        case .idle, .failed: return []
        case .muxing(var yamux):
            let actions = yamux.endOfInput()
            phase = .muxing(yamux)
            var events: [UpgradeEvent] = []
            translate(actions, into: &events)
            return events
        case .securityDialer, .securityListener: return fail(.closedDuringUpgrade(phase: "security negotiation"))
        case .handshake: return fail(.closedDuringUpgrade(phase: "the Noise handshake"))
        case .muxerDialer, .muxerListener: return fail(.closedDuringUpgrade(phase: "muxer negotiation"))
        }
    }

    // MARK: - Phase transitions

    private mutating func handleSecurity(_ actions: [MultistreamAction], into events: inout [UpgradeEvent]) {
        for action in actions {
            switch action {
            case .send(let bytes): events.append(.send(bytes))
            case .failed(let error): events += fail(.multistream(error))
            case .negotiated(_, let leftover): beginHandshake(leftover: leftover, into: &events)
            }
        }
    }

    private mutating func beginHandshake(leftover: [UInt8], into events: inout [UpgradeEvent]) {
        do {
            if let first = try handshake.start() { events.append(.send(first)) }
        } catch {
            events += fail(.noise(error))
            return
        }
        phase = .handshake
        if !leftover.isEmpty { receiveFrames(leftover, into: &events) }
    }

    /// Reassembles Noise frames and routes each to the handshake or, once it is done, decrypts it.
    private mutating func receiveFrames(_ bytes: [UInt8], into events: inout [UpgradeEvent]) {
        do {
            try frameDecoder.append(bytes)
        } catch {
            events += fail(.noise(error))
            return
        }
        while let body = frameDecoder.nextFrame() {
            if case .failed = phase { return }
            if case .handshake = phase {
                handshakeFrame(body, into: &events)
                continue
            }
            guard var established = session else { preconditionFailure("transport frame without a Noise session") }
            let plaintext: [UInt8]
            do {
                plaintext = try established.decrypt(frameBody: body)
            } catch {
                events += fail(.noise(error))
                return
            }
            session = established
            receivePlaintext(plaintext, into: &events)
        }
    }

    private mutating func handshakeFrame(_ body: [UInt8], into events: inout [UpgradeEvent]) {
        let action: NoiseHandshakeAction
        do {
            action = try handshake.receive(frameBody: body)
        } catch {
            events += fail(.noise(error))
            return
        }
        switch action {
        case .send(let reply):
            events.append(.send(reply))
        case .sendAndComplete(let reply, let established):
            events.append(.send(reply))
            session = established
            beginMuxerNegotiation(into: &events)
        case .complete(let established):
            session = established
            beginMuxerNegotiation(into: &events)
        }
    }

    private mutating func beginMuxerNegotiation(into events: inout [UpgradeEvent]) {
        switch role {
        case .dialer:
            do {
                var dialer = try MultistreamDialerStateMachine(protocols: [Self.muxerProtocol], configuration: configuration.multistream)
                let actions = dialer.start()
                phase = .muxerDialer(dialer)
                handleMuxer(actions, into: &events)
            } catch {
                events += fail(.multistream(error))
            }
        case .listener:
            phase = .muxerListener(MultistreamListenerStateMachine(
                supportedProtocols: [Self.muxerProtocol], configuration: configuration.multistream))
        }
    }

    private mutating func receivePlaintext(_ plaintext: [UInt8], into events: inout [UpgradeEvent]) {
        switch phase {
        case .muxerDialer(var dialer):
            let actions = dialer.receive(plaintext)
            phase = .muxerDialer(dialer)
            handleMuxer(actions, into: &events)
        case .muxerListener(var listener):
            let actions = listener.receive(plaintext)
            phase = .muxerListener(listener)
            handleMuxer(actions, into: &events)
        case .muxing(var yamux):
            let actions = yamux.receive(plaintext)
            phase = .muxing(yamux)
            translate(actions, into: &events)
        case .idle, .securityDialer, .securityListener, .handshake, .failed:
            preconditionFailure("plaintext outside the muxer phases")
        }
    }

    private mutating func handleMuxer(_ actions: [MultistreamAction], into events: inout [UpgradeEvent]) {
        for action in actions {
            switch action {
            case .send(let bytes): sendEncrypted(bytes, into: &events)
            case .failed(let error): events += fail(.multistream(error))
            case .negotiated(_, let leftover):
                guard let established = session else { preconditionFailure("muxer negotiated without a Noise session") }
                phase = .muxing(YamuxSessionStateMachine(role: role == .dialer ? .client : .server,
                                                         configuration: configuration.yamux))
                events.append(.upgraded(remotePeerID: established.remotePeerID))
                if !leftover.isEmpty { receivePlaintext(leftover, into: &events) }
            }
        }
    }

    // MARK: - Output

    private mutating func sendEncrypted(_ plaintext: [UInt8], into events: inout [UpgradeEvent]) {
        guard var established = session else { preconditionFailure("encrypting without a Noise session") }
        do {
            let wire = try established.encrypt(plaintext)
            session = established
            if !wire.isEmpty { events.append(.send(wire)) }
        } catch {
            events += fail(.noise(error))
        }
    }

    /// Turns yamux actions into events: consecutive frames to send are encoded and encrypted together.
    mutating func translate(_ actions: [YamuxAction], into events: inout [UpgradeEvent]) {
        var pending: [UInt8] = []
        for action in actions {
            if case .send(let frame) = action {
                frame.encode(into: &pending)
                continue
            }
            if !pending.isEmpty {
                sendEncrypted(pending, into: &events)
                pending.removeAll(keepingCapacity: true)
            }
            if case .sessionFailed(let error) = action {
                events += fail(.yamux(error))
                return
            }
            events.append(.yamux(action))
        }
        if !pending.isEmpty { sendEncrypted(pending, into: &events) }
    }

    // MARK: - Session access for stream operations

    /// Runs a yamux operation that returns a value and actions; the actions become events.
    mutating func withSession<T>(
        _ body: (inout YamuxSessionStateMachine) throws(YamuxError) -> (T, [YamuxAction])
    ) throws(ConnectionError) -> (T, [UpgradeEvent]) {
        guard case .muxing(var yamux) = phase else {
            if case .failed = phase { throw .connectionClosed(reason: "the connection failed") }
            throw .notUpgraded
        }
        let value: T
        let actions: [YamuxAction]
        do {
            (value, actions) = try body(&yamux)
        } catch {
            phase = .muxing(yamux)
            throw .yamux(error)
        }
        phase = .muxing(yamux)
        var events: [UpgradeEvent] = []
        translate(actions, into: &events)
        return (value, events)
    }

    /// Runs a yamux operation that cannot fail; does nothing unless the session is running.
    mutating func sessionEvents(_ body: (inout YamuxSessionStateMachine) -> [YamuxAction]) -> [UpgradeEvent] {
        guard case .muxing(var yamux) = phase else { return [] }
        let actions = body(&yamux)
        phase = .muxing(yamux)
        var events: [UpgradeEvent] = []
        translate(actions, into: &events)
        return events
    }

    private mutating func fail(_ error: ConnectionError) -> [UpgradeEvent] {
        if case .failed = phase { return [] }
        phase = .failed
        return [.failed(error)]
    }
}
