/// The libp2p payload carried in Noise handshake messages 2 and 3: the sender's identity key and
/// its signature binding that identity to the sender's Noise static key.
///
/// libp2p/specs `noise/README.md`:
/// ```
/// message NoiseHandshakePayload {
///   optional bytes identity_key = 1;            // serialized libp2p PublicKey protobuf
///   optional bytes identity_sig = 2;            // sign("noise-libp2p-static-key:" ‖ X25519 static key)
///   optional NoiseExtensions extensions = 4;
/// }
/// message NoiseExtensions {
///   repeated bytes webtransport_certhashes = 1;
///   repeated string stream_muxers = 2;
/// }
/// ```
/// Cairn sends no extensions (kubo then negotiates the muxer with multistream-select); it decodes
/// the extensions a peer sends so a later version can use them. See `docs/specs/noise.md`.
public struct NoiseHandshakePayload: Sendable, Equatable {
    /// The sender's serialized libp2p `PublicKey` (not the raw key).
    public var identityKey: [UInt8]
    /// The sender's signature over ``NoiseHandshakeStateMachine/staticKeySignaturePrefix`` ‖ its X25519 static key.
    public var identitySignature: [UInt8]
    /// The optional extensions; nil when absent.
    public var extensions: NoiseExtensions?

    /// Creates a payload.
    public init(identityKey: [UInt8], identitySignature: [UInt8], extensions: NoiseExtensions? = nil) {
        self.identityKey = identityKey
        self.identitySignature = identitySignature
        self.extensions = extensions
    }
}

/// The `NoiseExtensions` message of the libp2p handshake payload.
public struct NoiseExtensions: Sendable, Equatable {
    /// WebTransport certificate hashes (multihashes); unused by Cairn.
    public var webtransportCertificateHashes: [[UInt8]]
    /// Stream muxer protocol IDs in preference order (kubo sends `/yamux/1.0.0`, `/mplex/6.7.0`).
    public var streamMuxers: [String]

    /// Creates extensions.
    public init(webtransportCertificateHashes: [[UInt8]] = [], streamMuxers: [String] = []) {
        self.webtransportCertificateHashes = webtransportCertificateHashes
        self.streamMuxers = streamMuxers
    }
}
