#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs `cairn` subcommands as child processes with a deadline on every wait.
struct CairnCommand: Sendable {
    /// The `cairn` executable.
    let executable: String
    /// Where captured output goes (one file per call, overwritten).
    let scratchDirectory: String

    /// How often an exit or output is polled for; bounds the timing error of a wall-time figure.
    static let pollInterval: Duration = .milliseconds(1)

    /// Runs `cairn arguments…`, waits up to `timeout` for it to exit, and returns its standard output and
    /// the wall time from start to exit.
    ///
    /// Spawned with `posix_spawn` and reaped with `waitpid`, not Foundation's `Process`: on Linux `Process`
    /// notices an exit when a socket the child inherited closes, and `cairn devnet up` hands that socket on
    /// to the daemons it starts, so its exit would go unnoticed until they stop.
    /// `acceptedExitCodes` lists the exit codes that are answers rather than failures (`files status` exits
    /// 5 for a degraded file).
    /// - Throws: ``BenchmarkError`` when it cannot start, does not exit in time (it is killed) or fails.
    @discardableResult
    func run(_ arguments: [String], timeout: Duration,
             acceptedExitCodes: Set<Int32> = [0]) async throws -> (output: String, seconds: Double) {
        let outputPath = scratchDirectory + "/command-output"
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let result = posix_spawn(&pid, executable, &fileActions, nil, argv, environ)
        guard result == 0 else {
            throw BenchmarkError(message: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        let status = try await Self.waitForExit(pid: pid, timeout: timeout, what: arguments)
        let elapsed = ContinuousClock.now - start
        let command = "cairn " + arguments.joined(separator: " ")
        // A normal exit has the low 7 bits clear and the exit code in the next byte.
        let exited = status & 0x7f == 0
        guard exited, acceptedExitCodes.contains((status >> 8) & 0xff) else {
            throw BenchmarkError(message: "\(command) exited with wait status \(status)")
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (text, elapsed.seconds)
    }

    /// Reaps `pid`, killing it after `timeout`; returns its raw wait status.
    /// - Throws: ``BenchmarkError`` on a timeout.
    private static func waitForExit(pid: pid_t, timeout: Duration, what arguments: [String]) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return status }
            try? await Task.sleep(for: pollInterval)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        throw BenchmarkError(message: "cairn \(arguments.joined(separator: " ")) did not finish within \(timeout); killed it")
    }

    /// Runs `cairn arguments…` and returns the seconds until its first byte of standard output arrives
    /// (then waits for it to exit).
    /// - Throws: ``BenchmarkError`` when no byte arrives or it does not exit within `timeout`, or it fails.
    func secondsToFirstOutputByte(_ arguments: [String], timeout: Duration) async throws -> Double {
        let pipe = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        let start = ContinuousClock.now
        let deadline = start + timeout
        try process.run()
        try? pipe.fileHandleForWriting.close()
        defer { try? pipe.fileHandleForReading.close() }
        let readable = Self.waitReadable(pipe.fileHandleForReading.fileDescriptor, until: deadline)
        let elapsed = ContinuousClock.now - start
        // Drain the rest so the child never blocks on a full pipe (it prints one byte here).
        _ = try? pipe.fileHandleForReading.readToEnd()
        try await Self.waitForExit(process, timeout: max(deadline - ContinuousClock.now, .seconds(1)), what: arguments)
        guard readable else { throw BenchmarkError(message: "\(arguments.joined(separator: " ")) printed nothing") }
        return elapsed.seconds
    }

    /// Blocks until `descriptor` has data or end of file, or `deadline` passes; true when it has data.
    private static func waitReadable(_ descriptor: Int32, until deadline: ContinuousClock.Instant) -> Bool {
        while ContinuousClock.now < deadline {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let remaining = deadline - ContinuousClock.now
            let milliseconds = Int32(clamping: max(1, Int(remaining.seconds * 1000)))
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return entry.revents & Int16(POLLIN) != 0 }
            if ready < 0 && errno != EINTR { return false }
        }
        return false
    }

    /// Waits for `process` to exit, killing it after `timeout`.
    /// - Throws: ``BenchmarkError`` on a timeout or a non-zero exit status.
    static func waitForExit(_ process: Process, timeout: Duration, what arguments: [String]) async throws {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: pollInterval)
        }
        let command = "cairn " + arguments.joined(separator: " ")
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw BenchmarkError(message: "\(command) did not finish within \(timeout); killed it")
        }
        guard process.terminationStatus == 0 else {
            throw BenchmarkError(message: "\(command) exited with status \(process.terminationStatus)")
        }
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
