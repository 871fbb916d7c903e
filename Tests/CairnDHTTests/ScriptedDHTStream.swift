import Synchronization

@testable import CairnDHT

/// A `DHTStream` that delivers scripted inbound chunks, then ends (or hangs until reset), and records what
/// was written and whether it was half-closed or reset.
final class ScriptedDHTStream: DHTStream {
    private struct State {
        var inbound: [[UInt8]]
        var written: [UInt8] = []
        var isWriteClosed = false
        var isReset = false
        var waiting: CheckedContinuation<[UInt8]?, any Error>?
    }

    struct ResetError: Error {}

    let remotePeerIDBytes: [UInt8]
    private let hangsAtEnd: Bool
    private let state: Mutex<State>

    init(remotePeer: DHTPeerID, inbound: [[UInt8]], hangsAtEnd: Bool = false) {
        self.remotePeerIDBytes = remotePeer.bytes
        self.hangsAtEnd = hangsAtEnd
        self.state = Mutex(State(inbound: inbound))
    }

    var written: [UInt8] { state.withLock { $0.written } }
    var isWriteClosed: Bool { state.withLock { $0.isWriteClosed } }
    var isReset: Bool { state.withLock { $0.isReset } }

    /// The messages written, decoded.
    func writtenMessages() throws -> [DHTMessage] {
        var decoder = DHTFrameDecoder()
        decoder.append(written)
        var messages: [DHTMessage] = []
        while let message = try decoder.nextMessage() { messages.append(message) }
        try decoder.finish()
        return messages
    }

    func read() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<[UInt8]?, any Error>? = state.withLock { state in
                if state.isReset { return .failure(ResetError()) }
                if !state.inbound.isEmpty { return .success(state.inbound.removeFirst()) }
                if !hangsAtEnd { return .success(nil) }
                state.waiting = continuation
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        try state.withLock { state in
            guard !state.isReset, !state.isWriteClosed else { throw ResetError() }
            state.written += bytes
        }
    }

    func closeWrite() async { state.withLock { $0.isWriteClosed = true } }

    func reset() async {
        let waiting = state.withLock { state in
            state.isReset = true
            defer { state.waiting = nil }
            return state.waiting
        }
        waiting?.resume(throwing: ResetError())
    }
}
