import ArgumentParser
import CairnDaemon
import CairnNode

/// `cairn swarm`: the node's connections.
struct SwarmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm",
        abstract: "List, open and close connections to peers (needs the daemon).",
        subcommands: [SwarmPeersCommand.self, SwarmConnectCommand.self, SwarmDisconnectCommand.self]
    )
}

/// `cairn swarm peers`.
struct SwarmPeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peers", abstract: "List connected peers.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "swarm peers")
            let report = try await client.call("swarm.peers", NoParams(), as: SwarmPeersReport.self)
            if output.json {
                try Output.json(report)
            } else {
                for peer in report.Peers { Output.line("\(peer.Addr)/p2p/\(peer.Peer)") }
            }
        }
    }
}

/// `cairn swarm connect`.
struct SwarmConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connect", abstract: "Connect to peers by multiaddr (…/p2p/ID).")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Multiaddrs, e.g. /ip4/127.0.0.1/tcp/4101/p2p/12D3KooW…")
    var addresses: [String]

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "swarm connect")
            let report = try await client.call("swarm.connect", SwarmConnectParams(addresses: addresses), as: SwarmChangeReport.self)
            if output.json {
                try Output.json(report)
            } else {
                for peer in report.Peers { Output.line("connect \(peer) success") }
            }
        }
    }
}

/// `cairn swarm disconnect`.
struct SwarmDisconnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disconnect", abstract: "Close every connection to a peer.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Peer ID or multiaddr ending in /p2p/ID.")
    var peer: String

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "swarm disconnect")
            let report = try await client.call("swarm.disconnect", PeerParams(peer: peer), as: SwarmChangeReport.self)
            if output.json {
                try Output.json(report)
            } else {
                for peer in report.Peers { Output.line("disconnect \(peer) success") }
            }
        }
    }
}
