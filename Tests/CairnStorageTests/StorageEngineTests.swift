import CairnCore
import CairnCrypto
import CairnPrivate
import Foundation
import Logging
import Synchronization
import Testing

@testable import CairnStorage

/// An in-memory storage network: provider engines on memory share stores, reached through a transport
/// that can take providers down, slow their share uploads or corrupt what they send — the simulator's
/// first form.
final class MemoryStorageNetwork: Sendable {
    struct State {
        var providers: [PeerID: ProviderEngine] = [:]
        var owners: [PeerID: StorageOwner] = [:]
        var down: Set<PeerID> = []
        var corrupting: Set<PeerID> = []
        var requests: [PeerID: Int] = [:]
        /// How many of the providers that receive a proposal from now on turn slow.
        var slowOnProposal = 0
        /// Providers whose share uploads each take `slowStoreDelay` (a straggler).
        var slow: Set<PeerID> = []
        var slowStoreDelay: Duration = .seconds(120)
        /// Shares a slow provider stored after all.
        var slowStoresCompleted = 0
        /// Peers that never answer (a request waits until it is cancelled): a stale DHT record's peer.
        var hung: Set<PeerID> = []
    }
    let state = Mutex(State())
    let clock = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    let randomState = Mutex(SplitMix(seed: 7))

