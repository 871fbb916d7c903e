import ArgumentParser
import CairnCore
import CairnNode

/// `cairn pin add|rm|ls`: keep content safe from garbage collection.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Pin content so garbage collection keeps it.",
        subcommands: [PinAddCommand.self, PinRemoveCommand.self, PinListCommand.self]
    )
}

/// `cairn pin add`.
struct PinAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Pin a CID (recursively by default; the whole DAG must be present)."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Pin the whole DAG (true) or only the root block (false).")
    var recursive: Bool = true

    @Argument(help: "CIDs to pin.")
    var cids: [String]

    func run() async throws {
        try await reportingErrors {
            let repo = try repository.open()
            var pinned: [String] = []
            for text in cids {
                let cid = try CID(text)
                try await NetworkFetch.reading(repository, path: cid.description, quiet: output.json, timeout: 600) {
                    try await repo.pinAdd(cid, recursive: recursive)
                }
                pinned.append(cid.description)
            }
            if output.json {
                try Output.json(["Pins": pinned])
            } else {
                for cid in pinned { Output.line("pinned \(cid) \(recursive ? "recursively" : "directly")") }
            }
        }
    }
}

/// `cairn pin rm`.
struct PinRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove pins; the blocks stay until `cairn repo gc`."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "CIDs to unpin.")
    var cids: [String]

    func run() async throws {
        try await reportingErrors {
            let repo = try repository.open()
            var removed: [String] = []
            for text in cids {
                let cid = try CID(text)
                try repo.pinRemove(cid)
                removed.append(cid.description)
            }
            if output.json {
                try Output.json(["Pins": removed])
            } else {
                for cid in removed { Output.line("unpinned \(cid)") }
            }
        }
    }
}

/// `cairn pin ls`.
struct PinListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List pins.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("type"), help: "Which pins: all, recursive or direct.")
    var kind: String = "all"

    func run() async throws {
        try await reportingErrors {
            guard ["all", "recursive", "direct"].contains(kind) else {
                throw NodeError(.invalidInput, "--type must be all, recursive or direct, not '\(kind)'")
            }
            let pins = try repository.open().pins().filter { kind == "all" || $0.type == kind }
            if output.json {
                try Output.json(pins)
            } else {
                for pin in pins { Output.line("\(pin.cid) \(pin.type)") }
            }
        }
    }
}
