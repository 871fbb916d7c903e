import CairnCore
import CairnCrypto
import CairnDHT
import CairnExchange
import CairnNet
import CairnNode
import CairnPrivate
import CairnStorage
import CairnStore
import Foundation
import Metrics

/// Parameters of `storage.place`.
public struct PlaceParams: Codable, Sendable {
    public var manifest: String
    public var verifyCap: String
    public var name: String
    /// Delete the local copies of the shares once they are placed (the manifest and tables stay pinned).
    public var dropLocalShares: Bool
    public init(manifest: String, verifyCap: String, name: String, dropLocalShares: Bool) {
        self.manifest = manifest
        self.verifyCap = verifyCap
        self.name = name
        self.dropLocalShares = dropLocalShares
    }
}

/// Parameters naming a capability (read or verify).
public struct CapabilityParams: Codable, Sendable {
    public var capability: String
    public init(capability: String) { self.capability = capability }
}

/// Parameters of `storage.get`.
public struct StorageGetParams: Codable, Sendable {
    public var capability: String
    /// Absolute path of the output file (written to `.partial`, then renamed).
    public var output: String
    public init(capability: String, output: String) {
        self.capability = capability
        self.output = output
    }
}

/// Parameters of `storage.delegate`.
public struct DelegateParams: Codable, Sendable {
    public var capability: String
    public var peer: String
    public init(capability: String, peer: String) {
        self.capability = capability
        self.peer = peer
    }
}

/// Parameters of `storage.capacity`.
public struct CapacityParams: Codable, Sendable {
    public var byteCount: Int64
    public init(byteCount: Int64) { self.byteCount = byteCount }
}

/// What `storage.capacity` reports: providers able to take shares now.
public struct CapacityReport: Codable, Sendable {
    public var availableProviders: Int
}

/// What `storage.get` reports.
public struct StorageGetReport: Codable, Sendable {
    public var bytes: Int64
    public var seconds: Double
}

/// Progress of a placement or a retrieval.
public struct StorageProgress: Codable, Sendable {
    public var bytes: Int64
}

/// `cairn providers --json`: the scorecards, and this node's own provider status when it provides.
public struct StorageProvidersReport: Codable, Sendable {
    public var providers: [ProviderReportRow]
    public var local: ProviderStatus?
}

extension NetworkNode {
    static func storageEnvironment(host: LibP2PHost, dht: DHTService, bitswap: BitswapService, repository: Repository) -> OwnerEnvironment {
        OwnerEnvironment(
            transport: StorageStreamTransport(network: host),
            discoverProviders: {
                let peers = await dht.findProviders(for: NodeStorage.rendezvous, limit: 200)
                var found: [DiscoveredProvider] = []
                for peer in peers {
                    guard let id = try? PeerID(bytes: peer.id.bytes) else { continue }
                    if !peer.addresses.isEmpty { await host.addAddresses(peer.addresses, for: id) }
                    found.append(DiscoveredProvider(peer: id, addresses: peer.addresses.isEmpty ? await host.addresses(of: id) : peer.addresses))
                }
                return found
            },
            loadBlock: { cid in await fetchBlock(cid, host: host, dht: dht, bitswap: bitswap, repository: repository) },
            now: { Date() },
            sleep: { try await Task.sleep(for: $0) },
            random: { UInt64.random(in: .min ... .max) },
            localBlock: { cid in try? repository.blocks.get(cid).data },
            findHolders: { manifest in
                var found: [DiscoveredProvider] = []
                for peer in await dht.findProviders(for: manifest.multihash, limit: 100) {
                    guard let id = try? PeerID(bytes: peer.id.bytes), id != host.localPeerID else { continue }
                    if !peer.addresses.isEmpty { await host.addAddresses(peer.addresses, for: id) }
                    found.append(DiscoveredProvider(peer: id, addresses: peer.addresses))
                }
                return found
            })
    }

