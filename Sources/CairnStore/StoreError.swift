import CairnCore
import Foundation

/// Every error thrown by CairnStore: what went wrong, with the CID, path or errno that explains it.
///
/// `description` is the message shown to people; it says what happened and what to do about it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No block with this CID's multihash is stored.
    case blockNotFound(cid: CID)
    /// The stored bytes for `cid` (in the file at `path`) do not hash to it; the bytes are never returned.
    case corruptBlock(cid: CID, path: String)
    /// The block's hash function cannot be computed here, so it cannot be verified and is not returned.
    case unverifiableBlock(cid: CID, reason: String)
    /// A system call failed; `operation` names it (`open`, `write`, `rename`, …) and `errno` is its error code.
    case io(operation: String, path: String, errno: Int32)
    /// A write batch was used after `commit()` or `abort()`.
    case batchFinished
    /// `removePin` was asked to remove a CID that is not pinned.
    case notPinned(cid: CID)
    /// A database operation failed; `message` is SQLite's explanation.
    case database(operation: String, message: String)
    /// A database row holds a value Cairn cannot read back (for example a malformed CID string).
    case invalidRecord(table: String, reason: String)
    /// Garbage collection stopped before deleting anything because `cid`, reachable from a pin, is
    /// missing or corrupt.
    case garbageCollectionAborted(cid: CID, reason: String)

    /// The `errno` of an `.io` error, or nil for other errors.
    public var errno: Int32? {
        if case .io(_, _, let code) = self { return code }
        return nil
    }

    /// A human-readable rendering.
    public var description: String {
        switch self {
        case .blockNotFound(let cid):
            "block \(cid) is not in the local blockstore; fetch it from the network or re-add the content"
        case .corruptBlock(let cid, let path):
            "block \(cid) is corrupt: the file \(path) does not hash to its CID; run `cairn repo verify`, "
                + "then delete the file and fetch the block again"
        case .unverifiableBlock(let cid, let reason):
            "block \(cid) cannot be verified (\(reason)); it was not returned"
        case .io(let operation, let path, let code):
            "\(operation) failed on \(path): \(Self.errnoDescription(code)) (errno \(code)); "
                + Self.ioAdvice(code)
        case .batchFinished:
            "the write batch was already committed or aborted; start a new batch with makeWriteBatch()"
        case .notPinned(let cid):
            "\(cid) is not pinned; `cairn pin ls` lists the pinned CIDs"
        case .database(let operation, let message):
            "database \(operation) failed: \(message); check that the repository is writable and not damaged"
        case .invalidRecord(let table, let reason):
            "a row in table \(table) cannot be read: \(reason); the database may be damaged"
        case .garbageCollectionAborted(let cid, let reason):
            "garbage collection aborted without deleting anything: \(cid), reachable from a pin, is \(reason); "
                + "fetch or re-add that block (or unpin its root), then run gc again"
        }
    }

    private static func errnoDescription(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }

    private static func ioAdvice(_ code: Int32) -> String {
        switch code {
        case ENOSPC: "the disk is full; free space (for example with `cairn repo gc`) and retry"
        case EACCES, EPERM: "check the permissions of the repository directory"
        case EROFS: "the file system is read-only"
        default: "check the repository directory and retry"
        }
    }
}