    var now: @Sendable () -> Date { { self.clock.withLock { $0 } } }
    func advance(_ seconds: TimeInterval) { clock.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// A transport as seen from `sender`.
    func transport(from sender: PeerID) -> some StorageTransport { Transport(network: self, sender: sender) }

    struct Transport: StorageTransport {
        let network: MemoryStorageNetwork
        let sender: PeerID
        func request(_ request: StorageRequest, to peer: PeerID, timeout: Duration) async throws(StorageTransportError) -> StorageResponse {
            let (provider, owner, down, corrupt, delay) = network.state.withLock { state in
                state.requests[peer, default: 0] += 1
                if case .propose = request, state.slowOnProposal > 0, !state.slow.contains(peer) {
                    state.slowOnProposal -= 1
                    state.slow.insert(peer)
                }
                var delay: Duration?
                if case .store = request, state.slow.contains(peer) { delay = state.slowStoreDelay }
                return (state.providers[peer], state.owners[peer], state.down.contains(peer), state.corrupting.contains(peer), delay)
            }
            if down { throw .unreachable("\(peer) is down") }
            if network.state.withLock({ $0.hung.contains(peer) }) {
                do { try await Task.sleep(for: .seconds(3600)) } catch { throw .cancelled }
                throw .timeout
            }
            if let delay {
                do { try await Task.sleep(for: delay) } catch { throw .cancelled }
                network.state.withLock { $0.slowStoresCompleted += 1 }
            }
            // Requests travel encoded, as on the wire.
            let decoded: StorageRequest
            do { decoded = try StorageRequest(decoding: request.encoded()) } catch { throw .protocolViolation("\(error)") }
            var response: StorageResponse
            if case .delegate(let delegation) = decoded, let owner {
                response = await owner.acceptDelegation(delegation, from: sender)
            } else if case .revoke(let revocation) = decoded, let owner {
                response = await owner.acceptRevocation(revocation, from: sender)
            } else if let provider {
                response = await provider.handle(decoded, from: sender)
            } else {
                throw .unreachable("no such peer")
            }
            if corrupt, case .data(var result) = response, !result.data.isEmpty {
                result.data[result.data.count / 2] ^= 0x01
                response = .data(result)
            }
            do { return try StorageResponse(decoding: response.encoded()) } catch { throw .protocolViolation("\(error)") }
        }
    }

    /// Adds a provider with `capacity` bytes.
    @discardableResult
    func addProvider(capacity: UInt64 = 64 << 20, disk: Int64? = nil) throws -> (PeerID, MemoryShareStore) {
        let key = PrivateKey.generateEd25519()
        let store = MemoryShareStore(disk: disk)
        let engine = ProviderEngine(key: key, configuration: ProviderConfiguration(capacityByteCount: capacity, diskReserveByteCount: 0),
                                    database: try StorageDatabase(), store: store, now: now, logger: Self.quiet)
        state.withLock { $0.providers[key.publicKey.peerID] = engine }
        return (key.publicKey.peerID, store)
    }

    /// An owner engine (devnet timers) that discovers every provider.
    func makeOwner() throws -> StorageOwner {
        let key = PrivateKey.generateEd25519()
        let environment = OwnerEnvironment(
            transport: transport(from: key.publicKey.peerID),
            discoverProviders: { self.state.withLock { Array($0.providers.keys) }.map { DiscoveredProvider(peer: $0, addresses: []) } },
            loadBlock: { cid in self.blocks.withLock { $0[cid] } },
            now: now, sleep: { try await Task.sleep(for: $0) },
            random: { self.randomState.withLock { $0.next() } },
            // The DHT's providers of a manifest: here every provider announces every file; those holding
            // none of its shares answer `held` with an empty list.
            findHolders: { _ in self.state.withLock { Array($0.providers.keys) }.map { DiscoveredProvider(peer: $0, addresses: []) } })
        let owner = StorageOwner(key: key, configuration: .devnet, database: try StorageDatabase(), environment: environment,
                                 logger: Self.quiet)
        state.withLock { $0.owners[key.publicKey.peerID] = owner }
        return owner
    }

    /// Engines log health events as warnings; tests keep them off stderr.
    static let quiet = Logger(label: "test.storage", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The manifest and tables every owner can load (a stand-in for Bitswap).
    let blocks = Mutex([CID: [UInt8]]())
}

/// A provider's disk in memory.
final class MemoryShareStore: ProviderShareStore {
    let shares = Mutex([CID: [UInt8]]())
    let disk: Int64?
    init(disk: Int64?) { self.disk = disk }
    func read(_ cid: CID) throws -> [UInt8]? { shares.withLock { $0[cid] } }
    func write(_ cid: CID, bytes: [UInt8]) throws { shares.withLock { $0[cid] = bytes } }
    func delete(_ cid: CID) throws { _ = shares.withLock { $0.removeValue(forKey: cid) } }
    func availableDiskByteCount() -> Int64? { disk.map { $0 - Int64(shares.withLock { $0.values.reduce(0) { $0 + $1.count } }) } }
}

/// A seeded generator.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A block sink collecting an encoded private file in memory.
final class MemorySink: BlockSink {
    let blocks = Mutex([CID: [UInt8]]())
    func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws { blocks.withLock { $0[cid] = Array(bytes) } }
    func commit() throws {}
    func abort() {}
}

@Suite("Storage engines in memory") struct StorageEngineTests {
    /// Encodes `bytes` as a private file and publishes its manifest and tables to the network.
    static func encode(_ bytes: [UInt8], shares: String, network: MemoryStorageNetwork) throws -> (EncodedPrivateFile, MemorySink) {
        let parameters = try ErasureParameters(shares: shares, segmentByteCount: 16 << 10)
        let layout = try PrivateLayout(parameters: parameters, plaintextByteCount: bytes.count)
        let sink = MemorySink()
        var generator = SplitMix(seed: UInt64(bytes.count))
        let encoded = try PrivateFileEncoder(layout: layout, key: FileKey.random(using: &generator), workerCount: 1)
            .encode(MemoryPlaintextInput(bytes), into: sink) { _ in }
        let all = sink.blocks.withLock { $0 }
        let tableCIDs = Set(encoded.manifest.tables)
        network.blocks.withLock { blocks in
            blocks[encoded.manifestCID] = all[encoded.manifestCID]
            for cid in tableCIDs { blocks[cid] = all[cid] }
        }
        return (encoded, sink)
    }

    static func read(_ encoded: EncodedPrivateFile, from owner: StorageOwner) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await owner.read(encoded.readCap) { out += $0 }
        return out
    }

    /// Places an encoded file through `owner`, its shares read from `sink`.
    static func place(_ encoded: EncodedPrivateFile, from sink: MemorySink, on owner: StorageOwner, name: String) async throws -> PlacementReport {
        try await owner.place(manifest: encoded.manifestCID, verifyCap: encoded.readCap.verifyCap.text, name: name,
                              readShare: { cid in sink.blocks.withLock { $0[cid] } })
    }

    /// Takes `peers` down and lets `owner` count them down (two contacts across the down grace).
    static func takeDown(_ peers: [PeerID], in network: MemoryStorageNetwork, seenBy owner: StorageOwner) async {
        network.state.withLock { $0.down.formUnion(peers) }
        await owner.contactProviders()
        network.advance(OwnerConfiguration.devnet.downGrace + 1)
        await owner.contactProviders()
    }

    /// A file placed as 3/6 by an owner on `providerCount` providers and delegated to a second node.
    struct DelegatedFile {
        let network: MemoryStorageNetwork
        let owner: StorageOwner
        let agent: StorageOwner
        let encoded: EncodedPrivateFile
        let report: PlacementReport
    }

    static func placeAndDelegate(providers providerCount: Int, byteCount: Int, seed: UInt64, name: String) async throws -> DelegatedFile {
        let network = MemoryStorageNetwork()
        for _ in 0..<providerCount { try network.addProvider() }
        let owner = try network.makeOwner()
        let agent = try network.makeOwner()
        let (encoded, sink) = try encode(payload(byteCount, seed: seed), shares: "3/6", network: network)
        let report = try await place(encoded, from: sink, on: owner, name: name)
        try await owner.delegate(encoded.manifestCID, to: agent.peerID)
        return DelegatedFile(network: network, owner: owner, agent: agent, encoded: encoded, report: report)
    }

    static func payload(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test func placementPutsOneShareOfEachSegmentOnDistinctProviders() async throws {
        let network = MemoryStorageNetwork()
        for _ in 0..<8 { try network.addProvider() }
        let owner = try network.makeOwner()
        let bytes = Self.payload(100_000, seed: 1)
        let (encoded, sink) = try Self.encode(bytes, shares: "3/6", network: network)
        let report = try await Self.place(encoded, from: sink, on: owner, name: "a")
        #expect(report.unplacedColumns == 0)
        #expect(Set(report.providers).count == 6)
        let status = try await owner.fileStatus(encoded.manifestCID)
        #expect(status.minimumHealthy == 6)
        for segment in status.segmentStatus {
            #expect(Set(segment.shares.map(\.provider)).count == segment.shares.count, "two shares of one segment on one provider")
        }
        #expect(try await Self.read(encoded, from: owner) == bytes)
    }

    @Test("a reader with only the read-cap finds the holders through the DHT and reads around down and lying ones")
    func aReaderWithoutTheOwnersRecordsFindsTheHolders() async throws {
        let network = MemoryStorageNetwork()
        for _ in 0..<8 { try network.addProvider() }
        let owner = try network.makeOwner()
        let bytes = Self.payload(120_000, seed: 9)
        let (encoded, sink) = try Self.encode(bytes, shares: "3/6", network: network)
        let report = try await Self.place(encoded, from: sink, on: owner, name: "shared")
        // A second node: no contracts, no locations, only the read-cap.
        let reader = try network.makeOwner()
        #expect(try await Self.read(encoded, from: reader) == bytes)
        let peers = try report.providers.map { try PeerID($0) }
        network.state.withLock { state in
            state.down.formUnion(peers[0..<2])
            state.corrupting.insert(peers[2])
        }
        #expect(try await Self.read(encoded, from: reader) == bytes)
        let liar = try #require(await reader.providersReport().first { $0.peer == peers[2].description })
        #expect(liar.badData > 0)
        // Nobody holding the file answers: a clear error naming what is missing, no bytes.
        network.state.withLock { $0.down.formUnion(peers) }
        var written = 0
        await #expect(throws: StorageError.self) {
            try await reader.read(encoded.readCap) { written += $0.count }
        }
        #expect(written == 0)
    }

    @Test("a peer announcing the file that never answers does not hold up a read once k holders answered",
          .timeLimit(.minutes(1)))
    func anUnresponsiveAnnouncerDoesNotStallDiscovery() async throws {
        let network = MemoryStorageNetwork()
        for _ in 0..<8 { try network.addProvider() }
        let owner = try network.makeOwner()
        let bytes = Self.payload(80_000, seed: 14)
        let (encoded, sink) = try Self.encode(bytes, shares: "3/6", network: network)
        let report = try await Self.place(encoded, from: sink, on: owner, name: "stale")
        // This in-memory transport has no timeouts: without the grace after the k-th holder, the read
        // would wait for the silent peer until the time limit.
        let holders = Set(try report.providers.map { try PeerID($0) })
        let silent = try #require(network.state.withLock { Array($0.providers.keys) }.first { !holders.contains($0) })
        _ = network.state.withLock { $0.hung.insert(silent) }
        let reader = try network.makeOwner()
        #expect(try await Self.read(encoded, from: reader) == bytes)
    }

    @Test func providerRefusesWhatItCannotHold() async throws {
        let network = MemoryStorageNetwork()
        // Promises 1 GiB but its disk has 50 kB: offers and acceptance follow the disk.
        let (peer, _) = try network.addProvider(capacity: 1 << 30, disk: 50_000)
        let owner = try network.makeOwner()
        await owner.discoverProviders()
        let offer = try #require(await owner.providers[peer]?.offer)
        #expect(offer.capacityByteCount <= 50_000)
        let bytes = Self.payload(300_000, seed: 2)
        let (encoded, sink) = try Self.encode(bytes, shares: "1/2", network: network)
        await #expect(throws: StorageError.self) {
            _ = try await Self.place(encoded, from: sink, on: owner, name: "b")
        }
    }

