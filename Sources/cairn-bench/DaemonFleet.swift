#if canImport(Glibc)
import Glibc
#endif
import CairnDaemon
import Foundation

/// One `cairn daemon` started by the benchmark: its repository, control client and peer ID.
struct BenchmarkDaemon {
    /// A short name for messages (`provider-3`).
    let name: String
    /// The repository directory.
    let repository: String
    /// The multiaddr other daemons bootstrap to (ends in `/p2p/ID`).
    let address: String
    /// The daemon's peer ID.
    let peerID: String
    /// The control API client.
    let control: ControlClient
    /// The child process.
    let process: Process
}

/// The daemons the benchmark starts on 127.0.0.1, each with a fresh repository; ``stopAll()`` stops every
/// one of them, and the owner calls it on every path out (a `defer`).
final class DaemonFleet {
    private let cairn: CairnCommand
    private let directory: String
    private var running: [BenchmarkDaemon] = [] {
        didSet { processIDs.replace(with: running.map(\.process.processIdentifier)) }
    }
    /// The process IDs of the running daemons, readable from any thread (a signal handler kills them).
    let processIDs = ProcessIDSet()

    /// How long a daemon may take to answer its control API after it starts.
    static let startTimeout: Duration = .seconds(30)
    /// How long a daemon may take to connect to the peers it was told to bootstrap to.
    static let connectTimeout: Duration = .seconds(20)
    /// How long a SIGTERMed daemon may take to exit before it gets SIGKILL.
    static let stopTimeout: Duration = .seconds(10)

    /// Creates a fleet whose repositories live under `directory`.
    init(cairn: CairnCommand, directory: String) {
        self.cairn = cairn
        self.directory = directory
    }

    /// Initialises a repository named `name`, starts a daemon on it (LAN DHT, a free loopback port,
    /// bootstrapping to `bootstrap`, plus `extraArguments` such as `--provide 512MiB --storage-profile devnet`)
    /// and waits until it answers and is connected to every bootstrap peer.
    /// - Throws: ``BenchmarkError`` when it does not start or connect in time.
    func start(_ name: String, bootstrap: [BenchmarkDaemon] = [], extraArguments: [String] = []) async throws -> BenchmarkDaemon {
        let repository = directory + "/" + name
        try await cairn.run(["init", "--repo", repository], timeout: .seconds(30))
        let port = try Devnet.freePort()
        var arguments = ["daemon", "--repo", repository, "--listen", "/ip4/127.0.0.1/tcp/\(port)",
                         "--dht-protocol", "/ipfs/lan/kad/1.0.0", "--log-level", "warning"]
        for peer in bootstrap { arguments += ["--bootstrap", peer.address] }
        arguments += extraArguments
        let process = try spawn(arguments, log: repository + "/daemon.log")
        let control = try await waitForControl(repository: repository, process: process, name: name)
        let peerID = try await control.call("id", NoParams(), as: IdReport.self).ID
        let daemon = BenchmarkDaemon(name: name, repository: repository, address: "/ip4/127.0.0.1/tcp/\(port)/p2p/\(peerID)",
                                     peerID: peerID, control: control, process: process)
        running.append(daemon)
        try await waitUntilConnected(daemon, to: bootstrap)
        return daemon
    }

    /// Stops `daemon` (SIGTERM, then SIGKILL after ``stopTimeout``) and deletes its repository.
    func stop(_ daemon: BenchmarkDaemon) async {
        await Self.terminate(daemon.process)
        running.removeAll { $0.process === daemon.process }
        try? FileManager.default.removeItem(atPath: daemon.repository)
    }

    /// SIGKILLs `daemon` (no graceful shutdown, as a crash or a pulled cable would look to its peers) and
    /// reaps it; its repository stays until the work directory goes.
    func sigkill(_ daemon: BenchmarkDaemon) {
        if daemon.process.isRunning {
            Glibc.kill(daemon.process.processIdentifier, SIGKILL)
            daemon.process.waitUntilExit()
        }
        running.removeAll { $0.process === daemon.process }
    }

    /// Stops every daemon still running; safe to call more than once.
    func stopAll() async {
        for daemon in running { await Self.terminate(daemon.process) }
        running.removeAll()
    }

    private func spawn(_ arguments: [String], log: String) throws -> Process {
        guard FileManager.default.createFile(atPath: log, contents: nil), let output = FileHandle(forWritingAtPath: log) else {
            throw BenchmarkError(message: "cannot create \(log)")
        }
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cairn.executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    private func waitForControl(repository: String, process: Process, name: String) async throws -> ControlClient {
        let deadline = ContinuousClock.now + Self.startTimeout
        while ContinuousClock.now < deadline {
            if let client = await ControlClient.connectIfRunning(repositoryPath: repository) { return client }
            guard process.isRunning else {
                throw BenchmarkError(message: "\(name)'s daemon exited at start; see \(repository)/daemon.log")
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        await Self.terminate(process)
        throw BenchmarkError(message: "\(name)'s daemon did not answer within \(Self.startTimeout)")
    }

    /// Waits until `daemon` lists every peer of `peers` in `swarm.peers`.
    func waitUntilConnected(_ daemon: BenchmarkDaemon, to peers: [BenchmarkDaemon]) async throws {
        let wanted = Set(peers.map(\.peerID))
        let deadline = ContinuousClock.now + Self.connectTimeout
        while ContinuousClock.now < deadline {
            let report = try? await daemon.control.call("swarm.peers", NoParams(), as: SwarmPeersReport.self)
            if wanted.isSubset(of: Set(report?.Peers.map(\.Peer) ?? [])) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError(message: "\(daemon.name) did not connect to its \(wanted.count) bootstrap peers within \(Self.connectTimeout)")
    }

    private static func terminate(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + stopTimeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A set of process IDs that any thread may read: the daemons an interrupt handler must kill.
final class ProcessIDSet: @unchecked Sendable {
    // @unchecked Sendable: `identifiers` is only read and written while holding `lock`.
    private let lock = NSLock()
    private var identifiers: [pid_t] = []

    /// Replaces the set with `identifiers`.
    func replace(with identifiers: [pid_t]) {
        lock.lock()
        defer { lock.unlock() }
        self.identifiers = identifiers
    }

    /// The current process IDs.
    var all: [pid_t] {
        lock.lock()
        defer { lock.unlock() }
        return identifiers
    }
}

/// On SIGINT or SIGTERM, SIGKILLs the fleet's daemons, deletes the work directory (when given) and exits
/// with status 130, so an interrupted benchmark leaves no process or directory behind.
///
/// A dispatch signal source rather than a C handler: the handler needs the fleet's process IDs and the
/// path, which a C signal handler cannot capture. This is the benchmark executable, not library code.
final class InterruptCleanup {
    private let sources: [any DispatchSourceSignal]

    init(processIDs: ProcessIDSet, work: String?) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                for pid in processIDs.all { kill(pid, SIGKILL) }
                if let work { removeWorkDirectory(work) }
                FileHandle.standardError.write(Data("cairn-bench: interrupted; daemons killed, work directory removed\n".utf8))
                exit(130)
            }
            source.resume()
            return source
        }
    }

    /// Stops handling the signals (their default action returns).
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Deletes `path`, retrying for up to 2 s: a daemon just killed may still be writing for a moment, and
/// removal fails on a directory that gains a file meanwhile.
func removeWorkDirectory(_ path: String) {
    for _ in 0..<20 {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try? FileManager.default.removeItem(atPath: path)
        usleep(100_000)
    }
}
