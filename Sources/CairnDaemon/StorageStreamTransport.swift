import CairnCore
import CairnCrypto
import CairnNet
import CairnStorage
import Foundation
import Logging

/// The storage protocol over libp2p streams: one stream per request; the asker writes one uvarint
/// length-prefixed request and half-closes, the answerer writes one length-prefixed response.
struct StorageStreamTransport: StorageTransport {
    let network: any PeerNetwork

    func request(_ request: StorageRequest, to peer: PeerID, timeout: Duration) async throws(StorageTransportError) -> StorageResponse {
        let outcome: Result<StorageResponse, StorageTransportError> = await withTaskGroup(of: Result<StorageResponse, StorageTransportError>?.self) { group in
            group.addTask { await exchange(request, with: peer) }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .failure(.timeout)
            }
            var result: Result<StorageResponse, StorageTransportError> = .failure(.cancelled)
            if let first = await group.next(), let first { result = first }
            group.cancelAll()
            return result
        }
        if Task.isCancelled { throw .cancelled }
        return try outcome.get()
    }

    private func exchange(_ request: StorageRequest, with peer: PeerID) async -> Result<StorageResponse, StorageTransportError> {
        let stream: LibP2PStream
        do {
            stream = try await network.openStream(to: peer, protocols: [CairnStorage.protocolID])
        } catch {
            return .failure(Task.isCancelled ? .cancelled : .unreachable("\(error)"))
        }
        do {
            try await stream.writeLengthPrefixed(request.encoded())
            await stream.closeWrite()
            var reader = LengthPrefixedMessageReader(stream: stream, maximumMessageByteCount: StorageWire.maximumMessageByteCount)
            guard let bytes = try await reader.next() else {
                await stream.reset()
                return .failure(.protocolViolation("the stream ended without a response"))
            }
            await stream.reset()
            do {
                return .success(try StorageResponse(decoding: bytes))
            } catch {
                return .failure(.protocolViolation("\(error)"))
            }
        } catch {
            await stream.reset()
            return .failure(Task.isCancelled ? .cancelled : .unreachable("\(error)"))
        }
    }

    /// Serves inbound storage streams: reads one request, hands it to `handle`, writes the response.
    static func register(on network: any PeerNetwork, logger: Logger,
                         handle: @escaping @Sendable (StorageRequest, PeerID) async -> StorageResponse) async {
        await network.setStreamHandler(CairnStorage.protocolID, maximumConcurrentStreamCount: 64) { stream in
            var reader = LengthPrefixedMessageReader(stream: stream, maximumMessageByteCount: StorageWire.maximumMessageByteCount)
            do {
                guard let bytes = try await reader.next() else { return await stream.reset() }
                let response: StorageResponse
                do {
                    response = await handle(try StorageRequest(decoding: bytes), stream.remotePeerID)
                } catch {
                    response = .refused(StorageRefusal(code: .invalid, message: "malformed request: \(error)"))
                }
                try await stream.writeLengthPrefixed(response.encoded())
                await stream.closeWrite()
            } catch {
                logger.debug("storage stream failed", metadata: ["peer": "\(stream.remotePeerID)", "error": "\(error)"])
                await stream.reset()
            }
        }
    }
}
