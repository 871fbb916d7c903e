#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnNode
import Foundation

/// A local network of `cairn daemon` processes on 127.0.0.1, each with its own repository and port,
/// bootstrapped to the first nodes; its state lives in `<directory>/devnet.json`.
public struct Devnet: Sendable {
    /// One node of the network as recorded in `devnet.json`.
    public struct Node: Codable, Sendable, Equatable {
        /// 0-based index.
        public var index: Int
        /// The node's repository.
        public var repository: String
        /// The TCP port it listens on.
        public var port: Int
        /// Its peer ID.
        public var peerID: String
        /// The process ID of its daemon (0 when stopped).
        public var pid: Int32

        /// The full multiaddr other nodes dial.
        public var address: String { "/ip4/127.0.0.1/tcp/\(port)/p2p/\(peerID)" }
    }

    /// The recorded network.
    public struct State: Codable, Sendable, Equatable {
        public var nodes: [Node]
    }

    /// What `status` reports per node.
    public struct NodeStatus: Codable, Sendable, Equatable {
        public var index: Int
        public var peerID: String
        public var address: String
        public var repository: String
        public var running: Bool
        public var pid: Int32
        public var connectedPeers: Int?
    }

    /// The directory holding the node repositories and `devnet.json`.
    public let directory: String
    /// The `cairn` executable that runs each daemon.
    public let executable: String

    /// Creates a handle on the devnet in `directory`.
    public init(directory: String, executable: String) {
        self.directory = directory
        self.executable = executable
    }

    var statePath: String { (directory as NSString).appendingPathComponent("devnet.json") }

    /// The recorded state, or nil when no devnet was created here.
    public func state() throws -> State? {
        guard let data = FileManager.default.contents(atPath: statePath) else { return nil }
        do {
            return try JSONDecoder().decode(State.self, from: data)
        } catch {
            throw NodeError(.repository, "\(statePath) is damaged: \(error); remove \(directory) and run `cairn devnet up` again")
        }
    }

