import CairnCore

/// Mark-and-sweep garbage collection of a blockstore.
///
/// Mark walks from every pin: a recursive pin protects its whole DAG, a direct pin its root block
/// only. Links come from the injected `linkExtractor` (the caller passes the dag-pb decoder, so this
/// module does not depend on CairnDAG). A raw-codec CID has no links and is only checked for
/// presence; an identity-hash CID carries its bytes inline and is never stored. If any block
/// reachable from a pin is missing or corrupt, collection aborts before deleting anything.
///
/// Sweep deletes every stored block whose multihash was not marked.
///
/// The caller must hold the `RepoLock` exclusively for the whole run: writers hold it shared from
/// their first block write until their pin is recorded, so a block being added cannot be swept.
public struct GarbageCollector<Store: BlockStore>: Sendable {
    /// Returns the CIDs a block links to; throws when the block cannot be decoded.
    public typealias LinkExtractor = @Sendable (Block) throws -> [CID]

    /// A root that garbage collection must keep.
    public struct Root: Sendable, Equatable {
        /// The pinned CID.
        public var cid: CID
        /// Whether the DAG below it is kept too.
        public var kind: PinKind

        /// Creates a root.
        public init(cid: CID, kind: PinKind) {
            self.cid = cid
            self.kind = kind
        }
    }

    /// What one collection did.
    public struct Summary: Sendable, Equatable {
        /// Blocks kept because a pin reaches them (counted by multihash).
        public var markedBlockCount: Int
        /// Blocks deleted.
        public var removedBlockCount: Int
        /// Bytes freed by the deleted blocks.
        public var removedByteCount: Int

        /// Creates a summary.
        public init(markedBlockCount: Int, removedBlockCount: Int, removedByteCount: Int) {
            self.markedBlockCount = markedBlockCount
            self.removedBlockCount = removedBlockCount
            self.removedByteCount = removedByteCount
        }
    }

    /// The store collected.
    public let store: Store
    /// The decoder that lists a block's links.
    public let linkExtractor: LinkExtractor

    /// Creates a collector over `store` using `linkExtractor` to follow DAG links.
    public init(store: Store, linkExtractor: @escaping LinkExtractor) {
        self.store = store
        self.linkExtractor = linkExtractor
    }

    /// Collects garbage keeping every pin recorded in `database`. Hold the repo lock exclusively.
    /// - Throws: `StoreError.garbageCollectionAborted` (nothing deleted) when a pinned block is
    ///   missing or corrupt, `.invalidRecord` for an unreadable pin, `.io`/`.database` on I/O failure.
    public func collect(pinnedIn database: RepoDatabase) throws(StoreError) -> Summary {
        var roots: [Root] = []
        for pin in try database.pins() {
            roots.append(Root(cid: try pin.parsedCID(), kind: pin.kind))
        }
        return try collect(keeping: roots)
    }

    /// Collects garbage keeping `roots`. Hold the repo lock exclusively.
    /// - Throws: `StoreError.garbageCollectionAborted` (nothing deleted) when a block reachable from a
    ///   root is missing or corrupt, `.io` on I/O failure.
    public func collect(keeping roots: [Root]) throws(StoreError) -> Summary {
        let marked = try mark(roots)
        return try sweep(keeping: marked)
    }

    /// The multihashes of every block reachable from `roots`.
    /// - Throws: `StoreError.garbageCollectionAborted` naming the first missing or corrupt block.
    public func mark(_ roots: [Root]) throws(StoreError) -> Set<Multihash> {
        var marked: Set<Multihash> = []
        var visited: Set<CID> = []
        var stack: [CID] = []
        for root in roots {
            switch root.kind {
            case .direct: try markPresent(root.cid, into: &marked)
            case .recursive: stack.append(root.cid)
            }
        }
        while let cid = stack.popLast() {
            guard visited.insert(cid).inserted else { continue }
            if cid.multihash.function == .identity { continue }
            if cid.codec == .raw {
                try markPresent(cid, into: &marked)
                continue
            }
            let block = try readForMark(cid)
            marked.insert(cid.multihash)
            let links: [CID]
            do {
                links = try linkExtractor(block)
            } catch {
                throw .garbageCollectionAborted(cid: cid, reason: "undecodable (\(error))")
            }
            stack.append(contentsOf: links)
        }
        return marked
    }

    private func markPresent(_ cid: CID, into marked: inout Set<Multihash>) throws(StoreError) {
        if cid.multihash.function == .identity { return }
        guard try store.has(cid.multihash) else {
            throw .garbageCollectionAborted(cid: cid, reason: "missing from the blockstore")
        }
        marked.insert(cid.multihash)
    }

    private func readForMark(_ cid: CID) throws(StoreError) -> Block {
        do {
            return try store.get(cid)
        } catch {
            switch error {
            case .blockNotFound: throw .garbageCollectionAborted(cid: cid, reason: "missing from the blockstore")
            case .corruptBlock(_, let path): throw .garbageCollectionAborted(cid: cid, reason: "corrupt (\(path))")
            case .unverifiableBlock(_, let reason): throw .garbageCollectionAborted(cid: cid, reason: "unverifiable (\(reason))")
            default: throw error
            }
        }
    }

    private func sweep(keeping marked: Set<Multihash>) throws(StoreError) -> Summary {
        var doomed: [Multihash] = []
        do {
            try store.forEachMultihash { multihash in
                if !marked.contains(multihash) { doomed.append(multihash) }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            preconditionFailure("the sweep listing throws only StoreError: \(error)")
        }
        var result = Summary(markedBlockCount: marked.count, removedBlockCount: 0, removedByteCount: 0)
        for multihash in doomed {
            if let freed = try store.delete(multihash) {
                result.removedBlockCount += 1
                result.removedByteCount += freed
            }
        }
        return result
    }
}
