/// A complete libp2p Noise handshake transcript produced once by an independent implementation
/// (Python `cryptography`: X25519, ChaCha20-Poly1305, HMAC-SHA256 HKDF, Ed25519; the script is
/// described in `docs/specs/noise.md`). Identities are Ed25519 keys with seeds 01…01 (initiator)
/// and 02…02 (responder); X25519 keys are the byte runs below; prologue empty; no extensions.
/// Messages are frame bodies (no length prefix). The transport messages are the first frame each
/// way: "/multistream/1.0.0\n" from the initiator and "/yamux/1.0.0\n" from the responder.
enum Libp2pNoiseTranscript {
    static let initiatorStatic = "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
    static let initiatorEphemeral = "303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f"
    static let responderStatic = "505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f"
    static let responderEphemeral = "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"
    static let message1 = "34e42d4af5ef94a07a3a84201b889d4cd1a743cb27b11b6a10438a8feb8e5847"
    static let message2 = "23b7bb8c91ae008711fb12846780bcdf1e065f821bdfec49f57e7c7dcd4c482327032a4bfa621b5f9208c691f1cc45b8e08661ec17e5244214054e80bf6b3ae499ed417497fad0b26b7498c9672039c030df8999bbce9bbcbf89fdde1f702ccfe63f46491da119de0ab6f25aacc19c05ab6d4c0c704c7725ec156fabe3cbd2a711aef7b6c2216a810630b0216953e942daf752355dbc640c500a0c4a8fb52aa88b549f6e759274761487f97053b4edeecade0a2dea7700ff3cab0b42928030a665c5aceeae492d5d"
    static let message3 = "98471a57b51f7c06f7eabfcd22fda267ce80fc43beb48c4be5cf91469161f9962fbb756ff753039584cfac5376869eaf6ed1eb6c4db2388ede14ad452e0c82607d6ceacd00c4d394954b6a22905db42fe1286e19320c834b0c1368039a76803567f9ee324144a89f4f9bce29a694bd17d0798f2b373e27254e9db62ceaf729284bf34715857bc9e6c892898639d8553db3d3ba62e5a3bd83a49639e375604d7b0230b4a79cf7aa84"
    static let handshakeHash = "a753f5338e31303b75671963f8494f90190c0b6444baba345765494e9f3ebd04"
    static let initiatorTransport = "14ef05a0edf3bf35c9474011bc269b0a52c19becaa817b94849b7abf5077b90199512b"
    static let responderTransport = "79bad993b7efd5b7bad9020473c0529b5c49bce258e6e296e1f56f1fac"
}