    func save(_ state: State) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(state).write(to: URL(fileURLWithPath: statePath))
    }

    /// Creates (or reuses) `count` node repositories and starts every node that is not running; the first
    /// node starts first and every other node bootstraps to nodes 0 and 1.
    /// - Parameter progress: called with each node once its daemon answers.
    /// The last `providers` nodes are storage providers offering `provideBytes` each; every node uses the
    /// devnet storage profile (seconds-scale audits and repair, several providers on 127.0.0.1 allowed).
    public func up(count: Int, providers: Int = 0, provideBytes: Int64 = 2 << 30, timeout: Duration = .seconds(60),
                   progress: (Node) -> Void = { _ in }) async throws -> State {
        guard (1...200).contains(count) else { throw NodeError(.invalidInput, "--nodes must be between 1 and 200") }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var state = try self.state() ?? State(nodes: [])
        if state.nodes.count > count {
            throw NodeError(.invalidInput, "this devnet already has \(state.nodes.count) nodes; run `cairn devnet down --clean` to start over with fewer")
        }
        for index in state.nodes.count..<count {
            let repository = (directory as NSString).appendingPathComponent("node-\(index)")
            if !FileManager.default.fileExists(atPath: (repository as NSString).appendingPathComponent("config.json")) {
                _ = try Repository.initialize(at: repository, now: Date())
            }
            let repo = try Repository.open(at: repository)
            let port = try Self.freePort()
            var network = try repo.networkConfig()
            network.listen = ["/ip4/127.0.0.1/tcp/\(port)"]
            network.dhtProtocol = "/ipfs/lan/kad/1.0.0"
            network.reprovideIntervalSeconds = 600
            try repo.setNetworkConfig(network)
            state.nodes.append(Node(index: index, repository: repository, port: port,
                                    peerID: try repo.identity().peerID.description, pid: 0))
        }
        // Every node bootstraps to the first two (which bootstrap to each other).
        let seeds = state.nodes.prefix(2).map(\.address)
        for index in state.nodes.indices {
            let repo = try Repository.open(at: state.nodes[index].repository)
            var network = try repo.networkConfig()
            network.bootstrap = seeds.filter { $0 != state.nodes[index].address }
            try repo.setNetworkConfig(network)
            var storage = try repo.storageConfig()
            storage.profile = "devnet"
            if index >= count - providers { storage.provideBytes = provideBytes }
            try repo.setStorageConfig(storage)
        }
        try save(state)
        for index in state.nodes.indices where !Self.isRunning(state.nodes[index].pid) {
            state.nodes[index].pid = try spawn(state.nodes[index])
            try save(state)
            try await waitUntilReady(state.nodes[index], timeout: timeout)
            progress(state.nodes[index])
        }
        return state
    }

    /// Starts one stopped node again (same repository, port and identity).
    public func start(index: Int, timeout: Duration = .seconds(60)) async throws -> Node {
        guard var state = try state(), state.nodes.indices.contains(index) else {
            throw NodeError(.notFound, "no node \(index) in the devnet at \(directory)")
        }
        if !Self.isRunning(state.nodes[index].pid) {
            state.nodes[index].pid = try spawn(state.nodes[index])
            try save(state)
            try await waitUntilReady(state.nodes[index], timeout: timeout)
        }
        return state.nodes[index]
    }

    /// Stops one node: SIGTERM (or SIGKILL with `kill`), then waits for it to exit.
    public func stop(index: Int, kill: Bool = false) async throws {
        guard var state = try state(), state.nodes.indices.contains(index) else {
            throw NodeError(.notFound, "no node \(index) in the devnet at \(directory)")
        }
        await Self.terminate(state.nodes[index].pid, signal: kill ? SIGKILL : SIGTERM)
        state.nodes[index].pid = 0
        try save(state)
    }

    /// Stops every node; with `clean`, deletes the directory too.
    public func down(clean: Bool) async throws -> Int {
        guard var state = try state() else { return 0 }
        var stopped = 0
        for index in state.nodes.indices where Self.isRunning(state.nodes[index].pid) {
            await Self.terminate(state.nodes[index].pid, signal: SIGTERM)
            state.nodes[index].pid = 0
            stopped += 1
        }
        if clean {
            try FileManager.default.removeItem(atPath: directory)
        } else {
            try save(state)
        }
        return stopped
    }

    /// Each node's state, asking running daemons for their peer count.
    public func status() async throws -> [NodeStatus] {
        guard let state = try state() else {
            throw NodeError(.notFound, "no devnet at \(directory); create one with `cairn devnet up --nodes N`")
        }
        var statuses: [NodeStatus] = []
        for node in state.nodes {
            let running = Self.isRunning(node.pid)
            var peers: Int?
            if running, let client = await ControlClient.connectIfRunning(repositoryPath: node.repository) {
                peers = (try? await client.call("swarm.peers", NoParams(), as: SwarmPeersReport.self))
                    .map { Set($0.Peers.map(\.Peer)).count }
            }
            statuses.append(NodeStatus(index: node.index, peerID: node.peerID, address: node.address, repository: node.repository,
                                       running: running, pid: running ? node.pid : 0, connectedPeers: peers))
        }
        return statuses
    }

    // MARK: - Processes

    private func spawn(_ node: Node) throws -> Int32 {
        let logPath = (node.repository as NSString).appendingPathComponent("daemon.log")
        let arguments = [executable, "daemon", "--repo", node.repository]
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        // Nothing else is inherited: a daemon holding our caller's pipes would keep them open after we exit.
        for descriptor in Self.openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&fileActions, descriptor)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new session: the daemons outlive the terminal and the `devnet up` that started them.
        posix_spawnattr_setflags(&attributes, Self.spawnNewSession)
        var pid: pid_t = 0
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        let result = posix_spawn(&pid, executable, &fileActions, &attributes, cArguments, environ)
        guard result == 0 else {
            throw NodeError(.failed, "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    private func waitUntilReady(_ node: Node, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await ControlClient.connectIfRunning(repositoryPath: node.repository) != nil { return }
            guard Self.isRunning(node.pid) else {
                let log = (node.repository as NSString).appendingPathComponent("daemon.log")
                throw NodeError(.failed, "node \(node.index)'s daemon exited at start; see \(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw NodeError(.failed, "node \(node.index)'s daemon did not answer within \(timeout)")
    }

    #if os(Linux)
    /// glibc's `POSIX_SPAWN_SETSID` (0x80), hidden from Swift behind `_GNU_SOURCE`.
    static let spawnNewSession: Int16 = 0x80
    #else
    static let spawnNewSession = Int16(POSIX_SPAWN_SETSID)
    #endif

    /// This process's open file descriptors (from /proc/self/fd), checked still open after the listing.
    static func openDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap(Int32.init).filter { fcntl($0, F_GETFD) != -1 }.sorted()
    }

    /// Whether `pid` is a live process we may signal (reaping it if it is our exited child).
    static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        return kill(pid, 0) == 0
    }

    /// Signals `pid` and waits up to 15 s for it to exit, then kills it.
    static func terminate(_ pid: Int32, signal: Int32) async {
        guard isRunning(pid) else { return }
        kill(pid, signal)
        for _ in 0..<300 {
            if !isRunning(pid) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(pid, SIGKILL)
        for _ in 0..<100 where isRunning(pid) { try? await Task.sleep(for: .milliseconds(50)) }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    public static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw NodeError(.failed, "cannot create a socket to find a free port") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketFD, socketAddress, length) == 0 && getsockname(socketFD, socketAddress, &length) == 0
            }
        }
        guard bound else { throw NodeError(.failed, "cannot find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
