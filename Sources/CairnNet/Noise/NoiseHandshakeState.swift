import Crypto

/// The generic Noise `HandshakeState` for `Noise_XX_25519_ChaChaPoly_SHA256`, without libp2p's
/// payload rules (those live in ``NoiseHandshakeStateMachine``).
///
/// ```
/// XX:
///   -> e
///   <- e, ee, s, es
///   -> s, se
/// ```
/// Keys are injected as raw 32-byte X25519 private keys so the published cacophony vectors can be
/// replayed exactly. Messages are unframed; each must fit in one 65,535-byte frame.
public struct NoiseHandshakeState: Sendable {
    /// Which side of the handshake this is.
    public enum Role: Sendable, Equatable {
        /// The dialer: writes messages 1 and 3.
        case initiator
        /// The listener: writes message 2.
        case responder
    }

    /// The Noise protocol name; exactly 32 bytes, so it is used as `h` without hashing.
    public static let protocolName = "Noise_XX_25519_ChaChaPoly_SHA256"
    /// The X25519 public key length in bytes (`DHLEN`).
    public static let publicKeyByteCount = 32
    /// The largest handshake message, in bytes: one Noise frame.
    public static let maximumMessageByteCount = 65535
    /// The number of messages in the XX pattern.
    public static let messageCount = 3

    /// This side's role.
    public let role: Role
    private var symmetric: NoiseSymmetricState
    private let staticKey: Curve25519.KeyAgreement.PrivateKey
    private let ephemeralKey: Curve25519.KeyAgreement.PrivateKey
    private var remoteEphemeral: Curve25519.KeyAgreement.PublicKey?
    private var remoteStatic: Curve25519.KeyAgreement.PublicKey?
    /// How many handshake messages have been written or read (0 through 3).
    public private(set) var messageIndex = 0

