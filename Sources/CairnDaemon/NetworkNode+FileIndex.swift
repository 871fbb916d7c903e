import CairnCore
import CairnCrypto
import CairnPrivate
import CairnStorage
import CairnStore
import Foundation

/// A provider keeps the index of every file it holds shares of — the manifest and the share tables,
/// pinned directly and so announced in the DHT with the other pinned roots. A reader holding only the
/// read-cap then finds the file without its owner: the manifest's providers in the DHT are the file's
/// holders; Bitswap fetches the manifest and tables from any of them; each is asked which shares it holds.
extension NetworkNode {
    /// The pin name that marks a block held as a file index for storage contracts (only such pins are
    /// released when the contracts end; a pin the operator made is never touched).
    static let fileIndexPinName = "storage: index of a file whose shares this provider holds"

    /// Brings the held file indexes in line with the live contracts: at start, after every accepted
    /// contract, and every minute (5 s on a devnet) — so a fetch that failed is retried and the indexes of
    /// ended contracts are released.
    func fileIndexLoop() async {
        guard storage.provider != nil else { return }
        let period: Duration = storage.configuration == .devnet ? .seconds(5) : .seconds(60)
        let signal = fileIndexSignal
        signal.continuation.yield()
        await withDiscardingTaskGroup { group in
            group.addTask {
                while (try? await Task.sleep(for: period)) != nil { signal.continuation.yield() }
            }
            group.addTask {
                for await _ in signal.stream {
                    if Task.isCancelled { return }
                    await self.syncFileIndexes()
                }
            }
        }
    }

    /// Holds the index of every file with a live provider contract and releases the others.
    nonisolated func syncFileIndexes() async {
        guard let contracts = try? storage.database.contracts(role: .provider, state: .live) else { return }
        var contractingPeers: [String: Set<String>] = [:]
        for contract in contracts { contractingPeers[contract.manifest, default: []].insert(contract.counterparty) }
        var wanted: Set<String> = []
        for (manifestText, peers) in contractingPeers.sorted(by: { $0.key < $1.key }) {
            if Task.isCancelled { return }
            guard let manifestCID = try? CID(manifestText) else { continue }
            // Held already (every block pinned): nothing to fetch or check again.
            if let local = localFileIndex(manifestCID), local.allSatisfy({ ((try? repository.database.pin(for: $0)) ?? nil) != nil }) {
                wanted.formUnion(local.map(\.description))
            } else if let index = await holdFileIndex(manifestCID, hints: peers.compactMap { try? PeerID($0) }) {
                wanted.formUnion(index.map(\.description))
            } else if let local = localFileIndex(manifestCID) {
                wanted.formUnion(local.map(\.description))
            }
        }
        let database = repository.database
        for pin in (try? database.pins()) ?? [] where pin.name == Self.fileIndexPinName && !wanted.contains(pin.cid) {
            guard let cid = try? CID(pin.cid) else { continue }
            _ = try? database.removePin(cid)
        }
    }

    /// Fetches (from the contracting peers first, then anyone announcing them) and checks the manifest
    /// and tables of `manifestCID`, pins the ones not pinned yet and announces them. Returns the index's
    /// CIDs, or nil when it could not be fetched or is not a private file's index.
    nonisolated func holdFileIndex(_ manifestCID: CID, hints: [PeerID]) async -> [CID]? {
        let fetch = { (cid: CID) async -> [UInt8]? in
            await Self.fetchBlock(cid, hints: hints, timeout: .seconds(10), host: self.host, dht: self.dht, bitswap: self.bitswap,
                                  repository: self.repository)
        }
        guard let manifestBytes = await fetch(manifestCID) else {
            logger.info("the index of a file held here is not available yet", metadata: ["manifest": "\(manifestCID)"])
            return nil
        }
        let manifest: PrivateManifest
        do { manifest = try PrivateManifest(decoding: manifestBytes) } catch {
            logger.warning("a contract names a block that is not a private file's manifest",
                           metadata: ["manifest": "\(manifestCID)", "error": "\(error)"])
            return nil
        }
        for (index, tableCID) in manifest.tables.enumerated() {
            guard let bytes = await fetch(tableCID) else {
                logger.info("a share table of a file held here is not available yet", metadata: ["table": "\(tableCID)"])
                return nil
            }
            guard (try? ShareTable(decoding: bytes, index: index, of: manifest)) != nil else {
                logger.warning("a share table does not parse as its manifest's", metadata: ["table": "\(tableCID)"])
                return nil
            }
        }
        let database = repository.database
        let index = manifest.tables + [manifestCID]
        for cid in index where ((try? database.pin(for: cid)) ?? nil) == nil {
            // Tables before the manifest: the manifest's pin is the sign that the whole index is here.
            guard (try? database.addPin(cid, kind: .direct, name: Self.fileIndexPinName, at: Date())) != nil else { return nil }
            provideQueue.continuation.yield(cid)
        }
        return index
    }

    /// The index of `manifestCID` when its manifest is in the repository (so nothing is released because
    /// a network fetch failed).
    nonisolated func localFileIndex(_ manifestCID: CID) -> [CID]? {
        guard let block = try? repository.blocks.get(manifestCID), let manifest = try? PrivateManifest(decoding: block.data) else {
            return nil
        }
        return manifest.tables + [manifestCID]
    }
}
