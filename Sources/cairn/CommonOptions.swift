import ArgumentParser
import CairnNode
import Foundation

/// Options every repository command takes.
struct RepositoryOptions: ParsableArguments {
    @Option(name: .long, help: "Repository directory (default: $CAIRN_PATH or ~/.cairn).")
    var repo: String?

    /// The repository path chosen by `--repo`, `$CAIRN_PATH` or the default.
    var path: String {
        repo ?? Repository.defaultPath(environment: ProcessInfo.processInfo.environment)
    }

    /// Opens the repository, turning a missing one into an error that says to run `cairn init`.
    func open() throws -> Repository {
        try Repository.open(at: path)
    }
}

/// The `--json` switch of reporting commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false
}
