import CairnCore
import CairnCrypto
import CairnPrivate
import Foundation
import Logging
import Metrics

/// What the owner engine needs from the node it runs in.
public struct OwnerEnvironment: Sendable {
    /// Requests to providers.
    public var transport: any StorageTransport
    /// Providers announced in the DHT.
    public var discoverProviders: @Sendable () async -> [DiscoveredProvider]
    /// A block (manifest, share table) from the local store or the network; nil when nobody has it.
    public var loadBlock: @Sendable (CID) async -> [UInt8]?
    /// The clock.
    public var now: @Sendable () -> Date
    /// Sleeps (the loops' timer); throws when cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Random 64-bit values (placement, audit choices).
    public var random: @Sendable () -> UInt64
    /// A block from the local store only (shares of files that were never placed).
    public var localBlock: @Sendable (CID) -> [UInt8]?
    /// Peers announcing a file's manifest in the DHT: the providers holding its shares (each keeps the
    /// manifest and tables), the owner and its repair agents. How a reader without the owner's database
    /// finds where the shares are.
    public var findHolders: @Sendable (CID) async -> [DiscoveredProvider]

    /// Creates an environment.
    public init(transport: any StorageTransport, discoverProviders: @escaping @Sendable () async -> [DiscoveredProvider],
                loadBlock: @escaping @Sendable (CID) async -> [UInt8]?, now: @escaping @Sendable () -> Date,
                sleep: @escaping @Sendable (Duration) async throws -> Void, random: @escaping @Sendable () -> UInt64,
                localBlock: @escaping @Sendable (CID) -> [UInt8]? = { _ in nil },
                findHolders: @escaping @Sendable (CID) async -> [DiscoveredProvider] = { _ in [] }) {
        self.localBlock = localBlock
        self.findHolders = findHolders
        self.transport = transport
        self.discoverProviders = discoverProviders
        self.loadBlock = loadBlock
        self.now = now
        self.sleep = sleep
        self.random = random
    }
}

/// A random number generator over the environment's source.
struct EnvironmentRandom: RandomNumberGenerator {
    let source: @Sendable () -> UInt64
    mutating func next() -> UInt64 { source() }
}

/// A failure of the owner engine, with what to do about it.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// A category the CLI maps to an exit code.
    public enum Kind: String, Sendable {
        case notEnoughProviders, notFound, invalidInput, placementFailed, unrecoverable, database
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }
}

/// A provider we know of: its latest verified offer and where it listens.
struct KnownProvider: Sendable {
    var offer: StorageOffer
    var addresses: [Multiaddr]
    var domain: FailureDomain
}

