import Foundation

/// The outcome of running a command: its exit status and everything it printed.
public struct CommandResult: Sendable {
    /// The exit status (or 128 + signal number when killed by a signal).
    public let exitCode: Int32
    /// Everything written to standard output.
    public let stdout: Data
    /// Everything written to standard error.
    public let stderr: Data

    /// Standard output as UTF-8 text.
    public var output: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error as UTF-8 text.
    public var errorOutput: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs real processes for multi-process tests, with a time limit so a hung child cannot hang the suite.
public enum CommandRunner {
    /// Why a command could not be run to completion.
    public struct Failure: Error, CustomStringConvertible {
        /// What happened.
        public let description: String
        /// Creates a failure with a message.
        public init(description: String) { self.description = description }
    }

    /// Runs `executable` with `arguments`, waiting at most `timeout`, and returns what it printed.
    /// Output goes through temporary files so large outputs cannot fill a pipe and deadlock.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        stdin: Data? = nil,
        timeout: Duration = .seconds(600)
    ) throws -> CommandResult {
        let scratch = try TemporaryDirectory(prefix: "cairn-cmd")
        defer { scratch.remove() }
        let outPath = scratch.path("stdout"), errPath = scratch.path("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw Failure(description: "cannot open capture files in \(scratch.url.path)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
            }
            usleep(2_000)
        }
        try out.close()
        try err.close()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(
            exitCode: status,
            stdout: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(),
            stderr: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
        )
    }
}

/// Finds the binaries and tools that multi-process tests drive.
public enum TestEnvironment {
    /// The package root (the directory holding Package.swift), found from this source file's location.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The `cairn` executable built beside the test bundle, or `$CAIRN_BIN` when set.
    public static var cairnBinary: String {
        if let explicit = ProcessInfo.processInfo.environment["CAIRN_BIN"] { return explicit }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("cairn").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/cairn").path
    }

    /// The kubo-peer tool from `../shared/tools`, or `$KUBO_PEER` when set; nil when absent.
    public static var kuboPeer: String? {
        if let explicit = ProcessInfo.processInfo.environment["KUBO_PEER"] { return explicit }
        let path = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/tools/kubo-peer").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// True when CI demands the kubo interop suite (a missing kubo-peer is then a failure, not a skip).
    public static var interopRequired: Bool { ProcessInfo.processInfo.environment["CAIRN_INTEROP"] == "1" }
}

/// Runs blocking test work (child processes, polling with sleeps) on its own thread, so it does not hold
/// one of Swift concurrency's few cooperative threads (two on a two-core machine) while other tests'
/// async work (timers, network I/O) waits for them.
public enum OffPool {
    /// Runs `body` on a new thread and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
