#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CairnCore
import CairnNode
import CairnPrivate
import CairnStorage
import CairnDaemon
import Foundation

/// Where a command gets the keyring passphrase: `--passphrase-fd N` (one line read from that file
/// descriptor), else `$CAIRN_PASSPHRASE`, else a prompt when a terminal is attached.
struct PassphraseOptions: ParsableArguments {
    @Option(name: .customLong("passphrase-fd"), help: "Read the keyring passphrase from this file descriptor (first line).")
    var passphraseFD: Int32?

    /// The passphrase; `confirm` asks twice when prompting (creating a keyring).
    func passphrase(confirm: Bool = false) throws -> String {
        try Passphrase.read(fd: passphraseFD, environmentName: "CAIRN_PASSPHRASE", prompt: "Keyring passphrase: ", confirm: confirm)
    }
}

/// Reading passphrases without echo and without ever printing them.
enum Passphrase {
    static func read(fd: Int32?, environmentName: String, prompt: String, confirm: Bool) throws -> String {
        if let fd {
            var bytes: [UInt8] = []
            var byte: UInt8 = 0
            while bytes.count < 4096, Glibc.read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard !bytes.isEmpty else { throw NodeError(.invalidInput, "no passphrase could be read from file descriptor \(fd)") }
            return String(decoding: bytes, as: UTF8.self)
        }
        if let value = ProcessInfo.processInfo.environment[environmentName], !value.isEmpty { return value }
        guard isatty(STDIN_FILENO) == 1, let first = getpass(prompt).map({ String(cString: $0) }), !first.isEmpty else {
            throw NodeError(.invalidInput, "the keyring needs a passphrase: set \(environmentName), pass --passphrase-fd, or run in a terminal")
        }
        if confirm {
            guard let second = getpass("Repeat: ").map({ String(cString: $0) }), second == first else {
                throw NodeError(.invalidInput, "the two passphrases differ")
            }
        }
        return first
    }
}

/// Private-file options of `cairn add`.
struct PrivateAddArguments: ParsableArguments {
    @Flag(name: .customLong("private"), help: "Encrypt on this machine and erasure-code into shares; prints the read-cap.")
    var isPrivate = false

    @Option(name: .long, help: "With --private: K/N, any K of N shares rebuild each segment (default 10/20, or less on a network with fewer providers).")
    var shares: String?

    @Flag(name: .long, help: "With --private: keep the shares in this repository even when a daemon runs (no placement on providers).")
    var local = false

    @Option(name: .customLong("segment-size"), help: "With --private: plaintext bytes per segment (4096…8388608, default 1048576).")
    var segmentSize: Int = ErasureParameters.standard.segmentByteCount

    @Flag(name: .long, help: "With --private: derive the key from the content and your convergence secret, so your duplicates dedupe.")
    var convergent = false

    @OptionGroup var passphrase: PassphraseOptions

    func options() throws -> PrivateAddOptions {
        do {
            let parameters = try ErasureParameters(shares: shares ?? "10/20", segmentByteCount: segmentSize)
            return PrivateAddOptions(parameters: parameters, convergent: convergent)
        } catch {
            throw NodeError(.invalidInput, error.description)
        }
    }
}

/// `add --private`: one file at a time, each printed with its read-cap.
enum PrivateAdd {
    static func run(paths: [String], arguments: PrivateAddArguments, repository: RepositoryOptions, json: Bool, quiet: Bool) async throws {
        guard !paths.isEmpty, !paths.contains(AddOptions.standardInputPath) else {
            throw NodeError(.invalidInput, "add --private needs files (the size must be known up front); save standard input to a file first")
        }
        var options = try arguments.options()
        let repo = try repository.open()
        // With a daemon, the shares go to storage providers (smaller parameters when the network is small).
        let client = arguments.local ? nil : await DaemonConnection.running(on: repository)
        if let client {
            options.parameters = try await StoragePlacement.parameters(for: options.parameters, explicit: arguments.shares != nil,
                                                                       client: client, quiet: json || quiet)
        }
        let passphrase = try arguments.passphrase.passphrase(confirm: !repo.hasKeyring)
        var reports: [PrivateAddReport] = []
        var placements: [PlacementReport] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw NodeError(.invalidInput, "\(path) is a directory; add --private takes files")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil
            let bar = ProgressBar(label: "encrypting", total: size, quiet: json)
            let report = try await repo.addPrivate(path: path, options: options, passphrase: passphrase) { bar.advance(by: $0) }
            bar.finish()
            reports.append(report)
            if !json { Output.line(quiet ? report.readCap : "added \(report.readCap) \(report.name)") }
            if let client {
                let placement = try await StoragePlacement.place(report, client: client, quiet: json)
                placements.append(placement)
                if !json && !quiet {
                    Output.line("placed \(placement.sharesPlaced) shares on \(Set(placement.providers.filter { !$0.isEmpty }).count) providers under \(placement.contracts) contracts (\(Format.bytes(placement.bytesUploaded)) in \(String(format: "%.1f", placement.seconds)) s)")
                    Output.line("durability: \(placement.durability.summary)")
                }
            }
        }
        if json {
            if placements.isEmpty {
                try Output.json(reports)
            } else {
                try Output.json(zip(reports, placements).map { PlacedFile(file: $0, placement: $1) })
            }
        }
    }
}

