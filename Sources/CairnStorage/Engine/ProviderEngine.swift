import CairnCore
import CairnCrypto
import Foundation
import Logging

/// How a node serves as a storage provider.
public struct ProviderConfiguration: Sendable, Equatable {
    /// Bytes of share data this provider promises at most.
    public var capacityByteCount: UInt64
    /// Asking price per GiB-month, in micro-tokens.
    public var pricePerGiBMonth: UInt64
    /// Bytes always left free on the disk besides the promises.
    public var diskReserveByteCount: UInt64
    /// How far a contract's start may be from our clock.
    public var clockTolerance: TimeInterval

    /// Creates a configuration.
    public init(capacityByteCount: UInt64, pricePerGiBMonth: UInt64 = 0, diskReserveByteCount: UInt64 = 64 << 20,
                clockTolerance: TimeInterval = 3600) {
        self.capacityByteCount = capacityByteCount
        self.pricePerGiBMonth = pricePerGiBMonth
        self.diskReserveByteCount = diskReserveByteCount
        self.clockTolerance = clockTolerance
    }
}

/// What a provider holds and has promised (`cairn providers --self`, metrics, offers).
public struct ProviderStatus: Sendable, Codable, Equatable {
    public var capacityByteCount: UInt64
    public var committedByteCount: UInt64
    public var storedByteCount: UInt64
    public var freeByteCount: UInt64
    public var liveContracts: Int
    public var heldShares: Int
    public var pricePerGiBMonth: UInt64
}

