import Foundation

/// The time source of a `DHTService`: wall-clock time for record expiry and `timeReceived`, and sleeping
/// for timeouts and maintenance intervals.
///
/// Injected so tests advance time by hand; only the node wires in `SystemDHTClock`.
public protocol DHTClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Suspends for `duration`.
    /// - Throws: `CancellationError` when the task is cancelled first (it must return promptly then).
    func sleep(for duration: Duration) async throws
}

/// The real clock: `Date()` and `Task.sleep`; for the node's composition root, never for tests.
public struct SystemDHTClock: DHTClock {
    /// Creates the clock.
    public init() {}
    /// `Date()`.
    public func now() -> Date { Date() }
    /// `Task.sleep(for:)` on the continuous clock.
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// Runs an operation against a deadline measured on a `DHTClock`.
enum DHTDeadline {
    enum Completion<Value: Sendable>: Sendable {
        case finished(Result<Value, DHTError>)
        case expired
        case cancelled
    }

    /// Runs `operation`; if it has not finished after `limit` (or the task is cancelled) calls `abort`,
    /// which must make `operation` return (resetting its stream), and throws `expiredError` (or `.cancelled`).
    static func run<Value: Sendable>(
        clock: any DHTClock, limit: Duration, expiredError: DHTError,
        abort: @escaping @Sendable () async -> Void,
        _ operation: @escaping @Sendable () async throws(DHTError) -> Value
    ) async throws(DHTError) -> Value {
        let result: Result<Value, DHTError> = await withTaskGroup(of: Completion<Value>.self) { group in
            group.addTask {
                do throws(DHTError) { return .finished(.success(try await operation())) } catch { return .finished(.failure(error)) }
            }
            group.addTask {
                do { try await clock.sleep(for: limit) } catch { return .cancelled }
                return .expired
            }
            let first = await group.next() ?? .cancelled
            if case .finished(let result) = first {
                group.cancelAll()
                return result
            }
            await abort()
            group.cancelAll()
            var outcome: Result<Value, DHTError> = .failure(first.isExpired ? expiredError : .cancelled)
            while let next = await group.next() {
                // An operation that finished anyway wins only if it succeeded.
                if case .finished(.success(let value)) = next { outcome = .success(value) }
            }
            return outcome
        }
        return try result.get()
    }
}

extension DHTDeadline.Completion {
    var isExpired: Bool {
        if case .expired = self { return true }
        return false
    }
}
