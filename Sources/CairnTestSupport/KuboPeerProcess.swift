#if canImport(Glibc)
import Foundation

/// A `kubo-peer serve` subprocess (kubo 0.22) driven through its JSON-lines protocol.
public final class KuboPeerProcess: @unchecked Sendable {
    // @unchecked Sendable: `lines` and `partial` are only touched under `lock`; the Process and pipes are
    // set up in init and afterwards only used through thread-safe Foundation calls.
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial: [UInt8] = []

    /// The path of the kubo-peer tool: `$CAIRN_KUBO_PEER_TOOL`, else `../shared/tools/kubo-peer`.
    public static var toolPath: String {
        if let path = ProcessInfo.processInfo.environment["CAIRN_KUBO_PEER_TOOL"] { return path }
        return FileManager.default.currentDirectoryPath + "/../shared/tools/kubo-peer"
    }

    public init(repo: String, port: UInt16, ed25519: Bool) throws {
        process.executableURL = URL(fileURLWithPath: Self.toolPath)
        process.arguments = ["serve", "--repo", repo, "--port", String(port)] + (ed25519 ? ["--ed25519"] : [])
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock {
                self.partial += data
                while let newline = self.partial.firstIndex(of: 0x0a) {
                    self.lines.append(String(decoding: self.partial[..<newline], as: UTF8.self))
                    self.partial.removeSubrange(...newline)
                }
            }
        }
        try process.run()
    }

    /// The next JSON object kubo printed, waiting at most `seconds`.
    public func nextObject(seconds: Double) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let line: String? = lock.withLock { lines.isEmpty ? nil : lines.removeFirst() }
            if let line {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw CommandRunner.Failure(description: "kubo-peer printed something that is not a JSON object: \(line)")
                }
                return object
            }
            guard process.isRunning else { throw CommandRunner.Failure(description: "kubo-peer exited before answering") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CommandRunner.Failure(description: "timed out waiting for kubo-peer output")
    }

    /// Sends one command and returns kubo's answer.
    public func command(_ object: [String: Any], seconds: Double = 40) async throws -> [String: Any] {
        var data = try JSONSerialization.data(withJSONObject: object)
        data.append(0x0a)
        input.fileHandleForWriting.write(data)
        return try await nextObject(seconds: seconds)
    }

    /// Asks kubo to quit, and kills it if it does not.
    public func stop() async {
        _ = try? await command(["cmd": "quit"], seconds: 5)
        if process.isRunning { process.terminate() }
        output.fileHandleForReading.readabilityHandler = nil
    }
}
#endif
