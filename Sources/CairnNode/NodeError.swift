/// An operational error from a repository operation: what went wrong, what to do about it, and a
/// category the CLI maps to its exit code.
public struct NodeError: Error, CustomStringConvertible, Sendable {
    /// The broad kind of failure; each maps to one CLI exit code.
    public enum Code: Sendable, Equatable {
        /// The repository does not exist or cannot be opened (exit 3).
        case repository
        /// The user's input is invalid: a bad CID, a missing file, a bad option value (exit 2).
        case invalidInput
        /// The requested content or pin does not exist locally (exit 4).
        case notFound
        /// Stored or received data failed verification (exit 5).
        case corrupt
        /// The disk is full (exit 6).
        case diskFull
        /// Another process holds the repository lock (exit 7).
        case busy
        /// The command needs a running daemon and none runs on this repository (exit 8).
        case noDaemon
        /// A peer could not be reached, refused, or the network gave no answer in time (exit 9).
        case network
        /// A passphrase or key was refused: the keyring does not open, or a read-cap's key is not the
        /// file's (exit 10).
        case accessDenied
        /// Anything else: I/O failures and the like (exit 1).
        case failed
    }

    /// The category of the failure.
    public let code: Code
    /// One line saying what went wrong and what to do.
    public let message: String
    /// The underlying error, if any.
    public let cause: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
