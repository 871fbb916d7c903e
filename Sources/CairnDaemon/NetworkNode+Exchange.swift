import Foundation

extension NetworkNode {
    /// The DHT, Bitswap and fetch methods of the control API.
    nonisolated func handleExchangeControl(method: String, request: Data, progress: ControlProgressSink) async throws -> Data {
        throw ControlFailure(code: "invalidInput", message: "unknown control method \(method)")
    }
}
