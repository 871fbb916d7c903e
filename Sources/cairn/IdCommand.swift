import ArgumentParser
import CairnCore
import CairnCrypto
import CairnNode
import Foundation

/// `cairn id`: the node's peer ID, as `ipfs id` prints it.
struct IdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: "Show the node's peer ID and public key.",
        discussion: "Addresses are listed once the node listens on the network (`cairn daemon`, coming with networking)."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let key = try repository.open().identity()
            let report = IdReport(
                ID: key.peerID.description,
                PublicKey: Data(key.publicKey.protobufBytes).base64EncodedString(),
                Addresses: [],
                AgentVersion: "cairn/\(CairnVersion.string)",
                ProtocolVersion: "ipfs/0.1.0"
            )
            if output.json {
                try Output.json(report)
            } else {
                Output.line(report.ID)
            }
        }
    }
}

/// The JSON shape of `cairn id`, named as `ipfs id` names its fields.
struct IdReport: Encodable {
    let ID: String
    let PublicKey: String
    let Addresses: [String]
    let AgentVersion: String
    let ProtocolVersion: String
}
