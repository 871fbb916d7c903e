import CairnTestSupport
import CairnCore
import CairnCrypto
import Foundation
import Testing
@testable import CairnNet

/// The error a bounded wait throws when its time runs out.
struct TransportTestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with `TransportTestTimeout` after `seconds`; the loser is cancelled.
func transportWithTimeout<T: Sendable>(
    _ what: String, seconds: Double = 30, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TransportTestTimeout(what: what)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TransportTestTimeout(what: what) }
        return first
    }
}

/// A test protocol that echoes every byte until the peer half-closes, then half-closes too.
enum TransportEcho {
    static let protocolID = "/cairn/test/echo/1.0.0"

    static func serve(_ stream: LibP2PStream) async {
        do {
            while let chunk = try await stream.read() { try await stream.write(chunk) }
            await stream.closeWrite()
        } catch {
            await stream.reset()
        }
    }

    static var handlers: StreamHandlers {
        var handlers = StreamHandlers()
        handlers.register(protocolID, handler: serve)
        return handlers
    }

    /// Writes `payload` (then FIN) while reading the echo until the end; returns what came back.
    static func roundTrip(_ stream: LibP2PStream, _ payload: [UInt8]) async throws -> [UInt8] {
        try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var offset = 0
                while offset < payload.count {
                    let end = min(offset + 100_000, payload.count)
                    try await stream.write(Array(payload[offset..<end]))
                    offset = end
                }
                await stream.closeWrite()
                return nil
            }
            group.addTask {
                var received: [UInt8] = []
                received.reserveCapacity(payload.count)
                while let chunk = try await stream.read() { received += chunk }
                return received
            }
            var echoed: [UInt8] = []
            for try await result in group { if let result { echoed = result } }
            return echoed
        }
    }
}

/// Deterministic pseudo-random bytes for integrity checks.
func transportPayload(count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededRandom(seed: seed)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 8)
    while bytes.count < count { withUnsafeBytes(of: generator.next()) { bytes += $0 } }
    return Array(bytes.prefix(count))
}

let transportLoopback: Multiaddr = {
    guard let address = try? Multiaddr("/ip4/127.0.0.1/tcp/0") else { preconditionFailure("constant multiaddr") }
    return address
}()
