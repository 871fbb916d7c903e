import ArgumentParser
import CairnCore
import CairnNode
import Foundation

/// `cairn init`: create a repository.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a new repository.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let report = try Repository.initialize(at: repository.path, now: Date())
            if output.json {
                try Output.json(report)
            } else {
                Output.line("initialized an empty Cairn repository in \(report.path)")
            }
        }
    }
}

/// `cairn repo gc|verify|stat`.
struct RepoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repo",
        abstract: "Maintain the repository.",
        subcommands: [RepoGCCommand.self, RepoVerifyCommand.self, RepoStatCommand.self]
    )
}

/// `cairn repo gc`.
struct RepoGCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete every block not reachable from a pin.",
        discussion: "Waits for running adds and imports to finish; never removes a block reachable from a pin."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let report = try await repository.open().collectGarbage()
            if output.json {
                try Output.json(report)
            } else {
                Output.line("removed \(report.removedBlocks) blocks (\(report.removedBytes) bytes), kept \(report.keptBlocks)")
            }
        }
    }
}

/// `cairn repo verify`.
struct RepoVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash every block and list the ones that do not match their CID.",
        discussion: "Exits with status 5 when any block is corrupt."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let repo = try repository.open()
            let bar = ProgressBar(label: "verifying", total: nil, minimumBytes: 0, quiet: output.json)
            let report = try repo.verify { bar.advance(by: $0) }
            bar.finish()
            if output.json {
                try Output.json(report)
            } else {
                for bad in report.corrupt { Output.line("corrupt \(bad.cid) \(bad.path): \(bad.reason)") }
                Output.line("verified \(report.checkedBlocks) blocks: \(report.corrupt.isEmpty ? "all good" : "\(report.corrupt.count) corrupt")")
            }
            if !report.corrupt.isEmpty { throw ExitCode(exitStatus(for: .corrupt)) }
        }
    }
}

/// `cairn repo stat`.
struct RepoStatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stat", abstract: "Show block, byte and pin counts.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let stat = try repository.open().stat()
            if output.json {
                try Output.json(stat)
            } else {
                Output.line("path:      \(stat.path)")
                Output.line("blocks:    \(stat.blocks)")
                Output.line("bytes:     \(stat.bytes)")
                Output.line("pins:      \(stat.recursivePins) recursive, \(stat.directPins) direct")
                Output.line("files:     \(stat.files)")
            }
        }
    }
}

/// `cairn dag export|import`: CAR v1 files, the exit path for any DAG.
struct DagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dag",
        abstract: "Export and import DAGs as CAR v1 files.",
        subcommands: [DagExportCommand.self, DagImportCommand.self]
    )
}

/// `cairn dag export`.
struct DagExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the DAG under a CID as a CAR v1 stream to stdout (or -o FILE)."
    )

    @OptionGroup var repository: RepositoryOptions

    @Option(name: .shortAndLong, help: "Write to this file instead of stdout.")
    var outputPath: String?

    @Argument(help: "Root CID.")
    var cid: String

    func run() async throws {
        try await reportingErrors {
            let root = try CID(cid)
            let repo = try repository.open()
            let bar = ProgressBar(label: "exporting", total: try await repo.dagSize(root))
            if let outputPath {
                try await repo.exportCAR(root: root, toFile: outputPath) { bar.advance(by: $0) }
            } else {
                try await repo.exportCAR(root: root, output: { try Output.writeRaw($0) }) { bar.advance(by: $0) }
            }
            bar.finish()
        }
    }
}

/// `cairn dag import`.
struct DagImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the blocks of CAR v1 files and pin their roots.",
        discussion: "Every block is verified; a truncated or corrupt CAR imports nothing and says where it broke."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("pin-roots"), help: "Pin the roots whose DAG is complete (default true).")
    var pinRoots: Bool = true

    @Argument(help: "CAR files.")
    var files: [String]

    func run() async throws {
        try await reportingErrors {
            let repo = try repository.open()
            var reports: [CARImportReport] = []
            for file in files {
                reports.append(try await repo.importCAR(fromFile: file, pinRoots: pinRoots))
            }
            if output.json {
                try Output.json(reports)
            } else {
                for report in reports {
                    Output.line("imported \(report.blocks) blocks (\(report.bytes) bytes) from \(report.file)")
                    for root in report.pinnedRoots { Output.line("pinned root \(root)") }
                    for root in report.incompleteRoots { Output.line("root \(root) not pinned: its DAG is incomplete") }
                }
            }
        }
    }
}
