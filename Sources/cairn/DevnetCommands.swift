import ArgumentParser
import CairnDaemon
import CairnNode
import Foundation

/// `cairn devnet`: a local network of daemons for trying Cairn out and for tests.
struct DevnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devnet",
        abstract: "Run a local network of cairn daemons on 127.0.0.1.",
        discussion: """
            Each node is a separate `cairn daemon` process with its own repository (<dir>/node-N) and port, \
            using the LAN DHT protocol and bootstrapped to nodes 0 and 1. Talk to node N with \
            `cairn <command> --repo <dir>/node-N` (or CAIRN_PATH=<dir>/node-N cairn <command>). The directory defaults to \
            $CAIRN_DEVNET or ~/.cairn-devnet.
            """,
        subcommands: [DevnetUpCommand.self, DevnetStatusCommand.self, DevnetDownCommand.self,
                      DevnetStopCommand.self, DevnetStartCommand.self]
    )
}

/// Options every devnet command takes.
struct DevnetOptions: ParsableArguments {
    @Option(name: .long, help: "The devnet directory (default: $CAIRN_DEVNET or ~/.cairn-devnet).")
    var dir: String?

    var devnet: Devnet {
        let environment = ProcessInfo.processInfo.environment
        let directory = dir ?? environment["CAIRN_DEVNET"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cairn-devnet")
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return Devnet(directory: (directory as NSString).standardizingPath, executable: executable)
    }
}

/// `cairn devnet up`.
struct DevnetUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "up", abstract: "Create and start N nodes (reusing existing ones).")

    @OptionGroup var options: DevnetOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "How many nodes.")
    var nodes: Int = 4

    @Option(name: .long, help: "How many of them (the last ones) are storage providers.")
    var providers: Int = 0

    @Option(name: .customLong("provide-size"), help: "Space each provider offers, e.g. 2GiB.")
    var provideSize: String = "2GiB"

    func run() async throws {
        try await reportingErrors {
            let devnet = options.devnet
            guard (0...nodes).contains(providers) else { throw NodeError(.invalidInput, "--providers must be between 0 and --nodes") }
            let state = try await devnet.up(count: nodes, providers: providers, provideBytes: try StorageConfig.parseSize(provideSize)) { node in
                if !output.json { Output.line("node \(node.index) up: \(node.address)\(node.index >= nodes - providers ? " (provider)" : "")") }
            }
            if output.json {
                try Output.json(state)
            } else {
                Output.line("")
                Output.line("\(state.nodes.count) nodes running in \(devnet.directory). Talk to node N with:")
                Output.line("  cairn <command> --repo \(devnet.directory)/node-N     e.g. cairn swarm peers --repo \(devnet.directory)/node-0")
                Output.line("`cairn devnet status` shows them; `cairn devnet down` stops them.")
            }
        }
    }
}

/// `cairn devnet status`.
struct DevnetStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show each node: running, peers, address.")

    @OptionGroup var options: DevnetOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let statuses = try await options.devnet.status()
            if output.json {
                try Output.json(statuses)
            } else {
                for status in statuses {
                    let state = status.running ? "running (pid \(status.pid), \(status.connectedPeers ?? 0) peers)" : "stopped"
                    Output.line("node \(status.index)  \(state)  \(status.address)  --repo \(status.repository)")
                }
            }
        }
    }
}

/// `cairn devnet down`.
struct DevnetDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop every node (SIGTERM).")

    @OptionGroup var options: DevnetOptions

    @Flag(name: .long, help: "Also delete the devnet directory and every node's repository.")
    var clean = false

    func run() async throws {
        try await reportingErrors {
            let stopped = try await options.devnet.down(clean: clean)
            Output.line("stopped \(stopped) node\(stopped == 1 ? "" : "s")\(clean ? "; removed \(options.devnet.directory)" : "")")
        }
    }
}

/// `cairn devnet stop N`.
struct DevnetStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop one node (to watch the network cope).")

    @OptionGroup var options: DevnetOptions

    @Flag(name: .long, help: "SIGKILL instead of a graceful SIGTERM.")
    var kill = false

    @Argument(help: "The node's index.")
    var node: Int

    func run() async throws {
        try await reportingErrors {
            try await options.devnet.stop(index: node, kill: kill)
            Output.line("node \(node) stopped")
        }
    }
}

/// `cairn devnet start N`.
struct DevnetStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start one stopped node again.")

    @OptionGroup var options: DevnetOptions

    @Argument(help: "The node's index.")
    var node: Int

    func run() async throws {
        try await reportingErrors {
            let started = try await options.devnet.start(index: node)
            Output.line("node \(started.index) up: \(started.address)")
        }
    }
}
