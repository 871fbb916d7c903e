import ArgumentParser
import CairnDaemon
import CairnNode
import CairnPrivate
import CairnStorage
import Foundation

/// Placement of a freshly added private file through the running daemon.
enum StoragePlacement {
    /// Parameters the network can hold: the requested ones, or smaller ones (said on stderr with the
    /// durability estimate) when fewer providers than n are available. Nil when no daemon runs.
    static func parameters(for requested: ErasureParameters, explicit: Bool, client: ControlClient, quiet: Bool) async throws -> ErasureParameters {
        let available = try await client.call("storage.capacity", CapacityParams(byteCount: 0), as: CapacityReport.self).availableProviders
        guard available < requested.totalShareCount else { return requested }
        if explicit {
            throw NodeError(.network, "--shares \(requested.dataShareCount)/\(requested.totalShareCount) needs \(requested.totalShareCount) providers; the network has \(available) available. Use --shares K/N with N ≤ \(available), or add --local to keep the shares here")
        }
        guard let choice = ErasureChoice.choose(requested: requested, availableProviders: available) else {
            throw NodeError(.network, "the network has \(available) storage providers; at least 2 are needed (start providers with `cairn daemon --provide SIZE`, or add --local to keep the shares here)")
        }
        let estimate = DurabilityEstimate.estimate(parameters: choice.parameters, policy: RepairPolicy.standard(for: choice.parameters))
        if !quiet {
            Output.error("only \(available) storage providers are available: using \(choice.parameters.dataShareCount)/\(choice.parameters.totalShareCount) instead of \(requested.dataShareCount)/\(requested.totalShareCount)")
            Output.error("durability estimate: \(estimate.summary)")
        }
        return choice.parameters
    }

    /// Places the file on providers, with a progress bar; returns the placement report.
    static func place(_ report: PrivateAddReport, client: ControlClient, quiet: Bool) async throws -> PlacementReport {
        let bar = ProgressBar(label: "placing", total: Int64(report.storedBytes), quiet: quiet)
        defer { bar.finish() }
        var last: Int64 = 0
        return try await client.call("storage.place", PlaceParams(manifest: report.manifest, verifyCap: report.verifyCap, name: report.name,
                                                                  dropLocalShares: true),
                                     as: PlacementReport.self, progress: StorageProgress.self) { progress in
            bar.advance(by: max(0, progress.bytes - last))
            last = max(last, progress.bytes)
        }
    }
}

