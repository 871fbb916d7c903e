import Foundation
import Logging
import NIOCore
import NIOPosix

/// Sends progress lines for the request being served.
public struct ControlProgressSink: Sendable {
    let emit: @Sendable ([UInt8]) async -> Void

    /// Sends `value` as a `{"type": "progress", "body": …}` line.
    public func send<T: Encodable>(_ value: T) async {
        guard let body = try? JSONEncoder.control.encode(value) else { return }
        await emit(Array(#"{"type":"progress","body":"#.utf8) + Array(body) + Array("}\n".utf8))
    }
}

/// Serves one request: `method`, the whole request line (to decode typed parameters from), and a sink for
/// progress. Returns the result's JSON encoding, or throws a ``ControlFailure`` (other errors are reported
/// with code `failed`).
public typealias ControlHandler = @Sendable (_ method: String, _ request: Data, _ progress: ControlProgressSink) async throws -> Data

/// The daemon's side of the control API: a TCP listener on 127.0.0.1 that reads one request line per
/// connection and writes progress and result lines (see ``ControlProtocol``).
public final class ControlServer: Sendable {
    /// Where the server listens (`127.0.0.1:port`).
    public let host: String
    /// The bound port.
    public let port: Int
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let handler: ControlHandler
    private let logger: Logger

    /// Binds 127.0.0.1 on `port` (0 picks a free one).
    public static func bind(port: Int = 0, logger: Logger, handler: @escaping ControlHandler) async throws -> ControlServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard let bound = server.channel.localAddress?.port else {
            try? await server.channel.close()
            throw ControlFailure(code: "failed", message: "the control socket has no local port")
        }
        return ControlServer(server: server, port: bound, handler: handler, logger: logger)
    }

    private init(server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, port: Int,
                 handler: @escaping ControlHandler, logger: Logger) {
        self.server = server
        self.host = "127.0.0.1"
        self.port = port
        self.handler = handler
        self.logger = logger
    }

    /// Accepts and serves connections until cancelled; each request runs in a child task.
    public func run() async {
        do {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } catch {
            logger.debug("control server stopped", metadata: ["error": "\(error)"])
        }
    }

    /// Closes the listening socket (``run()`` then returns once running requests finish).
    public func close() async {
        try? await server.channel.close()
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var request: [UInt8] = []
                reading: for try await buffer in inbound {
                    for byte in buffer.readableBytesView {
                        if byte == 0x0a { break reading }
                        request.append(byte)
                    }
                    guard request.count <= ControlProtocol.maximumRequestByteCount else {
                        try await outbound.write(ByteBuffer(bytes: Self.errorLine(ControlFailure(
                            code: "invalidInput", message: "control request over \(ControlProtocol.maximumRequestByteCount) bytes"))))
                        return
                    }
                }
                let data = Data(request)
                let line: [UInt8]
                do {
                    let method = try JSONDecoder.control.decode(ControlMethodName.self, from: data).method
                    let sink = ControlProgressSink { bytes in try? await outbound.write(ByteBuffer(bytes: bytes)) }
                    let body = try await handler(method, data, sink)
                    line = Array(#"{"type":"result","body":"#.utf8) + Array(body) + Array("}\n".utf8)
                } catch let failure as ControlFailure {
                    line = Self.errorLine(failure)
                } catch let error as DecodingError {
                    line = Self.errorLine(ControlFailure(code: "invalidInput", message: "malformed control request: \(error)"))
                } catch {
                    line = Self.errorLine(ControlFailure(code: "failed", message: "\(error)"))
                }
                try await outbound.write(ByteBuffer(bytes: line))
            }
        } catch {
            logger.debug("control connection ended", metadata: ["error": "\(error)"])
        }
    }

    static func errorLine(_ failure: ControlFailure) -> [UInt8] {
        let body = (try? JSONEncoder.control.encode(failure)) ?? Data(#"{"code":"failed","message":"?"}"#.utf8)
        return Array(#"{"type":"error","error":"#.utf8) + Array(body) + Array("}\n".utf8)
    }
}
