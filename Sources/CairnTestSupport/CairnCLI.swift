import Foundation

/// Drives the real `cairn` executable against one repository, for multi-process tests.
public struct CairnCLI: Sendable {
    /// The repository directory passed as `--repo`.
    public let repository: String
    /// The executable being driven.
    public let binary: String

    /// Creates a driver for the repository at `repository` (not created until `init` runs).
    public init(repository: String, binary: String = TestEnvironment.cairnBinary) {
        self.repository = repository
        self.binary = binary
    }

    /// Runs `cairn ARGS --repo REPO` (with `environment` added) and returns what happened.
    @discardableResult
    public func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                    timeout: Duration = .seconds(600)) throws -> CommandResult {
        try CommandRunner.run(binary, arguments, environment: environment.merging(["CAIRN_PATH": repository]) { $1 },
                              stdin: stdin, timeout: timeout)
    }

    /// Runs a command that must succeed and returns its stdout with surrounding whitespace trimmed.
    @discardableResult
    public func succeed(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(600)) throws -> String {
        let result = try run(arguments, environment: environment, timeout: timeout)
        guard result.exitCode == 0 else {
            throw CommandRunner.Failure(description: "cairn \(arguments.joined(separator: " ")) exited \(result.exitCode): \(result.errorOutput)")
        }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `cairn ARGS` without waiting, for kill-in-the-middle tests.
    public func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["CAIRN_PATH": repository]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
