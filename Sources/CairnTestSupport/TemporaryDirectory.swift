import Foundation

/// A fresh directory under the system temp dir, removed when `remove()` is called.
///
/// Each test makes its own so tests can run in parallel without sharing state.
public struct TemporaryDirectory: Sendable {
    /// The directory's location.
    public let url: URL

    /// Creates a new empty directory whose name starts with `prefix`.
    public init(prefix: String = "cairn-test") throws {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8))"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of a child of this directory.
    public func path(_ component: String) -> String { url.appendingPathComponent(component).path }

    /// Writes `bytes` to a child file (creating intermediate directories) and returns its path.
    @discardableResult
    public func write(_ component: String, _ bytes: [UInt8]) throws -> String {
        let target = url.appendingPathComponent(component)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: target)
        return target.path
    }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