/// The owner side of the storage market, run by a file's owner and by repair agents it delegates to:
/// discovers providers and their offers, places shares under signed contracts, audits providers with
/// range reads, keeps their scorecards, checks every file's share health on a schedule and repairs it
/// (without the read key), and reads files back from the fastest providers.
public actor StorageOwner {
    /// This node's key (it signs contracts).
    nonisolated let key: PrivateKey
    /// The configuration.
    public nonisolated let configuration: OwnerConfiguration
    nonisolated let database: StorageDatabase
    nonisolated let environment: OwnerEnvironment
    nonisolated let logger: Logger
    var providers: [PeerID: KnownProvider] = [:]
    var scorecards: [PeerID: ProviderScorecard] = [:]
    var repairing: Set<String> = []
    var lastStanding: [PeerID: ProviderStanding] = [:]
    /// When providers were last discovered.
    var lastDiscovery: Date?
    /// Layouts of the files looked after, by manifest CID text (loaded with their manifests).
    var layouts: [String: PrivateLayout] = [:]

    /// Creates the engine; scorecards and offers come back from the database.
    public init(key: PrivateKey, configuration: OwnerConfiguration, database: StorageDatabase, environment: OwnerEnvironment,
                logger: Logger) {
        self.key = key
        self.configuration = configuration
        self.database = database
        self.environment = environment
        self.logger = logger
        let decoder = JSONDecoder()
        for record in (try? database.scorecardRecords()) ?? [] {
            guard let peer = try? PeerID(record.peer), let card = try? decoder.decode(ProviderScorecard.self, from: record.card) else { continue }
            scorecards[peer] = card
            lastStanding[peer] = card.standing(configuration.reputation)
        }
        for record in (try? database.offers()) ?? [] {
            guard let peer = try? PeerID(record.peer), let offer = try? StorageOffer(decoding: Array(record.encoded)),
                  offer.hasValidSignature, offer.providerPeerID == peer else { continue }
            let addresses = record.addresses.split(separator: " ").compactMap { try? Multiaddr(String($0)) }
            providers[peer] = KnownProvider(offer: offer, addresses: addresses, domain: FailureDomain.of(addresses, peer: peer))
        }
    }

    /// This node's peer ID.
    public nonisolated var peerID: PeerID { key.publicKey.peerID }

    /// Runs discovery, contacts, audits and repair checks until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.loop(every: self.configuration.discoveryInterval) {
                    // A node that looks after no file only needs fresh offers when it places one (place()
                    // and capacity queries discover on demand), so it refreshes them ten times less often.
                    if await self.needsFrequentDiscovery() { await self.discoverProviders() }
                }
            }
            group.addTask {
                await self.loop(every: self.configuration.contactInterval) {
                    await self.contactProviders()
                    await self.renewContracts()
                    await self.retryCancellations()
                    await self.revokeDelegationsOfReleasedFiles()
                }
            }
            group.addTask { await self.loop(every: self.configuration.auditInterval) { await self.auditOnce() } }
            group.addTask { await self.loop(every: self.configuration.checkInterval) { await self.checkAllFiles() } }
        }
    }

    private nonisolated func loop(every interval: Duration, _ body: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            await body()
            do { try await environment.sleep(interval) } catch { return }
        }
    }

    // MARK: - Providers

    /// Whether the periodic discovery should run now.
    func needsFrequentDiscovery() -> Bool {
        let hasFiles = !((try? database.files()) ?? []).isEmpty
        let stale = lastDiscovery.map { environment.now().timeIntervalSince($0) > 10 * configuration.discoveryInterval.seconds } ?? true
        return hasFiles || stale
    }

    /// Asks the DHT for providers and each for its offer; returns how many offers verified.
    @discardableResult
    public func discoverProviders() async -> Int {
        lastDiscovery = environment.now()
        let found = await environment.discoverProviders().filter { $0.peer != peerID }
        let offers = await withTaskGroup(of: (DiscoveredProvider, StorageOffer?, Duration).self) { group in
            for provider in found {
                group.addTask {
                    let started = ContinuousClock.now
                    let response = try? await self.environment.transport.request(.offer, to: provider.peer, timeout: self.configuration.requestTimeout)
                    guard case .offer(let offer)? = response else { return (provider, nil, .zero) }
                    return (provider, offer, ContinuousClock.now - started)
                }
            }
            var results: [(DiscoveredProvider, StorageOffer?, Duration)] = []
            for await result in group { results.append(result) }
            return results
        }
        var verified = 0
        for (provider, offer, latency) in offers {
            guard let offer else {
                recordContact(provider.peer, reachable: false, latency: nil)
                continue
            }
            guard offer.hasValidSignature, offer.providerPeerID == provider.peer,
                  offer.protocolVersion == CairnStorage.protocolVersion else {
                logger.warning("provider sent an offer that does not verify", metadata: ["peer": "\(provider.peer)"])
                continue
            }
            remember(offer, addresses: provider.addresses, peer: provider.peer)
            recordContact(provider.peer, reachable: true, latency: latency)
            verified += 1
        }
        saveScorecards()
        return verified
    }

    private func remember(_ offer: StorageOffer, addresses: [Multiaddr], peer: PeerID) {
        let known = addresses.isEmpty ? (providers[peer]?.addresses ?? []) : addresses
        providers[peer] = KnownProvider(offer: offer, addresses: known, domain: FailureDomain.of(known, peer: peer))
        try? database.saveOffer(OfferRecord(peer: peer.description, encoded: Data(offer.encoded()),
                                            addresses: known.map(\.description).joined(separator: " "), receivedAt: environment.now()))
    }

    /// Asks every provider holding our shares for its offer (a heartbeat: uptime, latency, free space).
    public func contactProviders() async {
        var peers = Set<PeerID>()
        // Providers awaiting a cancellation are contacted too: once one answers again it counts as up and
        // the cancellation is sent (retryCancellations), however long it was away.
        let nowSeconds = Int64(environment.now().timeIntervalSince1970)
        let abandoned = ((try? database.contracts(role: .owner, state: .abandoned)) ?? []).filter { $0.end > nowSeconds }
        for contract in ((try? database.contracts(role: .owner, state: .live)) ?? []) + abandoned {
            if let peer = try? PeerID(contract.counterparty) { peers.insert(peer) }
        }
        let answers = await withTaskGroup(of: (PeerID, StorageOffer?, Duration).self) { group in
            for peer in peers {
                group.addTask {
                    let started = ContinuousClock.now
                    let response = try? await self.environment.transport.request(.offer, to: peer, timeout: self.configuration.requestTimeout)
                    guard case .offer(let offer)? = response, offer.hasValidSignature, offer.providerPeerID == peer else { return (peer, nil, .zero) }
                    return (peer, offer, ContinuousClock.now - started)
                }
            }
            var results: [(PeerID, StorageOffer?, Duration)] = []
            for await result in group { results.append(result) }
            return results
        }
        for (peer, offer, latency) in answers {
            if let offer { remember(offer, addresses: [], peer: peer) }
            recordContact(peer, reachable: offer != nil, latency: offer == nil ? nil : latency)
        }
        saveScorecards()
    }

    func scorecard(_ peer: PeerID) -> ProviderScorecard {
        scorecards[peer] ?? ProviderScorecard(peer: peer.description)
    }

    func recordContact(_ peer: PeerID, reachable: Bool, latency: Duration?) {
        var card = scorecard(peer)
        card.recordContact(reachable: reachable, latency: latency, at: environment.now(), policy: configuration.reputation)
        update(card, for: peer)
    }

    /// Stores a changed scorecard and reports a change of standing (log, event, metric).
    func update(_ card: ProviderScorecard, for peer: PeerID) {
        scorecards[peer] = card
        let standing = card.standing(configuration.reputation)
        let previous = lastStanding[peer] ?? .good
        guard standing != previous else { return }
        lastStanding[peer] = standing
        switch standing {
        case .warning:
            event("PROVIDER_WARNING", subject: peer.description, "provider score fell to \(String(format: "%.3f", card.score)) (audits \(card.auditsPassed) passed, \(card.auditsFailed) failed)")
            Counter(label: "cairn_provider_warnings_total").increment()
        case .excluded:
            event("PROVIDER_EXCLUDED", subject: peer.description, "provider excluded: score \(String(format: "%.3f", card.score)); it gets no new shares and its shares are repaired elsewhere")
            Counter(label: "cairn_provider_exclusions_total").increment()
        case .good:
            event("PROVIDER_RECOVERED", subject: peer.description, "provider back in good standing")
        }
    }

    func saveScorecards() {
        let encoder = JSONEncoder()
        let now = environment.now()
        for (peer, card) in scorecards {
            if let data = try? encoder.encode(card) { try? database.saveScorecard(peer: peer.description, card: data, at: now) }
        }
    }

    func saveScorecard(_ peer: PeerID) {
        guard let card = scorecards[peer], let data = try? JSONEncoder().encode(card) else { return }
        try? database.saveScorecard(peer: peer.description, card: data, at: environment.now())
    }

    /// Whether `peer` answered recently enough for its shares to count.
    func isUp(_ peer: PeerID) -> Bool {
        guard let card = scorecards[peer] else { return true }
        if card.uptime.consecutiveFailures == 0 { return true }
        guard let seen = card.uptime.lastSeen else { return false }
        return environment.now().timeIntervalSince(seen) < configuration.downGrace
    }

    func standing(_ peer: PeerID) -> ProviderStanding {
        scorecard(peer).standing(configuration.reputation)
    }

    /// Providers that could take `byteCount` more bytes now.
    func candidates(byteCount: UInt64) -> [ProviderCandidate] {
        providers.compactMap { peer, known in
            guard isUp(peer) else { return nil }
            let card = scorecard(peer)
            return ProviderCandidate(peer: peer, domain: known.domain, freeByteCount: known.offer.freeByteCount,
                                     score: card.score, standing: card.standing(configuration.reputation))
        }
    }

    /// How many known providers are up, not excluded and have room for `byteCount` bytes.
    public func availableProviderCount(byteCount: UInt64 = 0) -> Int {
        candidates(byteCount: byteCount).filter { $0.standing != .excluded && $0.freeByteCount >= byteCount }.count
    }

    // MARK: - Events

    /// Records a health event in the database and the log.
    func event(_ kind: String, subject: String, _ message: String) {
        logger.warning("\(message)", metadata: ["event": "\(kind)", "subject": "\(subject)"])
        try? database.addEvent(kind: kind, subject: subject, message: message, at: environment.now())
    }

    // MARK: - Contracts

    func newContractID() -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<2 { withUnsafeBytes(of: environment.random()) { bytes += $0 } }
        return bytes
    }

    /// Proposes a contract for `shares` of `manifest` to `provider`; returns the countersigned contract.
    func propose(manifest: CID, shares: [ContractShare], to provider: PeerID) async throws -> StorageContract {
        guard let providerKey = try? provider.embeddedPublicKey() ?? providers[provider]?.offer.provider else {
            throw StorageError(.placementFailed, "no public key known for \(provider)")
        }
        let price = providers[provider]?.offer.pricePerGiBMonth ?? 0
        let plan = AuditPlan(intervalSeconds: UInt32(clamping: Int(configuration.auditInterval.components.seconds)), rangesPerAudit: 1)
        var contract = StorageContract(id: newContractID(), owner: key.publicKey, provider: providerKey, manifest: manifest, shares: shares,
                                       start: UInt64(max(0, environment.now().timeIntervalSince1970)),
                                       duration: UInt64(configuration.contractDuration), pricePerGiBMonth: price, auditPlan: plan)
        try contract.signAsOwner(with: key)
        let response = try await environment.transport.request(.propose(contract), to: provider, timeout: configuration.requestTimeout)
        switch response {
        case .accepted(let signed):
            guard signed.signingBytes() == contract.signingBytes(), signed.hasValidProviderSignature, signed.hasValidOwnerSignature else {
                throw StorageError(.placementFailed, "\(provider) returned a contract that does not match or verify")
            }
            try database.saveContract(ContractRecord(id: signed.idText, role: .owner, counterparty: provider.description,
                                                     manifest: manifest.description, byteCount: Int64(signed.byteCount),
                                                     start: Int64(signed.start), end: Int64(signed.end), state: .live,
                                                     encoded: Data(signed.encoded()), updatedAt: environment.now()))
            return signed
        case .refused(let refusal):
            throw StorageError(.placementFailed, "\(provider) refused the contract: \(refusal.message)")
        default:
            throw StorageError(.placementFailed, "\(provider) answered a proposal with something else")
        }
    }

    /// Cancels one of our contracts: `.cancelled` once the provider confirms (or has no live copy of it),
    /// else `.abandoned` — an unconfirmed cancellation that ``retryCancellations()`` sends again while the
    /// provider is reachable, until the contract's end, so a provider that was frozen or offline releases
    /// the space as soon as it is back.
    func endContract(_ id: String) async {
        guard let record = try? database.contract(id), record.role == .owner, record.state == .live || record.state == .abandoned,
              let contract = try? StorageContract(decoding: Array(record.encoded)), let peer = try? PeerID(record.counterparty) else { return }
        var cancellation = ContractCancellation(contractID: contract.id, at: UInt64(max(0, environment.now().timeIntervalSince1970)))
        try? cancellation.sign(with: key)
        let response = try? await environment.transport.request(.cancel(cancellation), to: peer, timeout: configuration.requestTimeout)
        let confirmed: Bool
        switch response {
        case .cancelled(let contractID)?: confirmed = contractID == contract.id
        case .refused(let refusal)?: confirmed = refusal.code == .unknownContract || refusal.code == .expired
        default: confirmed = false
        }
        _ = try? database.updateContract(id, state: confirmed ? .cancelled : .abandoned, at: environment.now())
    }

    /// Sends again the cancellations no provider confirmed yet, to the providers that are up, for contracts
    /// that have not ended anyway. Returns how many were confirmed now.
    @discardableResult
    public func retryCancellations() async -> Int {
        let nowSeconds = Int64(environment.now().timeIntervalSince1970)
        let pending = ((try? database.contracts(role: .owner, state: .abandoned)) ?? []).filter { record in
            guard record.end > nowSeconds, let peer = try? PeerID(record.counterparty) else { return false }
            return isUp(peer)
        }
        await withTaskGroup(of: Void.self) { group in
            for record in pending { group.addTask { await self.endContract(record.id) } }
        }
        return pending.filter { (try? database.contract($0.id))??.state == .cancelled }.count
    }

    /// Renews every live contract in its last quarter whose shares still count, to a full duration from now;
    /// marks contracts whose end passed as expired. Returns how many were renewed.
    @discardableResult
    public func renewContracts() async -> Int {
        let now = environment.now()
        let nowSeconds = Int64(now.timeIntervalSince1970)
        var renewed = 0
        for record in (try? database.contracts(role: .owner, state: .live)) ?? [] {
            if record.end <= nowSeconds {
                _ = try? database.updateContract(record.id, state: .expired, at: now)
                event("CONTRACT_EXPIRED", subject: record.counterparty, "contract \(record.id) ended before it was renewed")
                continue
            }
            guard Double(record.end - nowSeconds) < configuration.contractDuration / 4,
                  let contract = try? StorageContract(decoding: Array(record.encoded)), contract.owner == key.publicKey,
                  let peer = try? PeerID(record.counterparty),
                  !(((try? database.locations(contractID: record.id)) ?? []).filter { $0.state == .placed }).isEmpty else { continue }
            var renewal = ContractRenewal(contractID: contract.id, newEnd: UInt64(nowSeconds) + UInt64(configuration.contractDuration))
            guard (try? renewal.signAsOwner(with: key)) != nil,
                  case .renewed(let signed)? = try? await environment.transport.request(.renew(renewal), to: peer, timeout: configuration.requestTimeout),
                  signed.newEnd == renewal.newEnd, signed.hasValidProviderSignature(contract.provider) else { continue }
            _ = try? database.updateContract(record.id, state: .live, end: Int64(signed.newEnd), at: now)
            renewed += 1
        }
        return renewed
    }

    /// Uploads one share under a contract.
    func upload(_ bytes: [UInt8], share: CID, contract: StorageContract, to provider: PeerID) async throws {
        let started = ContinuousClock.now
        let response = try await environment.transport.request(.store(contractID: contract.id, share: share, bytes: bytes), to: provider,
                                                                timeout: configuration.transferTimeout)
        switch response {
        case .stored(let stored) where stored == share:
            var card = scorecard(provider)
            card.recordTransfer(byteCount: bytes.count, duration: ContinuousClock.now - started)
            scorecards[provider] = card
        case .refused(let refusal):
            throw StorageError(.placementFailed, "\(provider) refused share \(share): \(refusal.message)")
        default:
            throw StorageError(.placementFailed, "\(provider) answered an upload with something else")
        }
    }

    // MARK: - Files

    /// The manifest and every share table of a file.
    func loadFile(_ manifestCID: CID) async throws -> (PrivateManifest, [ShareTable]) {
        guard let bytes = await environment.loadBlock(manifestCID) else {
            throw StorageError(.notFound, "the manifest \(manifestCID) is not here and no peer sent it")
        }
        let manifest: PrivateManifest
        do { manifest = try PrivateManifest(decoding: bytes) } catch { throw StorageError(.invalidInput, "\(manifestCID) is not a private-file manifest: \(error)") }
        layouts[manifestCID.description] = manifest.layout
        var tables: [ShareTable] = []
        for (index, cid) in manifest.tables.enumerated() {
            guard let bytes = await environment.loadBlock(cid) else { throw StorageError(.notFound, "share table \(index) (\(cid)) is not available") }
            do { tables.append(try ShareTable(decoding: bytes, index: index, of: manifest)) } catch {
                throw StorageError(.invalidInput, "share table \(index) is damaged: \(error)")
            }
        }
        return (manifest, tables)
    }

    /// (segment, share index, CID) of every share of a file, column by column.
    static func columns(of manifest: PrivateManifest, tables: [ShareTable]) -> [[(segment: Int, cid: CID, byteCount: Int)]] {
        let layout = manifest.layout
        var columns = Array(repeating: [(segment: Int, cid: CID, byteCount: Int)](), count: layout.totalShareCount)
        for (tableIndex, table) in tables.enumerated() {
            for (row, segment) in manifest.segments(inTable: tableIndex).enumerated() {
                for (index, cid) in table.shareCIDs(row: row).enumerated() {
                    columns[index].append((segment, cid, layout.shareByteCount(ofSegment: segment)))
                }
            }
        }
        return columns
    }

    /// Whether a location counts toward its segment's health.
    func isHealthy(_ location: ShareLocationRecord) -> Bool {
        guard location.state == .placed, let peer = try? PeerID(location.provider) else { return false }
        return isUp(peer) && standing(peer) != .excluded
    }
}
