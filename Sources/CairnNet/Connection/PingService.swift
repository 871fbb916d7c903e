/// The libp2p ping protocol (`/ipfs/ping/1.0.0`) responder: echoes each 32-byte payload until the
/// stream ends.
public enum PingService {
    /// The protocol ID.
    public static let protocolID = "/ipfs/ping/1.0.0"
    /// The size of one ping payload in bytes; the spec fixes it at 32.
    public static let payloadByteCount = 32
    /// The most inbound ping streams one peer may hold open at once (the spec's advice: 2).
    public static let maximumInboundStreamCount = 2

    /// Echoes 32-byte payloads on `stream` until the peer closes or resets it, then closes our side.
    public static func serve(_ stream: LibP2PStream) async {
        do {
            while true {
                let payload = try await stream.read(exactly: payloadByteCount)
                guard payload.count == payloadByteCount else { break }
                try await stream.write(payload)
            }
            await stream.closeWrite()
        } catch {
            await stream.reset()
        }
    }
}
