import Foundation
import Synchronization

@testable import CairnDHT

/// A `DHTClock` that moves only when a test advances it; sleepers wake when their deadline is reached
/// and throw `CancellationError` when their task is cancelled.
final class ManualDHTClock: DHTClock {
    private struct Sleeper {
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var cancelled: Set<Int> = []
    }

    private let state: Mutex<State>

    init(start: Date = DHTTestPeers.epoch) { state = Mutex(State(now: start)) }

    func now() -> Date { state.withLock { $0.now } }

    /// The number of tasks sleeping on this clock.
    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline of a sleeping task.
    var nextDeadline: Date? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    func sleep(for duration: Duration) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume: Result<Void, any Error>? = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    let deadline = state.now.addingTimeInterval(ProviderStore.seconds(duration))
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return Sleeper?.none
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        state.withLock { _ = $0.cancelled.remove(id) }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has passed.
    func advance(by duration: Duration) {
        let due = state.withLock { state in
            state.now = state.now.addingTimeInterval(ProviderStore.seconds(duration))
            let now = state.now
            let ids = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { state.sleepers.removeValue(forKey: $0) }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time to the earliest sleeper's deadline, if any, and wakes it.
    func advanceToNextDeadline() {
        guard let deadline = nextDeadline else { return }
        let gap = max(0, deadline.timeIntervalSince(now()))
        advance(by: .milliseconds(Int64((gap * 1000).rounded(.up))))
    }
}

/// Runs `operation` while advancing `clock` to the next sleeper's deadline whenever the system has gone
/// quiet (many yields without completion), so timeouts fire without real sleeping.
func runAdvancing<Value: Sendable>(_ clock: ManualDHTClock, _ operation: @escaping @Sendable () async -> Value) async -> Value {
    await withTaskGroup(of: Value?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            while !Task.isCancelled {
                for _ in 0..<200 { await Task.yield() }
                clock.advanceToNextDeadline()
            }
            return nil
        }
        var result: Value?
        while let next = await group.next() {
            if let next {
                result = next
                group.cancelAll()
            }
        }
        guard let result else { preconditionFailure("the operation task always returns a value") }
        return result
    }
}
