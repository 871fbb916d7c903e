#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CairnCore
import CairnNode
import Foundation

/// `cairn add`: import files or directories as UnixFS DAGs with the CIDs `ipfs add` gives.
struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add files or directories to the repository and print their CIDs.",
        discussion: """
            Same defaults as `ipfs add`: 256 KiB chunks, balanced DAG, CIDv0 with dag-pb leaves; \
            --cid-version 1 switches to raw leaves. The same bytes get the same CID as in kubo. \
            Blocks are synced to disk before the pin is recorded, so a crash never leaves a pin \
            pointing at an incomplete DAG.

            --private encrypts each file on this machine (AES-256-GCM, a fresh key per file, or --convergent), \
            pads it to hide its exact size, and splits every segment into N Reed–Solomon shares of which any K \
            rebuild it. It prints the read-cap (`cairn-read-v1-…`), which is the only way to read the file: \
            keep it secret. The key is also kept in your passphrase-protected keyring (`cairn files ls`).
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .shortAndLong, help: "Add directory paths recursively.")
    var recursive = false

    @Flag(name: [.customShort("H"), .long], help: "Include files whose names start with a dot (with -r).")
    var hidden = false

    @Flag(name: .shortAndLong, help: "Print only the CIDs.")
    var quiet = false

    @Flag(name: [.customShort("Q"), .long], help: "Print only the final CID.")
    var quieter = false

    @Flag(name: [.customShort("n"), .customLong("only-hash")], help: "Only compute the CIDs; store nothing.")
    var onlyHash = false

    @Option(name: .customLong("cid-version"), help: "CID version: 0 (default) or 1 (implies --raw-leaves).")
    var cidVersion: Int = 0

    @Flag(name: .customLong("raw-leaves"), inversion: .prefixedNo,
          help: "Use raw blocks for leaves (default: on with --cid-version 1, off otherwise).")
    var rawLeaves: Bool?

    @Option(name: .long, help: "Chunking algorithm: size-N (fixed N-byte chunks).")
    var chunker: String = "size-262144"

    @Option(name: .long, help: "Pin the added content (default true; --pin=false leaves it to GC).")
    var pin: Bool = true

    @OptionGroup(title: "Private files") var privateFile: PrivateAddArguments

    @Argument(help: "Files or directories to add; - (or nothing, when piped) reads standard input.")
    var paths: [String] = []

    /// The paths to import: standard input when none are given and stdin is not a terminal.
    private var inputs: [String] {
        paths.isEmpty ? [AddOptions.standardInputPath] : paths
    }

    func validate() throws {
        if paths.isEmpty && isatty(STDIN_FILENO) == 1 {
            throw ValidationError("nothing to add: pass files or directories, or pipe data in (or use -)")
        }
        guard cidVersion == 0 || cidVersion == 1 else {
            throw ValidationError("--cid-version must be 0 or 1, not \(cidVersion)")
        }
        if cidVersion == 0 && rawLeaves == true {
            throw ValidationError("--raw-leaves needs --cid-version 1 (a CIDv0 can only name dag-pb blocks)")
        }
    }

    func run() async throws {
        if privateFile.isPrivate {
            try await reportingErrors {
                try await PrivateAdd.run(paths: paths, arguments: privateFile, repository: repository, json: output.json, quiet: quiet || quieter)
            }
            return
        }
        try await reportingErrors {
            var options = AddOptions()
            options.cidVersion = cidVersion == 1 ? .v1 : .v0
            options.rawLeaves = rawLeaves
            options.chunker = chunker
            options.pin = pin
            options.recursive = recursive
            options.includeHidden = hidden
            // Sizing a tree walks it; only worth doing when a progress bar will be drawn.
            let total = isatty(STDERR_FILENO) == 1 && !output.json ? try options.totalBytes(of: inputs) : nil
            let bar = ProgressBar(label: "adding", total: total, quiet: output.json)
            let progress: @Sendable (Int64) -> Void = { bar.advance(by: $0) }
            let added: [AddedEntry]
            if onlyHash {
                added = try await Repository.hashOnly(paths: inputs, options: options, progress: progress)
            } else {
                added = try await repository.open().add(paths: inputs, options: options, progress: progress)
            }
            bar.finish()
            try report(added)
            if !onlyHash {
                await NetworkFetch.announce(repository, cids: added.filter(\.isTopLevel).map(\.cid.description))
            }
        }
    }

    private func report(_ added: [AddedEntry]) throws {
        if output.json {
            try Output.json(added.map { AddedJSON(Name: $0.name, Hash: $0.cid.description, Size: $0.size) })
        } else if quieter {
            if let last = added.last(where: { $0.isTopLevel }) { Output.line(last.cid.description) }
        } else {
            for entry in added {
                Output.line(quiet ? entry.cid.description : "added \(entry.cid) \(entry.name)")
            }
        }
    }
}

/// The JSON shape of one added entry, named as `ipfs add --enc=json` names it.
struct AddedJSON: Encodable {
    let Name: String
    let Hash: String
    let Size: UInt64
}
