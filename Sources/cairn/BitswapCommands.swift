import ArgumentParser
import CairnDaemon
import CairnNode

/// `cairn bitswap`: the block exchange (needs the daemon).
struct BitswapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bitswap",
        abstract: "Inspect the Bitswap block exchange (needs the daemon).",
        subcommands: [BitswapStatCommand.self]
    )
}

/// `cairn bitswap stat`.
struct BitswapStatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stat", abstract: "Blocks and bytes exchanged, wantlist, partners.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "bitswap stat")
            let report = try await client.call("bitswap.stat", NoParams(), as: BitswapStatReport.self)
            if output.json {
                try Output.json(report)
            } else {
                Output.line("bitswap status")
                Output.line("\tblocks received: \(report.BlocksReceived)")
                Output.line("\tblocks sent: \(report.BlocksSent)")
                Output.line("\tdata received: \(report.DataReceived)")
                Output.line("\tdata sent: \(report.DataSent)")
                Output.line("\tdup blocks received: \(report.DupBlksReceived)")
                Output.line("\tdup data received: \(report.DupDataReceived)")
                Output.line("\twantlist [\(report.Wantlist.count) keys]")
                for cid in report.Wantlist { Output.line("\t\t\(cid)") }
                Output.line("\tpartners [\(report.Peers.count)]")
                for peer in report.Peers { Output.line("\t\t\(peer)") }
            }
        }
    }
}