/// `add --private --json` output when the file was placed on providers.
struct PlacedFile: Encodable {
    var file: PrivateAddReport
    var placement: PlacementReport
}

/// `cairn cap`: work with capabilities.
struct CapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cap",
        abstract: "Work with private-file capabilities.",
        subcommands: [CapVerifyCommand.self]
    )
}

/// `cairn cap verify`: the verify-cap of a read-cap.
struct CapVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Print the verify-cap of a capability.",
        discussion: """
            A verify-cap names the file's manifest and nothing else: its holder can check every share \
            (`cairn files check`) and rebuild lost ones (`--repair`), but cannot decrypt. Hand it to nodes \
            that keep your files healthy; keep the read-cap to yourself.
            """
    )

    @OptionGroup var output: OutputOptions

    @Argument(help: "A read-cap or verify-cap.")
    var capability: String

    func run() async throws {
        try await reportingErrors {
            let cap = try parseCapability(capability)
            if output.json {
                try Output.json(["verifyCap": cap.verifyCap.text, "manifest": cap.manifest.description])
            } else {
                Output.line(cap.verifyCap.text)
            }
        }
    }
}

/// Parses a capability argument into a `NodeError(.invalidInput)` on failure.
func parseCapability(_ text: String) throws -> Capability {
    do {
        return try Capability(text)
    } catch {
        throw NodeError(.invalidInput, error.description)
    }
}

/// `cairn files`: the owner's private files.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "List, check, repair and remove private files.",
        subcommands: [FilesListCommand.self, FilesCheckCommand.self, FilesStatusCommand.self, FilesDelegateCommand.self, FilesRemoveCommand.self]
    )
}

/// `cairn files ls`: the private files in the keyring, with their read-caps.
struct FilesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the private files your keyring holds, with read-caps.")

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var passphrase: PassphraseOptions

    func run() async throws {
        try await reportingErrors {
            let files = try repository.open().privateFiles(passphrase: try passphrase.passphrase())
            if output.json {
                try Output.json(files)
            } else {
                for file in files { Output.line("\(file.readCap) \(file.name)") }
            }
        }
    }
}

