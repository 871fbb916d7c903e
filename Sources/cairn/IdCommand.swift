import ArgumentParser
import CairnCore
import CairnCrypto
import CairnDaemon
import CairnNode
import Foundation

/// `cairn id`: the node's peer ID and addresses, as `ipfs id` prints them.
struct IdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: "Show the node's peer ID, public key and addresses.",
        discussion: "Addresses are the running daemon's listen addresses with /p2p/ID; without a daemon the list is empty."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let report: IdReport
            if let client = await DaemonConnection.running(on: repository) {
                report = try await client.call("id", NoParams(), as: IdReport.self)
            } else {
                let key = try repository.open().identity()
                report = IdReport(ID: key.peerID.description, PublicKey: Data(key.publicKey.protobufBytes).base64EncodedString(),
                                  Addresses: [], AgentVersion: "cairn/\(CairnVersion.string)", ProtocolVersion: "ipfs/0.1.0")
            }
            if output.json {
                try Output.json(report)
            } else {
                Output.line(report.ID)
                for address in report.Addresses { Output.line(address) }
            }
        }
    }
}
