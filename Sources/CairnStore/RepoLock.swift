import Foundation

/// The repository lock: an `flock(2)` on `repo/repo.lock` that keeps garbage collection from running
/// while blocks are being added and pinned.
///
/// Writers (add, import, pin) hold it *shared* from their first block write until the pin is
/// recorded, so blocks that are written but not yet pinned cannot be swept. Garbage collection holds
/// it *exclusive*. `flock` locks belong to an open file description, so the lock works across
/// processes and between two `RepoLock` values in one process (each opens its own descriptor).
/// A process that dies releases its lock automatically.
///
/// Thread safety: the only state is an immutable file descriptor; the kernel serialises lock changes.
/// Acquiring blocks the calling thread; use the `try…` variants from async code.
public final class RepoLock: Sendable {
    /// The outcome of a non-blocking attempt.
    public enum Attempt: Sendable, Equatable {
        /// The lock is now held.
        case acquired
        /// Another holder prevents it; `reason` says who, for example "an add is in progress".
        case busy(reason: String)
    }

    /// The lock file's path.
    public let path: String
    private let descriptor: Int32

    /// Opens (creating if needed) the lock file `repo.lock` in `repositoryDirectory`; nothing is locked yet.
    /// - Throws: `StoreError.io` when the file cannot be opened.
    public convenience init(repositoryDirectory: String) throws(StoreError) {
        try self.init(path: repositoryDirectory + "/repo.lock")
    }

    /// Opens (creating if needed) the lock file at `path`; nothing is locked yet.
    /// - Throws: `StoreError.io` when the file cannot be opened.
    public init(path: String) throws(StoreError) {
        let fd = SystemFile.retryingOnInterrupt { open(path, O_RDWR | O_CREAT | O_CLOEXEC, SystemFile.fileMode) }
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        self.path = path
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Takes the lock shared (for adds, imports and pins), waiting while a garbage collection runs.
    /// - Throws: `StoreError.io` when `flock` fails.
    public func lockShared() throws(StoreError) { try lock(LOCK_SH) }

    /// Takes the lock exclusive (for garbage collection), waiting until every writer has finished.
    /// - Throws: `StoreError.io` when `flock` fails.
    public func lockExclusive() throws(StoreError) { try lock(LOCK_EX) }

    /// Tries to take the lock shared without waiting; busy means "garbage collection is running".
    /// - Throws: `StoreError.io` when `flock` fails for another reason than contention.
    public func tryShared() throws(StoreError) -> Attempt {
        try attempt(LOCK_SH, busyReason: "garbage collection is running; retry when it finishes")
    }

    /// Tries to take the lock exclusive without waiting; busy means "an add is in progress".
    /// - Throws: `StoreError.io` when `flock` fails for another reason than contention.
    public func tryExclusive() throws(StoreError) -> Attempt {
        try attempt(LOCK_EX, busyReason: "an add is in progress (or another gc); retry when it finishes")
    }

    /// Releases the lock (shared or exclusive); releasing an unheld lock does nothing.
    public func unlock() {
        _ = SystemFile.retryingOnInterrupt { flock(descriptor, LOCK_UN) }
    }

    /// Runs `body` holding the lock shared, releasing it afterwards even when `body` throws.
    public func withShared<T>(_ body: () throws -> T) throws -> T {
        try lockShared()
        defer { unlock() }
        return try body()
    }

    /// Runs `body` holding the lock exclusive, releasing it afterwards even when `body` throws.
    public func withExclusive<T>(_ body: () throws -> T) throws -> T {
        try lockExclusive()
        defer { unlock() }
        return try body()
    }

    private func lock(_ operation: Int32) throws(StoreError) {
        guard SystemFile.retryingOnInterrupt({ flock(descriptor, operation) }) == 0 else {
            throw .io(operation: "flock", path: path, errno: errno)
        }
    }

    private func attempt(_ operation: Int32, busyReason: String) throws(StoreError) -> Attempt {
        guard SystemFile.retryingOnInterrupt({ flock(descriptor, operation | LOCK_NB) }) == 0 else {
            let code = errno
            if code == EWOULDBLOCK { return .busy(reason: busyReason) }
            throw .io(operation: "flock", path: path, errno: code)
        }
        return .acquired
    }
}