/// `cairn files check`: per-segment share health, optionally repairing.
struct FilesCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check every share of a private file; --repair rebuilds lost or damaged ones.",
        discussion: """
            Works with a verify-cap (no key needed). For each segment it reports how many of the N shares \
            are present and valid. Exit status: 0 when every share is healthy (or was repaired), 5 when \
            some are missing or damaged but the file is readable, 4 when some segment has fewer than K.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Rebuild missing and damaged shares from K valid ones and store them here.")
    var repair = false

    @Flag(name: .shortAndLong, help: "Print every segment, not only the unhealthy ones.")
    var verbose = false

    @Argument(help: "A read-cap or verify-cap.")
    var capability: String

    func run() async throws {
        try await reportingErrors {
            let cap = try parseCapability(capability)
            var segments: [SegmentHealth] = []
            let health = try await repository.open().checkPrivate(cap, repair: repair) { segments.append($0) }
            if output.json {
                try Output.json(FilesCheckJSON(manifest: cap.manifest.description, summary: health, segments: segments))
            } else {
                for segment in segments where verbose || segment.valid.count < health.totalShareCount || !segment.repaired.isEmpty {
                    var line = "segment \(segment.segment): \(segment.valid.count)/\(health.totalShareCount) shares valid"
                    if !segment.missing.isEmpty { line += ", missing \(segment.missing)" }
                    if !segment.damaged.isEmpty { line += ", damaged \(segment.damaged)" }
                    if !segment.repaired.isEmpty { line += ", repaired \(segment.repaired)" }
                    Output.line(line)
                }
                let state = health.isHealthy ? "healthy" : health.isReadable ? "degraded (readable)" : "UNRECOVERABLE"
                Output.line("\(cap.manifest): \(state); \(health.segmentCount) segments, \(health.healthySegments) healthy, "
                            + "\(health.degradedSegments) degraded, \(health.unrecoverableSegments) unrecoverable; "
                            + "fewest valid shares \(health.minimumValidShares) of \(health.totalShareCount) (need \(health.dataShareCount))"
                            + (repair ? "; repaired \(health.repairedShares) shares" : ""))
                if !health.manifestConsistent { Output.line("the share tables do not match the manifest's roots") }
            }
            if !health.isReadable { throw ExitCode(exitStatus(for: .notFound)) }
            if !health.isHealthy { throw ExitCode(exitStatus(for: .corrupt)) }
        }
    }
}

/// The JSON of `files check`.
struct FilesCheckJSON: Encodable {
    let manifest: String
    let summary: FileHealth
    let segments: [SegmentHealth]
}

/// `cairn files rm`: forget a private file here, and end its storage contracts.
struct FilesRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Forget a private file: remove its key, unpin it here and cancel its storage contracts.",
        discussion: """
            What this promises: your keyring no longer holds the file's key, this repository no longer \
            pins its manifest, tables and shares (`cairn repo gc` then deletes them from this disk), and — \
            with the daemon running — this node stops auditing and repairing the file and cancels every \
            storage contract it signed for it, so the providers free the space (a provider that is down \
            is told when it is back), and tells every repair agent you delegated it to to do the same. \
            What it cannot promise: copies elsewhere. Any copy of the read-cap you gave out still reads \
            while shares exist. Shares are ciphertext: without the \
            read-cap's key nobody can decrypt them, so destroying every copy of the read-cap is what \
            makes the file unreadable.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var passphrase: PassphraseOptions

    @Argument(help: "The file's read-cap or verify-cap.")
    var capability: String

    /// The local removal and, with a daemon, the storage release.
    struct Report: Codable {
        var manifest: String
        var forgotten: Bool
        var unpinned: Bool
        var storage: FileReleaseReport?
    }

    /// Without a daemon: the storage database (if this repository ever ran one) forgets the file and
    /// queues its cancellations and revocations for the daemon's next run.
    static func releaseOffline(_ manifest: CID, repositoryPath: String) throws -> FileReleaseReport? {
        let path = (repositoryPath as NSString).appendingPathComponent(StorageDatabase.fileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            guard let queued = try StorageDatabase(path: path).releaseFileOffline(manifest: manifest.description, at: Date()) else { return nil }
            return FileReleaseReport(manifest: manifest.description, contracts: queued.contracts, cancelled: 0, pending: queued.contracts,
                                     agentsRevoked: 0, agentsPending: queued.agents)
        } catch {
            throw NodeError(.repository, "\(error)")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let cap = try parseCapability(capability)
            let repo = try repository.open()
            // The keyring first: a wrong passphrase stops here, before any contract is cancelled.
            var local: PrivateRemoveReport?
            var notHere: NodeError?
            do {
                local = try repo.removePrivate(cap, passphrase: try passphrase.passphrase())
            } catch let error as NodeError where error.code == .notFound {
                notHere = error
            }
            var release: FileReleaseReport?
            if let client = await DaemonConnection.running(on: repository) {
                do {
                    release = try await client.call("storage.release", CapabilityParams(capability: cap.text), as: FileReleaseReport.self)
                } catch let failure as ControlFailure where failure.code == "notFound" {
                    release = nil
                }
            } else {
                release = try Self.releaseOffline(cap.manifest, repositoryPath: repo.path)
            }
            if local == nil, release == nil, let notHere { throw notHere }
            let report = Report(manifest: cap.manifest.description, forgotten: local?.forgotten ?? false,
                                unpinned: local?.unpinned ?? false, storage: release)
            if output.json {
                try Output.json(report)
            } else {
                var line = "removed \(report.manifest)" + (report.forgotten ? "; key forgotten" : "")
                    + (report.unpinned ? "; unpinned (run `cairn repo gc` to free the space)" : "")
                if let release {
                    line += "; \(release.cancelled) of \(release.contracts) storage contracts cancelled"
                        + (release.pending > 0 ? " (\(release.pending) more once the daemon runs and their providers are up)" : "")
                    let agents = release.agentsRevoked + release.agentsPending
                    if agents > 0 {
                        line += "; \(release.agentsRevoked) of \(agents) repair agents told"
                            + (release.agentsPending > 0 ? " (the rest when they are back)" : "")
                    }
                }
                Output.line(line)
            }
        }
    }
}

