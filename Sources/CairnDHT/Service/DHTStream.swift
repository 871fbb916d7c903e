import CairnCore
import CairnNet

/// The byte stream the DHT's stream code needs: `LibP2PStream` in the node, in-memory pipes in tests.
public protocol DHTStream: Sendable {
    /// The binary peer ID of the authenticated peer at the other end.
    var remotePeerIDBytes: [UInt8] { get }
    /// The next chunk of bytes, or nil at the end of the stream.
    func read() async throws -> [UInt8]?
    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) async throws
    /// Half-closes the stream: the peer reads its end.
    func closeWrite() async
    /// Aborts the stream at once; pending reads and writes fail.
    func reset() async
}

extension LibP2PStream: DHTStream {
    /// The binary form of `remotePeerID`.
    public var remotePeerIDBytes: [UInt8] { remotePeerID.bytes }
}

/// Length-prefixed DHT messages over a `DHTStream`: `uvarint(length) ‖ protobuf`, each direction bounded
/// by `maximumMessageByteCount`.
// @unchecked Sendable: the decoder is mutable, but a channel is used by one task at a time — its owner,
// or a child the owner awaits (a deadline race), never two at once — so no access can overlap.
final class DHTMessageChannel: @unchecked Sendable {
    let stream: any DHTStream
    private var decoder: DHTFrameDecoder

    init(stream: any DHTStream, configuration: DHTConfiguration) {
        self.stream = stream
        self.decoder = DHTFrameDecoder(configuration: configuration)
    }

    /// The next message, or nil when the stream ended cleanly between messages.
    /// - Throws: `DHTError` for a malformed, oversized or truncated frame, or `.streamFailed`.
    func receive() async throws(DHTError) -> DHTMessage? {
        while true {
            if let message = try decoder.nextMessage() { return message }
            let chunk: [UInt8]?
            do {
                chunk = try await stream.read()
            } catch {
                throw .streamFailed(reason: "\(error)")
            }
            guard let chunk else {
                try decoder.finish()
                return nil
            }
            decoder.append(chunk)
        }
    }

    /// Writes one framed message.
    /// - Throws: `DHTError.tooLarge` for a message over the limit (nothing is written), or `.streamFailed`.
    func send(_ message: DHTMessage) async throws(DHTError) {
        let body = message.encoded()
        let limit = decoder.configuration.maximumMessageByteCount
        guard body.count <= limit else { throw .tooLarge(context: "outgoing message", byteCount: body.count, limit: limit) }
        do {
            try await stream.write(Varint.encode(UInt64(body.count)) + body)
        } catch {
            throw .streamFailed(reason: "\(error)")
        }
    }
}