    /// A block from the repository, or over Bitswap — with `hints` and the block's providers from the DHT
    /// as the peers to ask — for at most `timeout`; stored in the repository when fetched. Nil when nobody
    /// sent it in time.
    static func fetchBlock(_ cid: CID, hints: [PeerID] = [], timeout: Duration = .seconds(20), host: LibP2PHost, dht: DHTService,
                           bitswap: BitswapService, repository: Repository) async -> [UInt8]? {
        if let block = try? repository.blocks.get(cid) { return block.data }
        if !hints.isEmpty { await bitswap.addProviders(hints, for: cid) }
        return await withTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                guard let block = try? await bitswap.block(cid) else { return nil }
                try? repository.blocks.put(block)
                return block.data
            }
            group.addTask {
                await searchProviders(for: cid, host: host, dht: dht, bitswap: bitswap)
                try? await Task.sleep(for: timeout)
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var result: [UInt8]?
            while let next = await group.next() {
                if let next { result = next }
                break
            }
            group.cancelAll()
            return result
        }
    }

    /// Serves the storage protocol: requests for the provider engine, delegations for the owner engine.
    func registerStorage() async {
        let storage = self.storage
        let fileIndexSignal = self.fileIndexSignal
        await StorageStreamTransport.register(on: host, logger: logger) { request, peer in
            switch request {
            case .delegate(let delegation):
                return await storage.owner.acceptDelegation(delegation, from: peer)
            case .revoke(let revocation):
                return await storage.owner.acceptRevocation(revocation, from: peer)
            default:
                guard let provider = storage.provider else {
                    return .refused(StorageRefusal(code: .notAccepted, message: "this node is not a storage provider"))
                }
                let response = await provider.handle(request, from: peer)
                // A new file's shares are coming: fetch its manifest and tables while the owner is here.
                if case .accepted = response { fileIndexSignal.continuation.yield() }
                return response
            }
        }
    }

    /// A provider announces itself in the DHT (soon after start, again after 5 and 15 s while the routing
    /// table fills, then every 30 min — every 60 s on a devnet) and releases the space of ended contracts.
    func providerLoop() async {
        guard let provider = storage.provider else { return }
        let steady: Duration = storage.configuration == .devnet ? .seconds(60) : .seconds(1800)
        var schedule: [Duration] = [.seconds(1), .seconds(5), .seconds(15)]
        var sinceAnnounce = Duration.zero
        var nextAnnounce = schedule.removeFirst()
        while !Task.isCancelled {
            if sinceAnnounce >= nextAnnounce {
                _ = await dht.provide(NodeStorage.rendezvous)
                sinceAnnounce = .zero
                nextAnnounce = schedule.isEmpty ? steady : schedule.removeFirst()
            }
            _ = try? await provider.expireContracts()
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
            sinceAnnounce += .seconds(1)
        }
    }

    nonisolated func handleStorageControl(method: String, request: Data, progress: ControlProgressSink) async throws -> Data {
        let owner = storage.owner
        switch method {
        case "storage.capacity":
            let params = try decode(CapacityParams.self, request)
            if await owner.availableProviderCount(byteCount: UInt64(max(0, params.byteCount))) == 0 { await owner.discoverProviders() }
            return try encode(CapacityReport(availableProviders: await owner.availableProviderCount(byteCount: UInt64(max(0, params.byteCount)))))
        case "storage.place":
            let params = try decode(PlaceParams.self, request)
            return try encode(try await place(params, progress: progress))
        case "storage.get":
            let params = try decode(StorageGetParams.self, request)
            return try encode(try await storageGet(params, progress: progress))
        case "storage.status":
            let params = try decode(CapabilityParams.self, request)
            let capability = try Self.parseCapability(params.capability)
            return try encode(try await mapStorageErrors { try await owner.fileStatus(capability.manifest) })
        case "storage.release":
            let params = try decode(CapabilityParams.self, request)
            let capability = try Self.parseCapability(params.capability)
            return try encode(try await mapStorageErrors { try await owner.releaseFile(capability.manifest) })
        case "storage.check":
            let params = try decode(CapabilityParams.self, request)
            let capability = try Self.parseCapability(params.capability)
            _ = try await mapStorageErrors { try await owner.checkFile(capability.manifest, repair: true) }
            return try encode(try await mapStorageErrors { try await owner.fileStatus(capability.manifest) })
        case "storage.delegate":
            let params = try decode(DelegateParams.self, request)
            let capability = try Self.parseCapability(params.capability)
            let peer = try Self.parsePeer(params.peer)
            // The agent fetches the manifest and tables from us: make sure Bitswap and the DHT offer them.
            if let manifest = try? repository.privateManifest(capability.manifest) {
                _ = try? await announce(([capability.manifest] + manifest.tables).map(\.description))
            }
            try await mapStorageErrors { try await owner.delegate(capability.manifest, to: peer) }
            return try encode(NoParams())
        case "providers":
            // Fresh offers from every provider the DHT knows, and a contact with every one holding our shares.
            await owner.discoverProviders()
            await owner.contactProviders()
            return try encode(StorageProvidersReport(providers: await owner.providersReport(), local: try await storage.provider?.status()))
        case "metrics":
            await refreshGauges()
            return try encode(MetricsReport(text: DaemonMetrics.exposition()))
        case "health":
            return try encode(try await mapStorageErrors { try await owner.health() })
        default:
            throw ControlFailure(code: "invalidInput", message: "unknown control method \(method)")
        }
    }

    /// Gauges that are read rather than counted: provider space, files by state, provider standings.
    nonisolated func refreshGauges() async {
        if let status = try? await storage.provider?.status() {
            Gauge(label: "cairn_provider_capacity_bytes").record(Int64(status.capacityByteCount))
            Gauge(label: "cairn_provider_committed_bytes").record(Int64(status.committedByteCount))
            Gauge(label: "cairn_provider_stored_bytes").record(Int64(status.storedByteCount))
            Gauge(label: "cairn_provider_free_bytes").record(Int64(status.freeByteCount))
            Gauge(label: "cairn_provider_live_contracts").record(status.liveContracts)
        }
        if let health = try? await storage.owner.health() {
            Gauge(label: "cairn_files").record(health.files)
            Gauge(label: "cairn_files_degraded").record(health.degradedFiles.count)
            Gauge(label: "cairn_files_unrecoverable").record(health.unrecoverableFiles.count)
            Gauge(label: "cairn_providers_excluded").record(health.excludedProviders.count)
            Gauge(label: "cairn_providers_down").record(health.downProviders.count)
        }
        for row in await storage.owner.providersReport() {
            Gauge(label: "cairn_provider_score", dimensions: [("peer", row.peer)]).record(row.score)
            Gauge(label: "cairn_provider_uptime_ratio", dimensions: [("peer", row.peer)]).record(row.uptime)
            if let p50 = row.latencyP50Milliseconds {
                Gauge(label: "cairn_provider_latency_ms", dimensions: [("peer", row.peer), ("quantile", "0.5")]).record(p50)
            }
            if let p95 = row.latencyP95Milliseconds {
                Gauge(label: "cairn_provider_latency_ms", dimensions: [("peer", row.peer), ("quantile", "0.95")]).record(p95)
            }
        }
    }

    static func parseCapability(_ text: String) throws -> Capability {
        do {
            return try Capability(text)
        } catch {
            throw NodeError(.invalidInput, "\(error)")
        }
    }

    nonisolated func mapStorageErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StorageError {
            switch error.kind {
            case .notFound: throw NodeError(.notFound, error.message)
            case .invalidInput: throw NodeError(.invalidInput, error.message)
            case .notEnoughProviders, .placementFailed: throw NodeError(.network, error.message)
            case .unrecoverable: throw NodeError(.corrupt, error.message)
            case .database: throw NodeError(.repository, error.message)
            }
        } catch let error as PrivateFileError {
            throw NodeError.wrapping(error, context: "storage")
        }
    }

    /// Places a private file added to this repository on providers, then (optionally) drops the local
    /// share copies: the manifest and tables stay pinned directly.
    nonisolated func place(_ params: PlaceParams, progress: ControlProgressSink) async throws -> PlacementReport {
        let manifestCID = try Self.parseCID(params.manifest)
        let blocks = repository.blocks
        let report = try await mapStorageErrors {
            try await storage.owner.place(manifest: manifestCID, verifyCap: params.verifyCap, name: params.name,
                                          readShare: { cid in try? blocks.get(cid).data },
                                          progress: { bytes in Task { await progress.send(StorageProgress(bytes: bytes)) } })
        }
        if params.dropLocalShares, report.unplacedColumns == 0 {
            try await dropLocalShares(of: manifestCID)
        }
        return report
    }

    /// Keeps the manifest and tables (pinned directly) and deletes the local share blocks.
    nonisolated func dropLocalShares(of manifestCID: CID) async throws {
        let manifest = try repository.privateManifest(manifestCID)
        let database = repository.database
        let now = Date()
        // Tables first, then the manifest's pin turns direct: nothing is unpinned at any moment.
        for table in manifest.tables { _ = try database.addPin(table, kind: .direct, name: Repository.shareTablePinName, at: now) }
        _ = try database.addPin(manifestCID, kind: .direct, name: database.pin(for: manifestCID)?.name, at: now)
        for (index, tableCID) in manifest.tables.enumerated() {
            guard let block = try? repository.blocks.get(tableCID),
                  let table = try? ShareTable(decoding: block.data, index: index, of: manifest) else { continue }
            for row in table.shareDigests.indices {
                for cid in table.shareCIDs(row: row) { _ = try? repository.blocks.delete(cid) }
            }
        }
    }

    /// Reads a file from its providers into `params.output`.
    nonisolated func storageGet(_ params: StorageGetParams, progress: ControlProgressSink) async throws -> StorageGetReport {
        let capability = try Self.parseCapability(params.capability)
        let started = ContinuousClock.now
        let temporary = params.output + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw NodeError(.invalidInput, "cannot write \(temporary)")
        }
        var written: Int64 = 0
        do {
            try await mapStorageErrors {
                try await storage.owner.read(capability) { bytes in
                    handle.write(Data(bytes))
                    written += Int64(bytes.count)
                }
            }
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, params.output) == 0 else { throw NodeError(.failed, "cannot rename \(temporary) to \(params.output)") }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        let elapsed = (ContinuousClock.now - started).components
        return StorageGetReport(bytes: written, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }
}
