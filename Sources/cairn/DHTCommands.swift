import ArgumentParser
import CairnDaemon
import CairnNode

/// `cairn dht`: ask and tell the Kademlia DHT (needs the daemon).
struct DHTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dht",
        abstract: "Find providers and peers, and announce content, through the DHT (needs the daemon).",
        subcommands: [DHTFindProvidersCommand.self, DHTFindPeerCommand.self, DHTProvideCommand.self]
    )
}

/// `cairn dht findprovs`.
struct DHTFindProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "findprovs", abstract: "Find peers that provide a CID.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Option(name: [.customShort("n"), .long], help: "Stop after this many providers.")
    var count: Int = 20

    @Option(name: .long, help: "Give up after this many seconds.")
    var timeout: Double = 30

    @Argument(help: "The CID.")
    var cid: String

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "dht findprovs")
            let report = try await client.call("dht.findprovs", FindProvidersParams(cid: cid, count: count, timeoutSeconds: timeout),
                                               as: ProvidersReport.self)
            if output.json {
                try Output.json(report)
            } else {
                for provider in report.Providers { Output.line(provider.ID) }
            }
        }
    }
}

/// `cairn dht findpeer`.
struct DHTFindPeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "findpeer", abstract: "Find a peer's addresses.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The peer ID.")
    var peer: String

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "dht findpeer")
            let report = try await client.call("dht.findpeer", PeerParams(peer: peer), as: PeerAddressesReport.self)
            if output.json {
                try Output.json(report)
            } else {
                for address in report.Addrs { Output.line(address) }
            }
        }
    }
}

/// `cairn dht provide`.
struct DHTProvideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "provide", abstract: "Announce that this node provides CIDs.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "CIDs held by this node.")
    var cids: [String]

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "dht provide")
            let report = try await client.call("dht.provide", CIDsParams(cids: cids), as: ProvideReport.self)
            if output.json {
                try Output.json(report)
            } else {
                Output.line("provided \(report.Provided.count) CID\(report.Provided.count == 1 ? "" : "s") to \(report.PeersReached) peers")
            }
        }
    }
}
