import Synchronization

/// A one-shot wait that either the driver (with a value or an error) or task cancellation completes,
/// whichever comes first; the other is ignored.
///
/// Cancellation handlers run synchronously outside the driver's actor, so the continuation lives behind a
/// `Mutex` instead of in actor state. That lets a cancelled `read` or `write` return at once, which keeps
/// timeouts built on task groups honest.
final class ConnectionWaiter<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        /// The outcome when it arrived before the waiting task installed its continuation.
        var early: Result<Value, any Error>?
        var isFinished = false
    }

    private let state = Mutex(State())

    /// Whether nobody has completed the wait yet.
    var isPending: Bool { state.withLock { !$0.isFinished } }

    /// Suspends until ``resume(_:)`` or cancellation; throws `ConnectionError.cancelled` when cancelled.
    func wait() async throws -> Value {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let early = state.withLock { state -> Result<Value, any Error>? in
                    if let early = state.early { return early }
                    state.continuation = continuation
                    return nil
                }
                if let early { continuation.resume(with: early) }
            }
        } onCancel: {
            resume(.failure(ConnectionError.cancelled))
        }
    }

    /// Completes the wait; returns false if it was already completed (for example by cancellation).
    @discardableResult
    func resume(_ result: Result<Value, any Error>) -> Bool {
        let (accepted, continuation) = state.withLock { state -> (Bool, CheckedContinuation<Value, any Error>?) in
            if state.isFinished { return (false, nil) }
            state.isFinished = true
            guard let continuation = state.continuation else {
                state.early = result
                return (true, nil)
            }
            state.continuation = nil
            return (true, continuation)
        }
        continuation?.resume(with: result)
        return accepted
    }
}
