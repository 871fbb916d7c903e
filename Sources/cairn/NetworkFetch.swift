import CairnDaemon
import CairnNode
import Foundation

/// How read commands reach the network: content missing from the repository is fetched by the running
/// daemon (which stores it in the same repository), then read locally.
enum NetworkFetch {
    /// Runs `body`; when it fails because content is missing and a daemon runs on the repository, has the
    /// daemon fetch `path` (with a progress line on a TTY) and runs `body` again.
    static func reading<T>(_ repository: RepositoryOptions, path: String, quiet: Bool, timeout: Double,
                           _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as NodeError where error.code == .notFound {
            guard let client = await DaemonConnection.running(on: repository) else {
                throw NodeError(.notFound, "\(error.message); with `cairn daemon` running it would be fetched from the network")
            }
            try await fetch(client, path: path, quiet: quiet, timeout: timeout)
            return try await body()
        }
    }

    /// Has the daemon fetch the whole DAG under `path` into the repository.
    static func fetch(_ client: ControlClient, path: String, quiet: Bool, timeout: Double) async throws {
        let bar = ProgressBar(label: "fetching", total: nil, minimumBytes: 0, quiet: quiet)
        var reported: UInt64 = 0
        _ = try await client.call("fetch", FetchParams(path: path, timeoutSeconds: timeout), as: FetchProgress.self,
                                  progress: FetchProgress.self) { progress in
            bar.advance(by: Int64(progress.bytes &- reported))
            reported = progress.bytes
        }
        bar.finish()
    }

    /// Tells a running daemon about freshly added roots so it serves and announces them; a failure is a
    /// warning (the content is stored either way).
    static func announce(_ repository: RepositoryOptions, cids: [String]) async {
        guard !cids.isEmpty, let client = await DaemonConnection.running(on: repository) else { return }
        do {
            _ = try await client.call("announce", CIDsParams(cids: cids), as: ProvideReport.self)
        } catch {
            Output.error("warning: added, but the daemon could not announce it: \(error)")
        }
    }
}
