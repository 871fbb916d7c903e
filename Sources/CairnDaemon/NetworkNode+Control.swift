import Foundation

extension NetworkNode {
    /// Serves one control API request (see ``ControlProtocol``) and returns the result's JSON.
    /// - Throws: ``ControlFailure`` for unknown methods, bad parameters and every failure of the method.
    public nonisolated func handleControl(method: String, request: Data, progress: ControlProgressSink) async throws -> Data {
        do {
            switch method {
            case "id":
                return try encode(await idReport())
            case "swarm.peers":
                return try encode(await swarmPeers())
            case "swarm.connect":
                let params = try decode(SwarmConnectParams.self, request)
                return try encode(try await swarmConnect(params.addresses))
            case "swarm.disconnect":
                let params = try decode(PeerParams.self, request)
                return try encode(try await swarmDisconnect(params.peer))
            default:
                return try await handleExchangeControl(method: method, request: request, progress: progress)
            }
        } catch {
            throw ControlFailure(error)
        }
    }

    nonisolated func decode<P: Codable & Sendable>(_ type: P.Type, _ request: Data) throws -> P {
        do {
            return try JSONDecoder.control.decode(ControlRequest<P>.self, from: request).params
        } catch {
            throw ControlFailure(code: "invalidInput", message: "bad parameters: \(error)")
        }
    }

    nonisolated func encode<T: Encodable>(_ value: T) throws -> Data {
        try JSONEncoder.control.encode(value)
    }
}
