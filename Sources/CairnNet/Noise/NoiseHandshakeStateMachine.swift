import CairnCrypto

/// What the owner of a ``NoiseHandshakeStateMachine`` must do after feeding it a message.
public enum NoiseHandshakeAction: Sendable {
    /// Write these framed bytes to the connection; the handshake continues.
    case send([UInt8])
    /// Write these framed bytes, then use the session: the handshake is complete (initiator, after message 2).
    case sendAndComplete([UInt8], NoiseSession)
    /// The handshake is complete; use the session (responder, after message 3).
    case complete(NoiseSession)
}

/// The libp2p Noise handshake (`/noise`) as a sans-IO state machine.
///
/// `Noise_XX_25519_ChaChaPoly_SHA256`, empty prologue, libp2p payloads:
/// ```
/// -> e                                  message 1, empty payload (32 bytes)
/// <- e, ee, s, es, payload(responder)   message 2
/// -> s, se, payload(initiator)          message 3
/// ```
/// Each payload carries the sender's identity key and its signature over
/// `"noise-libp2p-static-key:" ‖ its X25519 static key`; the receiver verifies it and, if it was
/// told whom it dialled, checks the peer ID. The owner writes the framed bytes returned by
/// ``start()`` and ``receive(frameBody:)`` and feeds it frame bodies from a ``NoiseFrameDecoder``.
/// Once any call throws, the state machine is failed and every later call throws.
/// See `docs/specs/noise.md`.
public struct NoiseHandshakeStateMachine: Sendable {
    /// The prefix of the message each side signs with its identity key.
    public static let staticKeySignaturePrefix: [UInt8] = Array("noise-libp2p-static-key:".utf8)
    /// libp2p uses an empty prologue.
    public static let prologue: [UInt8] = []

    private enum State: Sendable {
        case initiatorReady
        case initiatorAwaitingMessage2
        case responderAwaitingMessage1
        case responderAwaitingMessage3
        case complete
        case failed
    }

    private var handshake: NoiseHandshakeState
    private let identity: PrivateKey
    private let expectedRemotePeerID: PeerID?
    private var state: State

    /// Creates a handshake whose X25519 static and ephemeral keys come from `generator`.
    ///
    /// Production code passes a `SystemRandomNumberGenerator` (a CSPRNG) through the convenience
    /// initializer; tests pass a seeded generator to replay a handshake exactly.
    /// - Parameters:
    ///   - role: `.initiator` for the dialer, `.responder` for the listener.
    ///   - identity: this node's libp2p identity, used to sign the Noise static key.
    ///   - expectedRemotePeerID: the peer the dialer meant to reach (from `/p2p/…`); nil to accept any.
    public init<Generator: RandomNumberGenerator>(
        role: NoiseHandshakeState.Role, identity: PrivateKey, expectedRemotePeerID: PeerID? = nil, using generator: inout Generator
    ) {
        let staticKey = Self.randomKey(&generator)
        let ephemeralKey = Self.randomKey(&generator)
        guard let handshake = try? NoiseHandshakeState(role: role, prologue: Self.prologue, staticPrivateKey: staticKey, ephemeralPrivateKey: ephemeralKey) else {
            preconditionFailure("a 32-byte X25519 private key was rejected")
        }
        self.handshake = handshake
        self.identity = identity
        self.expectedRemotePeerID = expectedRemotePeerID
        self.state = role == .initiator ? .initiatorReady : .responderAwaitingMessage1
    }

    /// Creates a handshake with keys from the system's cryptographically secure random source.
    public init(role: NoiseHandshakeState.Role, identity: PrivateKey, expectedRemotePeerID: PeerID? = nil) {
        var generator = SystemRandomNumberGenerator()
        self.init(role: role, identity: identity, expectedRemotePeerID: expectedRemotePeerID, using: &generator)
    }

    /// This side's role.
    public var role: NoiseHandshakeState.Role { handshake.role }

    /// Whether the handshake finished successfully.
    public var isComplete: Bool { if case .complete = state { true } else { false } }

    /// Starts the handshake: the initiator gets framed message 1 to send, the responder nil (it waits).
    /// - Throws: `.unexpectedMessage` when called twice or after a failure.
    public mutating func start() throws(NoiseError) -> [UInt8]? {
        switch state {
        case .responderAwaitingMessage1:
            return nil
        case .initiatorReady:
            let frame = try failing { (machine: inout Self) throws(NoiseError) in
                try NoiseFrame.encode(try machine.handshake.writeMessage(payload: []))
            }
            state = .initiatorAwaitingMessage2
            return frame
        default:
            throw .unexpectedMessage(state: "\(state)")
        }
    }