/// The provider side of the storage protocol: accepts contracts while the promised space fits both the
/// configured capacity and the disk, stores the shares a live contract names (checked against their
/// CIDs), answers range reads — retrievals and audits alike — with bytes and a Merkle proof, renews and
/// cancels, and releases the space of contracts that ended.
public actor ProviderEngine {
    /// The provider's key.
    nonisolated let key: PrivateKey
    /// Its configuration.
    public nonisolated let configuration: ProviderConfiguration
    let database: StorageDatabase
    let store: any ProviderShareStore
    let now: @Sendable () -> Date
    let logger: Logger
    /// Contracts decoded for share uploads, by ID (emptied when it reaches ``decodedContractLimit``).
    private var decodedContracts: [String: DecodedContract] = [:]
    static let decodedContractLimit = 256

    /// A contract with its shares' byte counts indexed by CID.
    struct DecodedContract: Sendable {
        let contract: StorageContract
        let shareByteCounts: [CID: UInt32]
        init(_ contract: StorageContract) {
            self.contract = contract
            shareByteCounts = Dictionary(contract.shares.map { ($0.cid, $0.byteCount) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Creates the engine.
    public init(key: PrivateKey, configuration: ProviderConfiguration, database: StorageDatabase, store: any ProviderShareStore,
                now: @escaping @Sendable () -> Date, logger: Logger) {
        self.key = key
        self.configuration = configuration
        self.database = database
        self.store = store
        self.now = now
        self.logger = logger
    }

    /// Answers one request from `peer`.
    public func handle(_ request: StorageRequest, from peer: PeerID) -> StorageResponse {
        do {
            switch request {
            case .offer: return .offer(try offer())
            case .propose(let contract): return try propose(contract, from: peer)
            case .store(let contractID, let share, let bytes): return try storeShare(contractID: contractID, share: share, bytes: bytes, from: peer)
            case .read(let share, let firstChunk, let chunkCount): return try read(share, firstChunk: firstChunk, chunkCount: chunkCount)
            case .renew(let renewal): return try renew(renewal, from: peer)
            case .cancel(let cancellation): return try cancel(cancellation, from: peer)
            case .held(let manifest): return .held(try database.heldShares(manifest: manifest.description).compactMap { try? CID($0) })
            case .delegate, .revoke: return refuse(.invalid, "this request goes to a repair agent, not the provider engine")
            }
        } catch let refusal as StorageRefusal {
            return .refused(refusal)
        } catch {
            logger.error("storage request failed", metadata: ["peer": "\(peer)", "error": "\(error)"])
            return refuse(.internalError, "the provider failed: \(error)")
        }
    }

    private func refuse(_ code: StorageRefusalCode, _ message: String) -> StorageResponse {
        .refused(StorageRefusal(code: code, message: message))
    }

    /// The current signed offer.
    public func offer() throws -> StorageOffer {
        let accounting = try database.providerAccounting()
        return try StorageOffer.signed(by: key, capacityByteCount: effectiveCapacity(committed: UInt64(accounting.committed)),
                                       committedByteCount: UInt64(accounting.committed), storedByteCount: UInt64(accounting.stored),
                                       pricePerGiBMonth: configuration.pricePerGiBMonth,
                                       issuedAt: UInt64(max(0, now().timeIntervalSince1970 * 1000)))
    }

    /// The capacity we can truthfully offer: the configured one, or less when the disk has less room
    /// for what is promised but not yet written.
    private func effectiveCapacity(committed: UInt64) -> UInt64 {
        guard let available = store.availableDiskByteCount() else { return configuration.capacityByteCount }
        let usable = UInt64(max(0, available)) > configuration.diskReserveByteCount
            ? UInt64(max(0, available)) - configuration.diskReserveByteCount : 0
        // Shares promised but not written yet will take disk space too; what is stored already has it.
        let pending = (try? database.providerAccounting()).map { UInt64(max(0, $0.committed - $0.stored)) } ?? 0
        let diskBound = committed + (usable > pending ? usable - pending : 0)
        return min(configuration.capacityByteCount, diskBound)
    }

    /// What this provider holds and promised.
    public func status() throws -> ProviderStatus {
        let accounting = try database.providerAccounting()
        let committed = UInt64(accounting.committed)
        let capacity = effectiveCapacity(committed: committed)
        return ProviderStatus(capacityByteCount: configuration.capacityByteCount, committedByteCount: committed,
                              storedByteCount: UInt64(accounting.stored), freeByteCount: capacity > committed ? capacity - committed : 0,
                              liveContracts: try database.contracts(role: .provider, state: .live).count,
                              heldShares: try database.allHeldShares().count, pricePerGiBMonth: configuration.pricePerGiBMonth)
    }

    private func propose(_ proposed: StorageContract, from peer: PeerID) throws -> StorageResponse {
        if let existing = try database.contract(proposed.idText) {
            // A retried proposal (the acceptance was lost): answer the same way again.
            guard existing.role == .provider, let contract = try? StorageContract(decoding: Array(existing.encoded)),
                  contract.signingBytes() == proposed.signingBytes() else {
                return refuse(.invalid, "contract \(proposed.idText) exists with other terms")
            }
            return .accepted(contract)
        }
        guard proposed.version == StorageContract.currentVersion else {
            return refuse(.invalid, "contract version \(proposed.version) is not supported (this provider speaks \(StorageContract.currentVersion))")
        }
        guard proposed.provider == key.publicKey else { return refuse(.invalid, "the contract names another provider") }
        guard proposed.owner.peerID == peer else { return refuse(.badSignature, "the contract's owner is not the peer proposing it") }
        guard proposed.hasValidOwnerSignature else { return refuse(.badSignature, "the owner's signature does not verify") }
        let nowSeconds = now().timeIntervalSince1970
        guard abs(Double(proposed.start) - nowSeconds) <= configuration.clockTolerance else {
            return refuse(.invalid, "the contract starts too far from now (clock skew?)")
        }
        guard proposed.pricePerGiBMonth >= configuration.pricePerGiBMonth else {
            return refuse(.notAccepted, "the price is below this provider's \(configuration.pricePerGiBMonth) per GiB-month")
        }
        let accounting = try database.providerAccounting()
        let committed = UInt64(accounting.committed)
        let capacity = effectiveCapacity(committed: committed)
        guard committed + proposed.byteCount <= capacity else {
            return refuse(.noSpace, "this provider has \(capacity > committed ? capacity - committed : 0) bytes free, the contract needs \(proposed.byteCount)")
        }
        var contract = proposed
        try contract.signAsProvider(with: key)
        let record = ContractRecord(id: contract.idText, role: .provider, counterparty: peer.description,
                                    manifest: contract.manifest.description, byteCount: Int64(contract.byteCount),
                                    start: Int64(contract.start), end: Int64(contract.end), state: .live,
                                    encoded: Data(contract.encoded()), updatedAt: now())
        let alreadyHere = Set(try database.allHeldShares().map(\.cid))
        let shares = contract.shares.map {
            HeldShareRecord(cid: $0.cid.description, contractID: contract.idText, byteCount: Int64($0.byteCount),
                            stored: alreadyHere.contains($0.cid.description))
        }
        try database.saveContract(record, heldShares: shares)
        logger.info("contract accepted", metadata: ["contract": "\(contract.idText)", "owner": "\(peer)", "bytes": "\(contract.byteCount)"])
        return .accepted(contract)
    }

    /// The live contract `id` of `peer`, decoded once and cached (a contract names every share of its
    /// column, so decoding it for each of those shares' uploads would cost time quadratic in the column).
    /// Liveness comes from the record, whose end a renewal moves past the signed contract's.
    private func liveContract(_ id: [UInt8], owner peer: PeerID) throws -> (ContractRecord, DecodedContract) {
        let idText = id.lowercaseHex
        guard let record = try database.contract(idText), record.role == .provider else {
            throw StorageRefusal(code: .unknownContract, message: "no contract \(idText) here")
        }
        let decoded: DecodedContract
        if let cached = decodedContracts[idText] {
            decoded = cached
        } else {
            guard let contract = try? StorageContract(decoding: Array(record.encoded)) else {
                throw StorageRefusal(code: .unknownContract, message: "no contract \(idText) here")
            }
            decoded = DecodedContract(contract)
            if decodedContracts.count >= Self.decodedContractLimit { decodedContracts.removeAll(keepingCapacity: true) }
            decodedContracts[idText] = decoded
        }
        guard decoded.contract.owner.peerID == peer else { throw StorageRefusal(code: .badSignature, message: "contract \(idText) is not yours") }
        let nowSeconds = Int64(max(0, now().timeIntervalSince1970))
        guard record.state == .live, record.start <= nowSeconds, nowSeconds < record.end else {
            throw StorageRefusal(code: .expired, message: "contract \(idText) is not live")
        }
        return (record, decoded)
    }

    private func storeShare(contractID: [UInt8], share: CID, bytes: [UInt8], from peer: PeerID) throws -> StorageResponse {
        let (_, decoded) = try liveContract(contractID, owner: peer)
        guard let byteCount = decoded.shareByteCounts[share] else {
            return refuse(.invalid, "share \(share) is not in contract \(decoded.contract.idText)")
        }
        guard bytes.count == Int(byteCount), ShareTree.root(bytes) == share.multihash.digest else {
            return refuse(.invalid, "the bytes sent do not hash to \(share)")
        }
        try store.write(share, bytes: bytes)
        try database.markStored(cid: share.description)
        return .stored(share: share)
    }

    private func read(_ share: CID, firstChunk: UInt32, chunkCount: UInt32) throws -> StorageResponse {
        guard !(try database.liveHeldShares(cid: share.description)).isEmpty, let bytes = try store.read(share) else {
            return refuse(.notFound, "share \(share) is not held here")
        }
        let total = ShareTree.leafCount(forByteCount: bytes.count)
        let first = Int(firstChunk)
        let count = Int(chunkCount)
        guard count > 0, first < total, count <= total - first else {
            return refuse(.invalid, "chunks \(first)..<\(first + count) are outside a share of \(total) chunks")
        }
        let chunks = first..<(first + count)
        let proof = try ShareTree.rangeProof(bytes, chunks: chunks)
        let range = ShareTree.byteRange(ofChunks: chunks, byteCount: bytes.count)
        return .data(RangeReadResult(shareByteCount: UInt32(bytes.count), firstChunk: firstChunk, data: Array(bytes[range]), proof: proof))
    }

    private func renew(_ renewal: ContractRenewal, from peer: PeerID) throws -> StorageResponse {
        let (record, decoded) = try liveContract(renewal.contractID, owner: peer)
        guard renewal.hasValidOwnerSignature(decoded.contract.owner) else { return refuse(.badSignature, "the renewal's owner signature does not verify") }
        guard Int64(clamping: renewal.newEnd) > record.end else { return refuse(.invalid, "a renewal must extend the contract") }
        var signed = renewal
        try signed.signAsProvider(with: key)
        try database.updateContract(record.id, state: .live, end: Int64(renewal.newEnd), at: now())
        return .renewed(signed)
    }

    private func cancel(_ cancellation: ContractCancellation, from peer: PeerID) throws -> StorageResponse {
        let (record, decoded) = try liveContract(cancellation.contractID, owner: peer)
        guard cancellation.hasValidSignature(decoded.contract.owner) else { return refuse(.badSignature, "the cancellation's signature does not verify") }
        try release(record.id, as: .cancelled)
        return .cancelled(contractID: cancellation.contractID)
    }

    /// Ends contract `id` and deletes the shares no other live contract holds.
    private func release(_ id: String, as state: ContractState) throws {
        let orphans = try database.sharesOnlyIn(contractID: id)
        try database.updateContract(id, state: state, at: now())
        for text in orphans {
            guard let cid = try? CID(text) else { continue }
            try store.delete(cid)
        }
        logger.info("contract ended", metadata: ["contract": "\(id)", "state": "\(state.rawValue)", "released_shares": "\(orphans.count)"])
    }

    /// Ends every live contract whose time is up and frees its space; returns how many ended.
    @discardableResult
    public func expireContracts() throws -> Int {
        let nowSeconds = Int64(now().timeIntervalSince1970)
        var ended = 0
        for record in try database.contracts(role: .provider, state: .live) where record.end <= nowSeconds {
            try release(record.id, as: .expired)
            ended += 1
        }
        return ended
    }
}