/// `cairn providers`: the storage providers this node knows, with their scorecards.
struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "Show the storage providers this node knows and their scorecards.",
        discussion: """
            Score = audit score (Beta reputation with forgetting) × uptime. Standing: good, warning (logged and \
            counted), excluded (no new shares; its shares are repaired elsewhere). Latency is from audits, reads \
            and contacts. Needs the daemon.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "providers")
            let report = try await client.call("providers", NoParams(), as: StorageProvidersReport.self)
            if output.json { return try Output.json(report) }
            if let local = report.local {
                Output.line("this node provides \(Format.bytes(local.capacityByteCount)): \(Format.bytes(local.committedByteCount)) promised, \(Format.bytes(local.storedByteCount)) stored, \(Format.bytes(local.freeByteCount)) free, \(local.liveContracts) live contracts")
            }
            guard !report.providers.isEmpty else { return Output.line("no storage providers known yet") }
            Output.line("PEER                                                   STANDING  SCORE  AUDITS(ok/fail)  UPTIME  P50ms   P95ms   STORED     FREE")
            for row in report.providers {
                let audits = "\(row.auditsPassed)/\(row.auditsFailed)"
                Output.line([row.peer.padding(toLength: 54, withPad: " ", startingAt: 0),
                             (row.up ? row.standing : row.standing + "*").padding(toLength: 9, withPad: " ", startingAt: 0),
                             String(format: "%.3f", row.score).padding(toLength: 6, withPad: " ", startingAt: 0),
                             audits.padding(toLength: 16, withPad: " ", startingAt: 0),
                             String(format: "%.2f", row.uptime).padding(toLength: 7, withPad: " ", startingAt: 0),
                             (row.latencyP50Milliseconds.map { String(format: "%.1f", $0) } ?? "-").padding(toLength: 7, withPad: " ", startingAt: 0),
                             (row.latencyP95Milliseconds.map { String(format: "%.1f", $0) } ?? "-").padding(toLength: 7, withPad: " ", startingAt: 0),
                             Format.bytes(row.storedByteCount).padding(toLength: 10, withPad: " ", startingAt: 0),
                             row.freeByteCount.map(Format.bytes) ?? "-"].joined(separator: " "))
            }
            if report.providers.contains(where: { !$0.up }) { Output.line("* not answering") }
        }
    }
}

/// `cairn health`: under-replicated files, failing providers, failed retrievals and audits, repairs.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Summarise storage health: degraded files, failing providers, audits, retrievals, repairs.",
        discussion: "Exit status: 0 ok or warning, 5 a file is degraded or being repaired, 4 a file is unrecoverable. Needs the daemon."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "health")
            let report = try await client.call("health", NoParams(), as: HealthReport.self)
            if output.json {
                try Output.json(report)
            } else {
                Output.line("status: \(report.status)")
                Output.line("files: \(report.files) looked after, \(report.healthyFiles) fully healthy, \(report.degradedFiles.count) degraded, \(report.unrecoverableFiles.count) unrecoverable")
                for manifest in report.degradedFiles { Output.line("  degraded: \(manifest)") }
                for manifest in report.unrecoverableFiles { Output.line("  UNRECOVERABLE: \(manifest)") }
                for manifest in report.repairsInProgress { Output.line("  repairing: \(manifest)") }
                Output.line("providers: \(report.warningProviders.count) warned, \(report.excludedProviders.count) excluded, \(report.downProviders.count) not answering")
                for peer in report.excludedProviders { Output.line("  excluded: \(peer)") }
                for peer in report.downProviders { Output.line("  down: \(peer)") }
                Output.line("audits: \(report.auditsPassed) passed, \(report.auditsFailed) failed, \(report.auditsUnreachable) unanswered")
                let counts = report.recentEvents.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                Output.line("last 24 h: " + (counts.isEmpty ? "no events" : counts))
            }
            if !report.unrecoverableFiles.isEmpty { throw ExitCode(4) }
            if !report.degradedFiles.isEmpty || !report.repairsInProgress.isEmpty { throw ExitCode(5) }
        }
    }
}

/// `cairn files status CAP`: per segment, how many shares are healthy, where they are, the last audit.
struct FilesStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where a placed private file's shares are and how healthy each segment is.",
        discussion: "Works on the owner's daemon or a delegated repair agent. Exit status: 0 healthy, 5 degraded, 4 unrecoverable."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .shortAndLong, help: "Print every share of every segment.")
    var verbose = false

    @Argument(help: "A read-cap or verify-cap.")
    var capability: String

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "files status")
            let report = try await client.call("storage.status", CapabilityParams(capability: capability), as: FileStatusReport.self)
            if output.json {
                try Output.json(report)
            } else {
                Output.line("\(report.name) (\(report.manifest)): \(report.state)")
                Output.line("\(report.dataShares)-of-\(report.totalShares), repair at ≤ \(report.repairThreshold) healthy; \(report.segments) segments on \(report.providers.count) providers; fewest healthy shares in a segment: \(report.minimumHealthy)")
                Output.line("durability: \(report.durability.summary)")
                for segment in report.segmentStatus where verbose || segment.healthyShares < report.totalShares {
                    Output.line("segment \(segment.segment): \(segment.healthyShares)/\(report.totalShares) healthy")
                    guard verbose else { continue }
                    for share in segment.shares {
                        let audit = share.lastAudit.map { "last audit \(ISO8601DateFormatter().string(from: $0)) \(share.lastAuditPassed == true ? "passed" : "failed")" } ?? "not audited yet"
                        Output.line("  share \(share.index) at \(share.provider): \(share.healthy ? "healthy" : share.state == "placed" ? "unavailable" : share.state), \(audit)")
                    }
                }
            }
            if report.minimumHealthy < report.dataShares { throw ExitCode(4) }
            if report.minimumHealthy < report.totalShares { throw ExitCode(5) }
        }
    }
}

/// `cairn files delegate CAP PEER`: another node checks and repairs the file while this one is offline.
struct FilesDelegateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delegate",
        abstract: "Ask an always-on node to audit and repair a placed private file (it gets the verify-cap only).",
        discussion: "The repair agent never sees the read key: it can check, rebuild and re-place shares, not decrypt. Needs the daemon."
    )

    @OptionGroup var repository: RepositoryOptions

    @Argument(help: "A read-cap or verify-cap of a file this node placed.")
    var capability: String

    @Argument(help: "The repair agent's peer ID.")
    var peer: String

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "files delegate")
            // Only the verify-cap leaves this machine.
            let verifyCap = try parseCapability(capability).verifyCap.text
            _ = try await client.call("storage.delegate", DelegateParams(capability: verifyCap, peer: peer), as: NoParams.self)
            Output.line("delegated repair of \(try parseCapability(capability).manifest) to \(peer)")
        }
    }
}

/// Human-readable sizes.
enum Format {
    static func bytes<T: BinaryInteger>(_ count: T) -> String {
        let value = Double(count)
        for (unit, size) in [("GiB", 1073741824.0), ("MiB", 1048576.0), ("KiB", 1024.0)] where value >= size {
            return String(format: "%.1f %@", value / size, unit)
        }
        return "\(count) B"
    }
}

/// `cairn metrics`: the daemon's metrics in Prometheus text format.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the daemon's metrics (audits, repairs, retrievals, provider scores, space) in Prometheus text format."
    )

    @OptionGroup var repository: RepositoryOptions

    func run() async throws {
        try await reportingErrors {
            let client = try await DaemonConnection.required(on: repository, for: "metrics")
            FileHandle.standardOutput.write(Data(try await client.call("metrics", NoParams(), as: MetricsReport.self).text.utf8))
        }
    }
}