    @Test func auditsCatchDroppedSharesAndRepairMovesThem() async throws {
        let network = MemoryStorageNetwork()
        var stores: [PeerID: MemoryShareStore] = [:]
        for _ in 0..<9 {
            let (peer, store) = try network.addProvider()
            stores[peer] = store
        }
        let owner = try network.makeOwner()
        let bytes = Self.payload(200_000, seed: 3)
        let (encoded, sink) = try Self.encode(bytes, shares: "3/6", network: network)
        let report = try await Self.place(encoded, from: sink, on: owner, name: "c")
        let cheat = try #require(PeerID?(try PeerID(report.providers[0])))
        stores[cheat]?.shares.withLock { $0.removeAll() }
        for _ in 0..<40 {
            await owner.auditOnce()
            if await owner.standing(cheat) == .excluded { break }
        }
        #expect(await owner.standing(cheat) == .excluded)
        try await owner.checkFile(encoded.manifestCID, repair: true)
        let status = try await owner.fileStatus(encoded.manifestCID)
        #expect(status.minimumHealthy == 6)
        #expect(!status.providers.contains(cheat.description))
        #expect(try await Self.read(encoded, from: owner) == bytes)
    }

    @Test func readsSurviveDownAndCorruptingProvidersAndPenaliseThem() async throws {
        let network = MemoryStorageNetwork()
        for _ in 0..<6 { try network.addProvider() }
        let owner = try network.makeOwner()
        let bytes = Self.payload(150_000, seed: 4)
        let (encoded, sink) = try Self.encode(bytes, shares: "3/6", network: network)
        let report = try await Self.place(encoded, from: sink, on: owner, name: "d")
        let peers = try report.providers.map { try PeerID($0) }
        network.state.withLock { state in
            state.down.insert(peers[0])
            state.corrupting.insert(peers[1])
        }
        #expect(try await Self.read(encoded, from: owner) == bytes)
        let rows = await owner.providersReport()
        let liar = try #require(rows.first { $0.peer == peers[1].description })
        #expect(liar.badData > 0)
        // n − k + 1 providers gone: a clear error, never wrong bytes.
        network.state.withLock { state in
            state.down.insert(peers[2])
            state.down.insert(peers[3])
        }
        await #expect(throws: (any Error).self) { _ = try await Self.read(encoded, from: owner) }
    }