/// `cairn key`: back up, restore and rotate the keyring.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Back up, restore and rotate the keyring that holds your private files' keys.",
        discussion: """
            The keyring (convergence secret, root key, the wrapped key of every private file) is stored in \
            the repository sealed under a key derived from your passphrase with scrypt (N=2^15, r=8, p=1). \
            The passphrase comes from --passphrase-fd, $CAIRN_PASSPHRASE, or a prompt.
            """,
        subcommands: [KeyExportCommand.self, KeyImportCommand.self, KeyRotateCommand.self]
    )
}

/// `cairn key export`.
struct KeyExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the sealed keyring (a backup, still under your passphrase) to a file or stdout."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var passphrase: PassphraseOptions

    @Option(name: .shortAndLong, help: "Write the backup here instead of standard output.")
    var outputPath: String?

    func run() async throws {
        try await reportingErrors {
            let sealed = try repository.open().exportKeyring(passphrase: try passphrase.passphrase())
            if let outputPath {
                guard FileManager.default.createFile(atPath: outputPath, contents: Data(sealed), attributes: [.posixPermissions: 0o600]) else {
                    throw NodeError(.failed, "cannot write \(outputPath)")
                }
            } else {
                try sealed.withUnsafeBytes { try Output.writeRaw($0) }
            }
        }
    }
}

/// `cairn key import`.
struct KeyImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Restore a keyring backup made with `cairn key export`."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var passphrase: PassphraseOptions

    @Flag(name: .long, help: "Replace this repository's existing keyring.")
    var force = false

    @Argument(help: "The backup file.")
    var file: String

    func run() async throws {
        try await reportingErrors {
            guard let sealed = FileManager.default.contents(atPath: file) else {
                throw NodeError(.invalidInput, "cannot read \(file)")
            }
            let count = try repository.open().importKeyring(Array(sealed), passphrase: try passphrase.passphrase(), replace: force)
            if output.json {
                try Output.json(["files": count])
            } else {
                Output.line("imported a keyring with \(count) files")
            }
        }
    }
}

/// `cairn key rotate`.
struct KeyRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Replace the root key, re-wrapping every file key under the new one (files stay readable).",
        discussion: """
            Only the small wrapped keys change; no file is re-encrypted. With --new-passphrase-fd or \
            $CAIRN_NEW_PASSPHRASE the keyring is also sealed under a new passphrase. Old backups still open \
            with the old passphrase and still hold the old root key: export a new backup after rotating.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var passphrase: PassphraseOptions

    @Option(name: .customLong("new-passphrase-fd"), help: "Read a new passphrase from this file descriptor.")
    var newPassphraseFD: Int32?

    func run() async throws {
        try await reportingErrors {
            let current = try passphrase.passphrase()
            let newPassphrase: String? = if newPassphraseFD != nil || ProcessInfo.processInfo.environment["CAIRN_NEW_PASSPHRASE"] != nil {
                try Passphrase.read(fd: newPassphraseFD, environmentName: "CAIRN_NEW_PASSPHRASE", prompt: "New passphrase: ", confirm: true)
            } else {
                nil
            }
            let count = try repository.open().updateKeyring(passphrase: current, create: false, newPassphrase: newPassphrase) { keyring in
                do {
                    try keyring.rotateRootKey()
                } catch {
                    throw NodeError.wrapping(error, context: "key rotate")
                }
                return keyring.entries.count
            }
            if output.json {
                try Output.json(["rewrapped": count])
            } else {
                Output.line("rotated the root key; re-wrapped \(count) file keys" + (newPassphrase == nil ? "" : "; new passphrase set"))
            }
        }
    }
}
