import Foundation
import NIOCore
import NIOPosix

/// The CLI's side of the control API: finds the running daemon through `<repo>/api` and calls methods.
public struct ControlClient: Sendable {
    /// The daemon's control host (always 127.0.0.1).
    public let host: String
    /// The daemon's control port.
    public let port: Int

    /// The client for the daemon serving `repositoryPath`, or nil when no daemon runs there (no `api`
    /// file, or nothing answers at its address).
    public static func connectIfRunning(repositoryPath: String) async -> ControlClient? {
        let apiPath = (repositoryPath as NSString).appendingPathComponent(ControlProtocol.apiFileName)
        guard let text = try? String(contentsOfFile: apiPath, encoding: .utf8) else { return nil }
        guard let address = DaemonAPIAddress(text) else { return nil }
        let client = ControlClient(host: address.host, port: address.port)
        return await client.isReachable() ? client : nil
    }

    /// Creates a client for a known address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    private func isReachable() async -> Bool {
        guard let channel = try? await connect() else { return false }
        try? await channel.channel.close()
        return true
    }

    private func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Calls `method` with `params`, passing each progress line to `onProgress`, and returns the result.
    /// - Throws: ``ControlFailure`` from the daemon (or `code: "daemon"` when the connection fails).
    public func call<Params: Codable & Sendable, Result: Decodable, Progress: Decodable>(
        _ method: String, _ params: Params, as result: Result.Type, progress: Progress.Type,
        onProgress: (Progress) -> Void
    ) async throws -> Result {
        let request = try JSONEncoder.control.encode(ControlRequest(method: method, params: params))
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await connect()
        } catch {
            throw ControlFailure(code: "daemon", message: "cannot reach the daemon at \(host):\(port): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: Array(request) + [0x0a]))
            var line: [UInt8] = []
            for try await buffer in inbound {
                for byte in buffer.readableBytesView {
                    guard byte == 0x0a else {
                        line.append(byte)
                        continue
                    }
                    let data = Data(line)
                    line.removeAll(keepingCapacity: true)
                    let kind = try JSONDecoder.control.decode(ControlResponseKind.self, from: data).type
                    switch kind {
                    case "progress":
                        if let body = try JSONDecoder.control.decode(ControlResponseLine<Progress>.self, from: data).body {
                            onProgress(body)
                        }
                    case "result":
                        guard let body = try JSONDecoder.control.decode(ControlResponseLine<Result>.self, from: data).body else {
                            throw ControlFailure(code: "failed", message: "the daemon's result line has no body")
                        }
                        return body
                    default:
                        let failure = try JSONDecoder.control.decode(ControlResponseLine<NoParams>.self, from: data).error
                        throw failure ?? ControlFailure(code: "failed", message: "the daemon sent an unknown line")
                    }
                }
                guard line.count <= ControlProtocol.maximumResponseLineByteCount else {
                    throw ControlFailure(code: "failed", message: "the daemon's response line is too long")
                }
            }
            throw ControlFailure(code: "daemon", message: "the daemon closed the connection without a result (did it stop?)")
        }
    }

    /// Calls a method that reports no progress.
    public func call<Params: Codable & Sendable, Result: Decodable>(
        _ method: String, _ params: Params, as result: Result.Type
    ) async throws -> Result {
        try await call(method, params, as: result, progress: NoParams.self) { _ in }
    }
}

/// The `host:port` text of `<repo>/api`.
struct DaemonAPIAddress {
    let host: String
    let port: Int

    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        host = String(trimmed[..<colon])
        self.port = port
    }
}