    @Test func repairAfterProvidersVanishRestoresFullHealth() async throws {
        let network = MemoryStorageNetwork()
        for _ in 0..<10 { try network.addProvider() }
        let owner = try network.makeOwner()
        let bytes = Self.payload(250_000, seed: 5)
        let (encoded, sink) = try Self.encode(bytes, shares: "3/6", network: network)
        let report = try await Self.place(encoded, from: sink, on: owner, name: "e")
        let gone = try report.providers.prefix(3).map { try PeerID($0) }
        await Self.takeDown(gone, in: network, seenBy: owner)
        try await owner.checkFile(encoded.manifestCID, repair: true)
        let status = try await owner.fileStatus(encoded.manifestCID)
        #expect(status.minimumHealthy == 6)
        #expect(Set(status.providers).isDisjoint(with: gone.map(\.description)))
        #expect(try await Self.read(encoded, from: owner) == bytes)
        let health = try await owner.health()
        #expect(health.recentEvents["REPAIR_DONE"] == 1)
    }

    @Test func repairOfAFileLargerThanOneRepairBatch() async throws {
        let network = MemoryStorageNetwork()
        for _ in 0..<8 { try network.addProvider() }
        let owner = try network.makeOwner()
        // 150 segments of 16 KiB: three repair batches.
        let bytes = Self.payload(150 * 16_000, seed: 10)
        let (encoded, sink) = try Self.encode(bytes, shares: "2/4", network: network)
        let report = try await Self.place(encoded, from: sink, on: owner, name: "j")
        let gone = try report.providers.prefix(2).map { try PeerID($0) }
        await Self.takeDown(gone, in: network, seenBy: owner)
        try await owner.checkFile(encoded.manifestCID, repair: true)
        let status = try await owner.fileStatus(encoded.manifestCID)
        #expect(status.minimumHealthy == 4)
        #expect(Set(status.providers).isDisjoint(with: gone.map(\.description)))
        #expect(try await Self.read(encoded, from: owner) == bytes)
    }

