import ArgumentParser

/// The `cairn` command line: `ipfs`-style verbs over a local content-addressed repository.
@main
struct Cairn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "Cairn: content-addressed, IPFS-compatible storage.",
        discussion: """
            The repository lives in $CAIRN_PATH (default ~/.cairn); --repo DIR overrides it.

            Exit codes: 0 ok, 1 failed, 2 bad input, 3 no usable repository, 4 not found, \
            5 data failed verification, 6 disk full, 7 repository busy, 8 no daemon running, \
            9 network failure, 10 passphrase or key refused, 64 usage error.
            """,
        version: CairnVersion.string,
        subcommands: [
            InitCommand.self, IdCommand.self, AddCommand.self, CatCommand.self, GetCommand.self, ListCommand.self,
            PinCommand.self, RepoCommand.self, DagCommand.self, DaemonCommand.self, SwarmCommand.self, DHTCommand.self, BitswapCommand.self, DevnetCommand.self,
            CapCommand.self, FilesCommand.self, KeyCommand.self, ProvidersCommand.self, HealthCommand.self, MetricsCommand.self,
        ]
    )
}

/// The version printed by `cairn --version` and recorded in new repositories.
enum CairnVersion {
    static let string = "0.1.0"
}
