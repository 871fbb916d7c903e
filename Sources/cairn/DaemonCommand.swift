import ArgumentParser
import CairnDaemon
import CairnNode
import Foundation
import Logging
import ServiceLifecycle

/// `cairn daemon`: run the node on the network until SIGINT/SIGTERM.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the node: listen, join the network, serve blocks, and answer other cairn commands.",
        discussion: """
            While the daemon runs, other commands on the same repository talk to it (through the address in \
            <repo>/api): `cat` and `get` fetch missing content from the network, `add` announces new content. \
            --listen and --bootstrap override the repository config's `network` section. SIGINT or SIGTERM \
            stop it gracefully.
            """
    )

    @OptionGroup var repository: RepositoryOptions

    @Option(name: .long, help: "Multiaddr to listen on, e.g. /ip4/127.0.0.1/tcp/4101 (repeatable).")
    var listen: [String] = []

    @Option(name: .long, help: "Peer to connect to at start: a multiaddr ending in /p2p/ID (repeatable).")
    var bootstrap: [String] = []

    @Option(name: .long, help: "DHT protocol: /ipfs/kad/1.0.0, or /ipfs/lan/kad/1.0.0 for LAN and loopback peers.")
    var dhtProtocol: String?

    @Flag(name: .long, help: "Run the DHT in client mode (ask, never answer).")
    var dhtClient = false

    @Option(name: .long, help: "Be a storage provider offering this much space, e.g. 20GiB (overrides the config's storage.provideBytes).")
    var provide: String?

    @Option(name: .long, help: "With --provide: asking price per GiB-month, in micro-tokens.")
    var price: Int64?

    @Option(name: .customLong("storage-profile"), help: "Storage timers: standard, or devnet (seconds-scale audits and repair).")
    var storageProfile: String?

    @Option(name: .customLong("audit-interval"), help: "Seconds between audits of each storage contract (overrides the profile).")
    var auditInterval: Double?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        try await reportingErrors {
            let repo = try repository.open()
            var options = try NetworkNodeOptions(config: try repo.networkConfig())
            if !listen.isEmpty { options.listenAddresses = try listen.map(NetworkNodeOptions.parse) }
            if !bootstrap.isEmpty { options.bootstrapAddresses = try bootstrap.map(NetworkNodeOptions.parse) }
            if let dhtProtocol { options.dhtProtocol = dhtProtocol }
            if dhtClient { options.dhtServerMode = false }
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw NodeError(.invalidInput, "unknown --log-level \(logLevel)")
            }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            if provide != nil || price != nil || storageProfile != nil || auditInterval != nil {
                var storage = try repo.storageConfig()
                if let provide { storage.provideBytes = try StorageConfig.parseSize(provide) }
                if let price { storage.pricePerGiBMonth = price }
                if let auditInterval {
                    guard auditInterval > 0 else { throw NodeError(.invalidInput, "--audit-interval must be > 0 seconds") }
                    storage.auditIntervalSeconds = auditInterval
                }
                if let storageProfile {
                    guard ["standard", "devnet"].contains(storageProfile) else {
                        throw NodeError(.invalidInput, "--storage-profile is standard or devnet")
                    }
                    storage.profile = storageProfile
                }
                try repo.setStorageConfig(storage)
            }
            DaemonMetrics.bootstrap()
            let logger = Logger(label: "cairn.daemon")
            let node = try NetworkNode(repository: repo, options: options, logger: logger)
            let service = DaemonService(node: node, logger: logger) { report, control in
                Output.line("peer ID \(report.ID)")
                for address in report.Addresses { Output.line("listening on \(address)") }
                Output.line("control API on \(control.host):\(control.port)")
                Output.line("daemon is ready")
            }
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}

/// Finds the daemon running on a repository.
enum DaemonConnection {
    /// The running daemon's client, or nil.
    static func running(on repository: RepositoryOptions) async -> ControlClient? {
        await ControlClient.connectIfRunning(repositoryPath: repository.path)
    }

    /// The running daemon's client, or a `NodeError(.noDaemon)` saying how to start one.
    static func required(on repository: RepositoryOptions, for command: String) async throws -> ControlClient {
        guard let client = await running(on: repository) else {
            throw NodeError(.noDaemon, "`cairn \(command)` needs the daemon: start it with `cairn daemon --repo \(repository.path)`")
        }
        return client
    }
}