    @Test func delegatedAgentRepairsWithoutTheOwner() async throws {
        let file = try await Self.placeAndDelegate(providers: 10, byteCount: 120_000, seed: 6, name: "f")
        let (network, owner, agent, encoded, report) = (file.network, file.owner, file.agent, file.encoded, file.report)
        _ = network.state.withLock { $0.down.insert(owner.peerID) }
        let gone = try report.providers.prefix(3).map { try PeerID($0) }
        network.state.withLock { $0.down.formUnion(gone) }
        await agent.discoverProviders()
        await agent.contactProviders()
        network.advance(OwnerConfiguration.devnet.downGrace + 1)
        await agent.contactProviders()
        try await agent.checkFile(encoded.manifestCID, repair: true)
        let status = try await agent.fileStatus(encoded.manifestCID)
        #expect(status.minimumHealthy == 6)
        #expect(status.role == "delegate")
    }

    @Test("releasing a file cancels the owner's contracts and revokes the delegation; the agent cancels the ones it signed")
    func releasingAFileEndsItsContractsAndDelegations() async throws {
        let file = try await Self.placeAndDelegate(providers: 10, byteCount: 100_000, seed: 12, name: "released")
        let (network, owner, agent, encoded, report) = (file.network, file.owner, file.agent, file.encoded, file.report)
        // Two holders vanish; the agent repairs onto new providers under contracts it signs itself.
        let gone = try report.providers.prefix(2).map { try PeerID($0) }
        await agent.discoverProviders()
        await Self.takeDown(gone, in: network, seenBy: agent)
        try await agent.checkFile(encoded.manifestCID, repair: true)
        let agentContracts = try agent.database.contracts(role: .owner, state: .live).filter { record in
            (try? StorageContract(decoding: Array(record.encoded)))?.owner == agent.key.publicKey
        }
        #expect(!agentContracts.isEmpty)

        let released = try await owner.releaseFile(encoded.manifestCID)
        #expect(released.contracts == 6)
        #expect(released.pending == 2, "the two down providers cannot confirm yet")
        #expect(released.cancelled == 4)
        #expect(released.agentsRevoked == 1 && released.agentsPending == 0)
        await #expect(throws: StorageError.self) { try await owner.fileStatus(encoded.manifestCID) }
        await #expect(throws: StorageError.self) { try await agent.fileStatus(encoded.manifestCID) }
        #expect(try agent.database.contracts(role: .owner, state: .live).isEmpty)
        // Every reachable provider let the file go; the down ones hear it when they are back.
        let providers = network.state.withLock { $0.providers }
        for (peer, provider) in providers where !gone.contains(peer) {
            #expect(try await provider.status().heldShares == 0, "\(peer) still holds shares of the released file")
        }
        network.state.withLock { $0.down.subtract(gone) }
        await owner.contactProviders()
        #expect(await owner.retryCancellations() == 2)
        for peer in gone { #expect(try await providers[peer]?.status().heldShares == 0) }
        // Releasing again: nothing is looked after any more.
        await #expect(throws: StorageError.self) { try await owner.releaseFile(encoded.manifestCID) }
    }

    @Test("a file released while the daemon was off: its cancellations and revocation go out on the next run, also to a provider that was down for long")
    func aFileReleasedOfflineIsCancelledWhenTheOwnerRuns() async throws {
        let file = try await Self.placeAndDelegate(providers: 8, byteCount: 90_000, seed: 13, name: "offline")
        let (network, owner, agent, encoded, report) = (file.network, file.owner, file.agent, file.encoded, file.report)
        let away = try PeerID(report.providers[0])
        await Self.takeDown([away], in: network, seenBy: owner)

        let queued = try #require(try owner.database.releaseFileOffline(manifest: encoded.manifestCID.description, at: network.now()))
        #expect(queued.contracts == 6 && queued.agents == 1)
        #expect(try owner.database.releaseFileOffline(manifest: "bafkqaaa", at: network.now()) == nil)
        await owner.contactProviders()
        #expect(await owner.retryCancellations() == 5)
        #expect(await owner.revokeDelegationsOfReleasedFiles() == 1)
        await #expect(throws: StorageError.self) { try await agent.fileStatus(encoded.manifestCID) }
        // The provider that was away for longer than the down grace comes back: contacted, then told.
        network.advance(3600)
        _ = network.state.withLock { $0.down.remove(away) }
        await owner.contactProviders()
        #expect(await owner.retryCancellations() == 1)
        let providers = network.state.withLock { $0.providers }
        for (peer, provider) in providers {
            #expect(try await provider.status().heldShares == 0, "\(peer) still holds shares of the released file")
        }
    }

    @Test func contractsAreRenewedInTheirLastQuarterAndExpiredOnesReleaseSpace() async throws {
        let network = MemoryStorageNetwork()
        var stores: [MemoryShareStore] = []
        for _ in 0..<4 { stores.append(try network.addProvider().1) }
        let owner = try network.makeOwner()
        let bytes = Self.payload(60_000, seed: 7)
        let (encoded, sink) = try Self.encode(bytes, shares: "2/4", network: network)
        _ = try await Self.place(encoded, from: sink, on: owner, name: "g")
        #expect(await owner.renewContracts() == 0)
        network.advance(OwnerConfiguration.devnet.contractDuration * 0.8)
        #expect(await owner.renewContracts() == 4)
        // Past the original end the providers still hold everything: the renewal extended it.
        network.advance(OwnerConfiguration.devnet.contractDuration * 0.5)
        for provider in network.state.withLock({ Array($0.providers.values) }) { try await provider.expireContracts() }
        #expect(stores.allSatisfy { !$0.shares.withLock { $0.isEmpty } })
        #expect(try await Self.read(encoded, from: owner) == bytes)
        // A second renewal, past the signed contract's own end: the providers go by the renewed end.
        network.advance(OwnerConfiguration.devnet.contractDuration * 0.3)
        #expect(await owner.renewContracts() == 4)
        // Without renewals, the providers release the space when the contracts end.
        network.advance(OwnerConfiguration.devnet.contractDuration * 1.1)
        var ended = 0
        for provider in network.state.withLock({ Array($0.providers.values) }) { ended += try await provider.expireContracts() }
        #expect(ended == 4)
        #expect(stores.allSatisfy { $0.shares.withLock { $0.isEmpty } })
    }

    @Test(.timeLimit(.minutes(3))) func aSlowProviderIsRacedByASpareAndItsContractCancelled() async throws {
        let network = MemoryStorageNetwork()
        for _ in 0..<10 { try network.addProvider() }
        let owner = try network.makeOwner()
        let bytes = Self.payload(200_000, seed: 8)
        let (encoded, sink) = try Self.encode(bytes, shares: "3/6", network: network)
        // The first provider asked (a primary: spares are only asked later) takes 120 s per share (this
        // transport has no deadlines), so only racing it against a spare finishes the upload in time.
        network.state.withLock {
            $0.slowOnProposal = 1
            $0.slowStoreDelay = .seconds(120)
        }
        let report = try await Self.place(encoded, from: sink, on: owner, name: "h")
        let (slow, completed) = network.state.withLock { ($0.slow.first, $0.slowStoresCompleted) }
        let straggler = try #require(slow)
        #expect(completed == 0, "the upload waited for the straggler")
        #expect(!report.providers.contains(straggler.description))
        #expect(report.reassignedColumns == 1)
        #expect(report.unplacedColumns == 0)
        let status = try await owner.fileStatus(encoded.manifestCID)
        #expect(status.minimumHealthy == 6)
        #expect(try await Self.read(encoded, from: owner) == bytes)
        // The straggler was told: its contract is cancelled and it holds nothing.
        let engine = try #require(network.state.withLock { $0.providers[straggler] })
        let held = try await engine.status()
        #expect(held.liveContracts == 0)
        #expect(held.committedByteCount == 0)
    }

    @Test func aCancellationTheProviderMissedIsSentAgainWhenItIsBack() async throws {
        let network = MemoryStorageNetwork()
        for _ in 0..<4 { try network.addProvider() }
        let owner = try network.makeOwner()
        let bytes = Self.payload(40_000, seed: 9)
        let (encoded, sink) = try Self.encode(bytes, shares: "2/4", network: network)
        let report = try await Self.place(encoded, from: sink, on: owner, name: "i")
        let peer = try PeerID(report.providers[0])
        let database = owner.database
        let contract = try #require(try database.contracts(role: .owner, state: .live).first { $0.counterparty == peer.description })
        network.state.withLock { _ = $0.down.insert(peer) }
        await owner.endContract(contract.id)
        #expect(try database.contract(contract.id)?.state == .abandoned)
        let engine = try #require(network.state.withLock { $0.providers[peer] })
        #expect(try await engine.status().liveContracts == 1)
        network.state.withLock { _ = $0.down.remove(peer) }
        #expect(await owner.retryCancellations() == 1)
        #expect(try database.contract(contract.id)?.state == .cancelled)
        #expect(try await engine.status().liveContracts == 0)
        #expect(await owner.retryCancellations() == 0)
    }
}
