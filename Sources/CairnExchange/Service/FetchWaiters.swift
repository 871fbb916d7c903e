import CairnCore
import Synchronization

/// One-shot results for callers of `BitswapService.block(_:)`, resumable from a cancellation handler.
///
/// The table is a Mutex-guarded leaf: the actor fulfils entries, `onCancel` (which cannot reach the actor
/// synchronously) cancels them, and whichever comes first wins; the other finds the entry gone.
final class FetchWaiters: Sendable {
    private enum Slot {
        case waiting(CheckedContinuation<Block, any Error>)
        case done(Result<Block, any Error>)
        case registered
    }

    private struct State {
        var slots: [UInt64: Slot] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Reserves a slot and returns its ID.
    func register() -> UInt64 {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.slots[id] = .registered
            return id
        }
    }

    /// Waits for the slot's result (at once when it is already there).
    func wait(_ id: UInt64) async throws -> Block {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Block, any Error>? = state.withLock { state in
                switch state.slots[id] {
                case .done(let result):
                    state.slots[id] = nil
                    return result
                case .registered:
                    state.slots[id] = .waiting(continuation)
                    return nil
                case .waiting, nil:
                    return .failure(CancellationError())
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Completes the slot with `result`; a no-op when it was already completed.
    func complete(_ id: UInt64, with result: Result<Block, any Error>) {
        let continuation: CheckedContinuation<Block, any Error>? = state.withLock { state in
            switch state.slots[id] {
            case .waiting(let continuation):
                state.slots[id] = nil
                return continuation
            case .registered:
                state.slots[id] = .done(result)
                return nil
            case .done, nil:
                return nil
            }
        }
        continuation?.resume(with: result)
    }

    /// Drops the slot without completing it (its waiter already returned).
    func remove(_ id: UInt64) {
        _ = state.withLock { $0.slots.removeValue(forKey: id) }
    }
}
