import CairnCore
import CairnDaemon
import CairnNode
import CairnStore
import Foundation
import Synchronization

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

    /// `cat` with the network: reads locally; when a block is missing and a daemon runs, has the daemon fetch
    /// the DAG while printing each block as soon as it is stored (so output starts before the whole file
    /// has arrived). Bytes already printed are never printed twice.
    static func cat(_ repository: RepositoryOptions, repo: Repository, path: String, offset: Int64, length: Int64?,
                    timeout: Double, output: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) async throws {
        let written = WrittenCounter()
        let counted: @Sendable (UnsafeRawBufferPointer) throws -> Void = { bytes in
            try output(bytes)
            written.add(Int64(bytes.count))
        }
        do {
            try await repo.cat(path, offset: offset, length: length, output: counted)
            return
        } catch let error as NodeError where error.code == .notFound {
            guard let client = await DaemonConnection.running(on: repository) else {
                throw NodeError(.notFound, "\(error.message); with `cairn daemon` running it would be fetched from the network")
            }
            let fetch = FetchOutcome()
            let source = ArrivingBlockSource(blocks: repo.blocks, fetch: fetch)
            // The output ends the command: once it is complete, the rest of the fetch (a `--length` prefix of a
            // large file) is left to the daemon.
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        try await Self.fetch(client, path: path, quiet: true, timeout: timeout)
                        fetch.finish(nil)
                    } catch {
                        fetch.finish(error)
                        throw error
                    }
                    return false
                }
                group.addTask {
                    let done = written.value
                    try await repo.cat(path, offset: offset + done, length: length.map { $0 - done }, source: source,
                                       output: counted)
                    return true
                }
                while let outputFinished = try await group.next() {
                    if outputFinished {
                        group.cancelAll()
                        return
                    }
                }
            }
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

/// How a background fetch ended: nil while running, then `.success` or the failure.
final class FetchOutcome: Sendable {
    private let state = Mutex<Result<Void, any Error>?>(nil)

    /// Records the end of the fetch (nil error: success).
    func finish(_ error: (any Error)?) {
        state.withLock { $0 = error.map { .failure($0) } ?? .success(()) }
    }

    /// The outcome, once the fetch ended.
    var result: Result<Void, any Error>? { state.withLock { $0 } }
}

/// Blocks from the local store, waiting for ones the daemon is still fetching: a missing block is polled
/// for until it is stored or the fetch ends (then its absence, or the fetch's error, is final).
struct ArrivingBlockSource: BlockSource {
    let blocks: FileBlockStore
    let fetch: FetchOutcome

    func block(_ cid: CID) async throws -> Block {
        while true {
            if try blocks.has(cid) { return try blocks.get(cid) }
            switch fetch.result {
            case .failure(let error)?:
                throw error
            case .success?:
                return try blocks.get(cid)
            case nil:
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }
}
