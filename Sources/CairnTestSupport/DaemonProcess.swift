import Foundation

/// A real `cairn daemon` process on 127.0.0.1 with its own repository, for multi-process tests.
public final class DaemonProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is replaced only by `restart()`, which tests call from one task.
    /// The repository driver (also used to run CLI commands against this node).
    public let cli: CairnCLI
    /// The fixed listen port (kept across restarts so peers can redial).
    public let port: Int
    /// Extra daemon arguments (bootstrap peers, DHT options); ``start(arguments:timeout:)`` may replace them.
    public private(set) var extraArguments: [String]
    private var process: Process?
    /// The node's peer ID.
    public private(set) var peerID = ""

    /// Initialises a repository in `directory` and starts a daemon on `port` (0: a fresh free port).
    public init(directory: String, port: Int = 0, arguments: [String] = [], binary: String = TestEnvironment.cairnBinary) throws {
        self.cli = CairnCLI(repository: directory, binary: binary)
        self.port = port == 0 ? try Self.freePort() : port
        self.extraArguments = arguments
        if !FileManager.default.fileExists(atPath: directory + "/config.json") {
            try cli.succeed(["init"])
        }
        try start()
    }

    /// The full multiaddr of this node.
    public var address: String { "/ip4/127.0.0.1/tcp/\(port)/p2p/\(peerID)" }

    /// Whether the daemon process is alive.
    public var isRunning: Bool { process?.isRunning ?? false }

    /// Starts the daemon and waits until `cairn id` reports its addresses; `arguments` replaces the extra
    /// daemon arguments (e.g. to restart without bootstrap peers).
    public func start(arguments: [String]? = nil, timeout: Duration = .seconds(60)) throws {
        if let arguments { extraArguments = arguments }
        let logPath = cli.repository + "/daemon-test.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cli.binary)
        process.arguments = ["daemon", "--repo", cli.repository, "--listen", "/ip4/127.0.0.1/tcp/\(port)",
                             "--dht-protocol", "/ipfs/lan/kad/1.0.0"] + extraArguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw CommandRunner.Failure(description: "daemon on \(cli.repository) exited: \(text.suffix(2000))")
            }
            if let result = try? cli.run(["id", "--json"], timeout: .seconds(10)), result.exitCode == 0,
               let object = try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
               let addresses = object["Addresses"] as? [String], !addresses.isEmpty, let id = object["ID"] as? String {
                peerID = id
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw CommandRunner.Failure(description: "daemon on \(cli.repository) did not become ready within \(timeout)")
    }

    /// Stops the daemon with SIGTERM (graceful) or SIGKILL and waits for it to exit.
    public func stop(kill: Bool = false) {
        guard let process, process.isRunning else { return }
        if kill {
            Foundation.kill(process.processIdentifier, SIGKILL)
        } else {
            process.terminate()
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The process's exit status after ``stop(kill:)``.
    public var terminationStatus: Int32? {
        guard let process, !process.isRunning else { return nil }
        return process.terminationStatus
    }

    /// The daemon's process ID (0 when not started).
    public var pid: Int32 { process?.processIdentifier ?? 0 }

    /// The daemon's resident memory in KiB (from /proc), or nil when it is not running.
    public var residentKiB: Int? {
        guard isRunning, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1])
        }
        return nil
    }

    /// The daemon's log so far.
    public var log: String {
        (try? String(contentsOfFile: cli.repository + "/daemon-test.log", encoding: .utf8)) ?? ""
    }

    deinit { stop(kill: true) }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    public static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw CommandRunner.Failure(description: "socket() failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketFD, socketAddress, length) == 0 && getsockname(socketFD, socketAddress, &length) == 0
            }
        }
        guard bound else { throw CommandRunner.Failure(description: "cannot bind a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Bounded polling for multi-process tests.
public enum DaemonTestWait {
    /// Polls `condition` every 100 ms until it holds (errors count as "not yet"), failing after `seconds`.
    public static func until(_ what: String, seconds: Double = 30, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw CommandRunner.Failure(description: "timed out after \(seconds) s waiting for \(what)")
    }
}

/// Parsing command output in multi-process tests.
public enum TestJSON {
    /// `text` parsed as a JSON object.
    public static func object(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CommandRunner.Failure(description: "not a JSON object: \(text)")
        }
        return object
    }

    /// `data` parsed as a JSON object.
    public static func object(_ data: Data) throws -> [String: Any] {
        try object(String(decoding: data, as: UTF8.self))
    }

    /// `data` parsed as a JSON array of objects.
    public static func array(_ data: Data) throws -> [[String: Any]] {
        guard let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw CommandRunner.Failure(description: "not a JSON array of objects: \(String(decoding: data, as: UTF8.self))")
        }
        return array
    }
}
