import CairnNode
import CairnStore
import Foundation
import Logging
import ServiceLifecycle

/// `cairn daemon` as a service: the network node and the control API, started together, stopped
/// gracefully on SIGINT/SIGTERM (connections closed, `<repo>/api` removed).
public struct DaemonService: Service {
    /// The node served.
    public let node: NetworkNode
    let logger: Logger
    let onReady: @Sendable (IdReport, ControlServer) async -> Void

    /// Creates the service; `onReady` runs once the node listens and the control API answers.
    public init(node: NetworkNode, logger: Logger, onReady: @escaping @Sendable (IdReport, ControlServer) async -> Void) {
        self.node = node
        self.logger = logger
        self.onReady = onReady
    }

    public func run() async throws {
        let repositoryPath = node.repository.path
        let lock = try RepoLock(path: (repositoryPath as NSString).appendingPathComponent("daemon.lock"))
        guard try lock.tryExclusive() == .acquired else {
            throw NodeError(.busy, "a daemon already runs on \(repositoryPath); stop it first (or use it: commands talk to it)")
        }
        defer { lock.unlock() }
        try await node.start()
        let node = self.node
        let control = try await ControlServer.bind(logger: logger) { method, request, progress in
            try await node.handleControl(method: method, request: request, progress: progress)
        }
        let apiPath = (repositoryPath as NSString).appendingPathComponent(ControlProtocol.apiFileName)
        try Data("\(control.host):\(control.port)\n".utf8).write(to: URL(fileURLWithPath: apiPath))
        defer { try? FileManager.default.removeItem(atPath: apiPath) }
        await onReady(await node.idReport(), control)
        await withDiscardingTaskGroup { group in
            group.addTask { await control.run() }
            group.addTask { await node.run() }
            try? await gracefulShutdown()
            logger.info("shutting down")
            await control.close()
            await node.shutdown()
            group.cancelAll()
        }
    }
}
