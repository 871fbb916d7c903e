import CairnCrypto

/// Every way a Noise handshake, frame or transport message can fail.
///
/// A remote peer can cause any of these; none of them traps. After any error the handshake or
/// session must be discarded and the connection closed.
public enum NoiseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A frame body would exceed the 2-byte length prefix's limit.
    case frameTooLarge(byteCount: Int, limit: Int)
    /// More bytes were buffered without being consumed as frames than the decoder allows.
    case bufferLimitExceeded(byteCount: Int, limit: Int)
    /// A handshake or transport message is shorter than its fixed parts; `context` names it.
    case messageTooShort(context: String, byteCount: Int, minimum: Int)
    /// AEAD authentication failed: the message was tampered with, truncated or used the wrong key.
    case decryptionFailed(context: String)
    /// A cipher state used all 2^64 − 1 nonces; the session must be closed.
    case nonceExhausted
    /// A remote X25519 key is not usable (for example a low-order point giving an all-zero secret).
    case invalidRemoteKey(context: String)
    /// A local X25519 private key passed to the handshake is not 32 bytes (a caller bug, reported rather than trapped).
    case invalidLocalKey(byteCount: Int)
    /// The libp2p handshake payload protobuf is malformed or lacks a required field.
    case malformedPayload(reason: String)
    /// The payload's identity key does not decode, or is of a type Cairn cannot verify.
    case invalidIdentityKey(CryptoError)
    /// The payload's signature over the remote's Noise static key does not verify.
    case invalidIdentitySignature(peer: PeerID)
    /// The remote proved an identity other than the one the dialer asked for.
    case peerIDMismatch(expected: PeerID, actual: PeerID)
    /// A message arrived, or was requested, when the handshake was not expecting one.
    case unexpectedMessage(state: String)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .frameTooLarge(let count, let limit): "Noise frame of \(count) bytes is over the limit of \(limit)"
        case .bufferLimitExceeded(let count, let limit): "\(count) bytes buffered waiting for Noise frames, over the limit of \(limit)"
        case .messageTooShort(let context, let count, let minimum): "\(context) is \(count) bytes, shorter than the minimum \(minimum)"
        case .decryptionFailed(let context): "Noise decryption failed for \(context)"
        case .nonceExhausted: "Noise nonce exhausted; the session must be closed"
        case .invalidRemoteKey(let context): "unusable remote X25519 key in \(context)"
        case .invalidLocalKey(let count): "local X25519 private key is \(count) bytes, expected 32"
        case .malformedPayload(let reason): "malformed Noise handshake payload: \(reason)"
        case .invalidIdentityKey(let error): "invalid identity key in Noise payload: \(error)"
        case .invalidIdentitySignature(let peer): "peer \(peer) did not sign its Noise static key correctly"
        case .peerIDMismatch(let expected, let actual): "expected peer \(expected) but the remote is \(actual)"
        case .unexpectedMessage(let state): "unexpected Noise handshake message in state \(state)"
        }
    }
}
