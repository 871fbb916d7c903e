import ArgumentParser
import CairnCore
import CairnNode
import CairnStorage
import CairnDaemon
import Foundation

/// `cairn cat`: stream a file's bytes to stdout, optionally a byte range.
struct CatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print the bytes of a file: CID or CID/path/in/directory.",
        discussion: "Every block is re-hashed as it is read; a corrupt block stops the output with an error naming it."
    )

    @OptionGroup var repository: RepositoryOptions

    @Option(name: .long, help: "Byte offset to start from.")
    var offset: Int64 = 0

    @Option(name: .long, help: "Maximum number of bytes to print.")
    var length: Int64?

    @Option(name: .long, help: "Seconds to wait for the network when content must be fetched.")
    var timeout: Double = 120

    @Argument(help: "CID, CID/path, or a private file's read-cap.")
    var path: String

    func validate() throws {
        guard offset >= 0 else { throw ValidationError("--offset must be >= 0") }
        if let length, length < 0 { throw ValidationError("--length must be >= 0") }
    }

    func run() async throws {
        try await reportingErrors {
            let repo = try repository.open()
            if path.hasPrefix("cairn-") {
                guard offset == 0, length == nil else { throw NodeError(.invalidInput, "--offset and --length are not supported for private files yet") }
                let capability = try parseCapability(path)
                if let client = await DaemonConnection.running(on: repository) {
                    // The daemon reads from the providers into a private temporary file we then stream out.
                    let temporary = (repo.path as NSString).appendingPathComponent("cat-\(UUID().uuidString)")
                    defer { try? FileManager.default.removeItem(atPath: temporary) }
                    _ = try await client.call("storage.get", StorageGetParams(capability: capability.text, output: temporary), as: StorageGetReport.self)
                    guard let handle = FileHandle(forReadingAtPath: temporary) else { throw NodeError(.failed, "cannot read \(temporary)") }
                    defer { try? handle.close() }
                    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                        try chunk.withUnsafeBytes { try Output.writeRaw($0) }
                    }
                    return
                }
                try await repo.readPrivate(capability) { try Output.writeRaw($0) }
                return
            }
            try await NetworkFetch.cat(repository, repo: repo, path: path, offset: offset, length: length, timeout: timeout) { bytes in
                try Output.writeRaw(bytes)
            }
        }
    }
}

/// `cairn get`: write a file or directory tree out of the repository.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Write a file or directory (CID or CID/path) to the local filesystem."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .shortAndLong, help: "Where to write it (default: the CID or last path name, in the current directory).")
    var outputPath: String?

    @Option(name: .long, help: "Seconds to wait for the network when content must be fetched.")
    var timeout: Double = 120

    @Argument(help: "CID or CID/path.")
    var path: String

    func run() async throws {
        try await reportingErrors {
            let repo = try repository.open()
            if path.hasPrefix("cairn-") {
                try await getPrivate(repo)
                return
            }
            let destination = outputPath ?? defaultDestination(for: path)
            let report = try await NetworkFetch.reading(repository, path: path, quiet: output.json, timeout: timeout) {
                let total = try await repo.contentSize(path)
                let bar = ProgressBar(label: "getting", total: total, quiet: output.json)
                defer { bar.finish() }
                let existed = FileManager.default.fileExists(atPath: destination)
                do {
                    return try await repo.get(path, to: destination) { bar.advance(by: $0) }
                } catch let error as NodeError where error.code == .notFound && !existed {
                    // A block was missing part-way: remove what was written so the retry after the fetch starts clean.
                    try? FileManager.default.removeItem(atPath: destination)
                    throw error
                }
            }
            if output.json {
                try Output.json(report)
            } else {
                Output.line("saved \(report.cid) to \(report.destination) (\(report.bytes) bytes)")
            }
        }
    }

    /// `get READ-CAP -o OUT`: decrypt a private file into OUT.
    private func getPrivate(_ repo: Repository) async throws {
        let cap = try parseCapability(path)
        guard let destination = outputPath else {
            throw NodeError(.invalidInput, "name the output file with -o (a read-cap carries no file name)")
        }
        let bytes: Int64
        if let client = await DaemonConnection.running(on: repository) {
            // The daemon fetches the shares from the fastest providers and decrypts into the destination.
            let absolute = destination.hasPrefix("/") ? destination
                : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(destination)
            bytes = try await client.call("storage.get", StorageGetParams(capability: cap.text, output: absolute), as: StorageGetReport.self).bytes
        } else {
            let size = try? repo.privateManifest(cap.manifest).layout.paddedByteCount
            let bar = ProgressBar(label: "decrypting", total: size.map(Int64.init), quiet: output.json)
            bytes = try await repo.getPrivate(cap, to: destination) { bar.advance(by: $0) }
            bar.finish()
        }
        if output.json {
            try Output.json(GetReport(cid: cap.manifest, destination: destination, bytes: UInt64(bytes)))
        } else {
            Output.line("saved \(cap.manifest) to \(destination) (\(bytes) bytes)")
        }
    }

    private func defaultDestination(for path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// A byte count shared between a write callback and its caller.
final class WrittenCounter: @unchecked Sendable {
    // @unchecked Sendable: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var count: Int64 = 0
    var value: Int64 { lock.withLock { count } }
    func add(_ bytes: Int64) { lock.withLock { count += bytes } }
}

/// `cairn ls`: list the entries of a directory (or the blocks of a file).
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the links of a directory or file node: CID, size, name."
    )

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "CID or CID/path.")
    var path: String

    func run() async throws {
        try await reportingErrors {
            let entries = try await repository.open().list(path)
            if output.json {
                try Output.json(entries)
            } else {
                for entry in entries {
                    let suffix = entry.type == "directory" ? "/" : ""
                    Output.line("\(entry.cid) \(entry.size) \(entry.name)\(suffix)")
                }
            }
        }
    }
}