    /// Creates a handshake with this side's static and ephemeral X25519 private keys (32 bytes each).
    /// - Throws: `.invalidLocalKey` if a key is not 32 bytes (a programmer error in practice).
    public init(role: Role, prologue: [UInt8], staticPrivateKey: [UInt8], ephemeralPrivateKey: [UInt8]) throws(NoiseError) {
        for key in [staticPrivateKey, ephemeralPrivateKey] where key.count != Self.publicKeyByteCount {
            throw .invalidLocalKey(byteCount: key.count)
        }
        do {
            self.staticKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: staticPrivateKey)
            self.ephemeralKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: ephemeralPrivateKey)
        } catch {
            throw .invalidLocalKey(byteCount: staticPrivateKey.count)
        }
        self.role = role
        self.symmetric = NoiseSymmetricState(protocolName: Array(Self.protocolName.utf8))
        symmetric.mixHash(prologue)
    }

    /// This side's static X25519 public key.
    public var localStaticPublicKey: [UInt8] { Array(staticKey.publicKey.rawRepresentation) }
    /// The remote's static X25519 public key, known after message 2 (initiator) or 3 (responder).
    public var remoteStaticPublicKey: [UInt8]? { remoteStatic.map { Array($0.rawRepresentation) } }
    /// Whether all three messages have been processed.
    public var isComplete: Bool { messageIndex == Self.messageCount }
    /// The handshake hash `h` (channel binding; final once complete).
    public var handshakeHash: [UInt8] { symmetric.handshakeHash }
    /// Whether it is this side's turn to write the next message.
    public var isWriteTurn: Bool { !isComplete && (messageIndex % 2 == 0) == (role == .initiator) }

    /// Writes the next handshake message carrying `payload` (encrypted once a key exists).
    /// - Throws: `.unexpectedMessage` when it is not this side's turn, `.frameTooLarge` when the
    ///   message would not fit in a frame, `.invalidRemoteKey` for a low-order remote key.
    public mutating func writeMessage(payload: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard isWriteTurn else { throw .unexpectedMessage(state: "write of message \(messageIndex + 1) by the \(role)") }
        var message: [UInt8] = []
        switch messageIndex {
        case 0:
            message += writeEphemeral()
        case 1:
            message += writeEphemeral()
            try mixDH(ephemeralKey, remoteEphemeral, "ee")
            message += try symmetric.encryptAndHash(localStaticPublicKey)
            try mixDH(staticKey, remoteEphemeral, "es")
        default:
            message += try symmetric.encryptAndHash(localStaticPublicKey)
            try mixDH(staticKey, remoteEphemeral, "se")
        }
        message += try symmetric.encryptAndHash(payload)
        guard message.count <= Self.maximumMessageByteCount else {
            throw .frameTooLarge(byteCount: message.count, limit: Self.maximumMessageByteCount)
        }
        messageIndex += 1
        return message
    }

    /// Reads the next handshake message from the remote and returns its decrypted payload.
    /// - Throws: `.unexpectedMessage` out of turn, `.frameTooLarge`, `.messageTooShort`,
    ///   `.decryptionFailed` for a tampered message, `.invalidRemoteKey` for a low-order key.
    public mutating func readMessage(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard !isComplete, !isWriteTurn else { throw .unexpectedMessage(state: "read of message \(messageIndex + 1) by the \(role)") }
        guard message.count <= Self.maximumMessageByteCount else {
            throw .frameTooLarge(byteCount: message.count, limit: Self.maximumMessageByteCount)
        }
        let context = "Noise handshake message \(messageIndex + 1)"
        var rest = message[...]
        switch messageIndex {
        case 0:
            remoteEphemeral = try readEphemeral(&rest, context: context)
        case 1:
            remoteEphemeral = try readEphemeral(&rest, context: context)
            try mixDH(ephemeralKey, remoteEphemeral, "ee")
            remoteStatic = try readStatic(&rest, context: context)
            try mixDH(ephemeralKey, remoteStatic, "es")
        default:
            remoteStatic = try readStatic(&rest, context: context)
            try mixDH(ephemeralKey, remoteStatic, "se")
        }
        let payload = try symmetric.decryptAndHash(Array(rest), context: "\(context) payload")
        messageIndex += 1
        return payload
    }

    /// `Split()` into the transport cipher states, sending first: the initiator sends with the
    /// first HKDF output, the responder with the second.
    /// - Precondition: the handshake is complete.
    public func split() -> (sender: NoiseCipherState, receiver: NoiseCipherState) {
        precondition(isComplete, "split() before the Noise handshake completed")
        let (initiatorToResponder, responderToInitiator) = symmetric.split()
        return role == .initiator ? (initiatorToResponder, responderToInitiator) : (responderToInitiator, initiatorToResponder)
    }

    private mutating func writeEphemeral() -> [UInt8] {
        let publicKey = Array(ephemeralKey.publicKey.rawRepresentation)
        symmetric.mixHash(publicKey)
        return publicKey
    }

    private mutating func readEphemeral(_ rest: inout ArraySlice<UInt8>, context: String) throws(NoiseError) -> Curve25519.KeyAgreement.PublicKey {
        guard rest.count >= Self.publicKeyByteCount else {
            throw .messageTooShort(context: context, byteCount: rest.count, minimum: Self.publicKeyByteCount)
        }
        let bytes = Array(rest.prefix(Self.publicKeyByteCount))
        rest = rest.dropFirst(Self.publicKeyByteCount)
        symmetric.mixHash(bytes)
        return try Self.publicKey(bytes, context: context)
    }

    private mutating func readStatic(_ rest: inout ArraySlice<UInt8>, context: String) throws(NoiseError) -> Curve25519.KeyAgreement.PublicKey {
        let length = Self.publicKeyByteCount + NoiseCipherState.tagByteCount
        guard rest.count >= length else { throw .messageTooShort(context: context, byteCount: rest.count, minimum: length) }
        let ciphertext = Array(rest.prefix(length))
        rest = rest.dropFirst(length)
        let bytes = try symmetric.decryptAndHash(ciphertext, context: "\(context) static key")
        return try Self.publicKey(bytes, context: context)
    }

    /// Performs DH(local, remote) and mixes it in; `token` names the pattern token for errors.
    private mutating func mixDH(_ local: Curve25519.KeyAgreement.PrivateKey, _ remote: Curve25519.KeyAgreement.PublicKey?, _ token: String) throws(NoiseError) {
        guard let remote else { throw .unexpectedMessage(state: "\(token) without a remote key") }
        let secret: [UInt8]
        do {
            secret = try local.sharedSecretFromKeyAgreement(with: remote).withUnsafeBytes { Array($0) }
        } catch {
            throw .invalidRemoteKey(context: "DH \(token)")
        }
        guard secret.contains(where: { $0 != 0 }) else { throw .invalidRemoteKey(context: "DH \(token) gave an all-zero secret") }
        symmetric.mixKey(secret)
    }

    private static func publicKey(_ bytes: [UInt8], context: String) throws(NoiseError) -> Curve25519.KeyAgreement.PublicKey {
        do {
            return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
        } catch {
            throw .invalidRemoteKey(context: context)
        }
    }
}