    /// Processes one received handshake frame body and says what to do next.
    /// - Throws: any ``NoiseError``: malformed or tampered messages, a bad identity key or
    ///   signature, `.peerIDMismatch`, or `.unexpectedMessage` when no message is expected.
    public mutating func receive(frameBody: [UInt8]) throws(NoiseError) -> NoiseHandshakeAction {
        switch state {
        case .responderAwaitingMessage1:
            return try failing { (machine: inout Self) throws(NoiseError) in
                _ = try machine.handshake.readMessage(frameBody)
                let reply = try machine.handshake.writeMessage(payload: try machine.localPayload())
                machine.state = .responderAwaitingMessage3
                return .send(try NoiseFrame.encode(reply))
            }
        case .initiatorAwaitingMessage2:
            return try failing { (machine: inout Self) throws(NoiseError) in
                let payload = try machine.handshake.readMessage(frameBody)
                let remote = try machine.verifiedRemote(payload: payload)
                let reply = try NoiseFrame.encode(try machine.handshake.writeMessage(payload: try machine.localPayload()))
                machine.state = .complete
                return .sendAndComplete(reply, machine.session(remote))
            }
        case .responderAwaitingMessage3:
            return try failing { (machine: inout Self) throws(NoiseError) in
                let payload = try machine.handshake.readMessage(frameBody)
                let remote = try machine.verifiedRemote(payload: payload)
                machine.state = .complete
                return .complete(machine.session(remote))
            }
        case .initiatorReady, .complete, .failed:
            throw .unexpectedMessage(state: "\(state)")
        }
    }

    /// Runs `body`, moving to `.failed` if it throws so a broken handshake cannot be resumed.
    private mutating func failing<T>(_ body: (inout Self) throws(NoiseError) -> T) throws(NoiseError) -> T {
        do {
            return try body(&self)
        } catch {
            state = .failed
            throw error
        }
    }

    private func localPayload() throws(NoiseError) -> [UInt8] {
        let signature: [UInt8]
        do {
            signature = try identity.sign(Self.staticKeySignaturePrefix + handshake.localStaticPublicKey)
        } catch {
            throw .invalidIdentityKey(error)
        }
        return NoiseHandshakePayload(identityKey: identity.publicKey.protobufBytes, identitySignature: signature).protobufBytes
    }

    private struct VerifiedRemote {
        let publicKey: PublicKey
        let peerID: PeerID
        let extensions: NoiseExtensions?
    }

    private func verifiedRemote(payload bytes: [UInt8]) throws(NoiseError) -> VerifiedRemote {
        let payload = try NoiseHandshakePayload(protobufBytes: bytes)
        guard let remoteStatic = handshake.remoteStaticPublicKey else { throw .unexpectedMessage(state: "no remote static key") }
        let publicKey: PublicKey
        let isValid: Bool
        do {
            publicKey = try PublicKey(protobufBytes: payload.identityKey)
            isValid = try publicKey.isValidSignature(payload.identitySignature, for: Self.staticKeySignaturePrefix + remoteStatic)
        } catch {
            throw .invalidIdentityKey(error)
        }
        let peerID = publicKey.peerID
        guard isValid else { throw .invalidIdentitySignature(peer: peerID) }
        if let expectedRemotePeerID, expectedRemotePeerID != peerID {
            throw .peerIDMismatch(expected: expectedRemotePeerID, actual: peerID)
        }
        return VerifiedRemote(publicKey: publicKey, peerID: peerID, extensions: payload.extensions)
    }

    private func session(_ remote: VerifiedRemote) -> NoiseSession {
        let (sendCipher, receiveCipher) = handshake.split()
        return NoiseSession(remotePeerID: remote.peerID, remotePublicKey: remote.publicKey, remoteExtensions: remote.extensions,
                            handshakeHash: handshake.handshakeHash, sendCipher: sendCipher, receiveCipher: receiveCipher)
    }

    private static func randomKey<Generator: RandomNumberGenerator>(_ generator: inout Generator) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            withUnsafeBytes(of: generator.next().littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
}
