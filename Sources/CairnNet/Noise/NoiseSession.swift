import CairnCrypto

/// An established libp2p Noise session: the authenticated remote identity and the two transport
/// cipher states, one per direction, each with its own nonce counter.
///
/// ``encrypt(_:)`` splits plaintext into frames of at most 65,519 bytes and returns the framed
/// wire bytes; ``decrypt(frameBody:)`` opens one frame body from ``NoiseFrameDecoder``. Any
/// error means the connection must be closed. AD is empty for transport messages.
public struct NoiseSession: Sendable {
    /// The remote's peer ID, proven by its signature over its Noise static key.
    public let remotePeerID: PeerID
    /// The remote's libp2p identity key.
    public let remotePublicKey: PublicKey
    /// The extensions the remote sent, if any (kubo sends its stream muxers).
    public let remoteExtensions: NoiseExtensions?
    /// The final handshake hash (channel binding).
    public let handshakeHash: [UInt8]
    /// The cipher state for messages this side sends.
    public private(set) var sendCipher: NoiseCipherState
    /// The cipher state for messages this side receives.
    public private(set) var receiveCipher: NoiseCipherState

    /// Creates a session from a completed handshake's parts.
    init(remotePeerID: PeerID, remotePublicKey: PublicKey, remoteExtensions: NoiseExtensions?, handshakeHash: [UInt8],
         sendCipher: NoiseCipherState, receiveCipher: NoiseCipherState) {
        self.remotePeerID = remotePeerID
        self.remotePublicKey = remotePublicKey
        self.remoteExtensions = remoteExtensions
        self.handshakeHash = handshakeHash
        self.sendCipher = sendCipher
        self.receiveCipher = receiveCipher
    }

    /// Encrypts `plaintext` into as many frames as needed (none for empty input) and returns the wire bytes.
    /// - Throws: `.nonceExhausted` when the send counter runs out.
    public mutating func encrypt(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(plaintext.count + (plaintext.count / NoiseFrame.maximumPlaintextByteCount + 1) * 18)
        var offset = 0
        while offset < plaintext.count {
            let end = min(offset + NoiseFrame.maximumPlaintextByteCount, plaintext.count)
            let ciphertext = try sendCipher.encrypt(associatedData: [], plaintext: Array(plaintext[offset..<end]))
            output += try NoiseFrame.encode(ciphertext)
            offset = end
        }
        return output
    }

    /// Decrypts one frame body (ciphertext ‖ tag).
    /// - Throws: `.messageTooShort` under 16 bytes, `.decryptionFailed` for a tampered, reordered
    ///   or replayed frame, `.nonceExhausted`.
    public mutating func decrypt(frameBody: [UInt8]) throws(NoiseError) -> [UInt8] {
        try receiveCipher.decrypt(associatedData: [], ciphertext: frameBody, context: "Noise transport frame")
    }
}
