import CairnCore

/// Imports one file as kubo 0.22's `ipfs add` does (fixed-size chunker, balanced layout), producing
/// exactly the same CIDs for the same options.
///
/// Leaves are read with positional reads into reusable slot buffers, framed in place, hashed and
/// written to the sink by `workerCount` concurrent workers (worker w takes chunks ≡ w mod workers of
/// each batch, in its own slot); results are fed in file order to the balanced tree builder. Memory is
/// bounded by `workerCount` slots regardless of file size. The sink is not committed.
public struct FileImporter: Sendable {
    /// Import options; defaults match `ipfs add` with no flags.
    public struct Options: Sendable, Equatable {
        /// The chunker (`size-262144` by default).
        public var chunker: Chunker
        /// The CID version of dag-pb nodes.
        public var cidVersion: CID.Version
        /// Whether leaves are raw blocks (codec `0x55`, always CIDv1) rather than UnixFS file nodes.
        public var rawLeaves: Bool
        /// The most links in one internal node (174, kubo's default).
        public var linksPerNode: Int

        /// Creates options; `rawLeaves` defaults to `cidVersion == .v1`, as in kubo.
        public init(chunker: Chunker = .default, cidVersion: CID.Version = .v0, rawLeaves: Bool? = nil,
                    linksPerNode: Int = DAGLimits.defaultLinksPerNode) {
            self.chunker = chunker
            self.cidVersion = cidVersion
            self.rawLeaves = rawLeaves ?? (cidVersion == .v1)
            self.linksPerNode = max(2, linksPerNode)
        }
    }

    /// The outcome of an import.
    public struct Result: Sendable, Equatable {
        /// The root CID.
        public var cid: CID
        /// The number of file bytes imported.
        public var fileSize: UInt64
        /// The cumulative size of the DAG (root block plus all descendants), as a parent link's Tsize.
        public var tsize: UInt64

        /// Creates a result.
        public init(cid: CID, fileSize: UInt64, tsize: UInt64) {
            self.cid = cid
            self.fileSize = fileSize
            self.tsize = tsize
        }
    }

    /// Parallel workers hashing leaves; two matches the target machines (hashing is CPU bound).
    public static let workerCount = 2
    /// Chunks hashed between two hand-overs to the tree builder. Only per-chunk results (a CID and
    /// two sizes) are kept per batch; each worker reuses one slot buffer, so memory stays
    /// `workerCount` × chunk size whatever the file size, and the slot stays hot in the core's cache.
    public static let chunksPerBatch = 128

    /// The options used.
    public let options: Options

    /// Creates an importer.
    public init(options: Options = Options()) { self.options = options }

    /// Imports the file at `path`.
    /// - Throws: `DAGError.io` when the file cannot be read, or errors from the sink.
    public func importFile(atPath path: String, into sink: some BlockSink,
                           progress: (@Sendable (UInt64) -> Void)? = nil) async throws -> Result {
        let input = try FileChunkInput(path: path)
        return try await importFile(from: input, into: sink, progress: progress)
    }

    /// Imports every byte of `input`, writing each block to `sink`, and reports bytes done to `progress`
    /// after each batch. Does not call `sink.commit()`.
    /// - Throws: `DAGError` for read errors, or whatever the sink throws.
    public func importFile(from input: some ChunkInput, into sink: some BlockSink,
                           progress: (@Sendable (UInt64) -> Void)? = nil) async throws -> Result {
        let chunkSize = options.chunker.byteCount
        var chunksPerBatch = FileImporter.chunksPerBatch
        if let hint = input.byteCountHint {
            // One spare chunk notices the end of input without a second batch.
            chunksPerBatch = max(FileImporter.workerCount, min(chunksPerBatch, Int(clamping: hint / UInt64(chunkSize) + 1)))
        }
        let slots = LeafSlots(slotCount: FileImporter.workerCount, chunkByteCount: chunkSize)
        var builder = BalancedTreeBuilder(linksPerNode: options.linksPerNode, version: options.cidVersion)
        var nextChunk: UInt64 = 0
        var fileSize: UInt64 = 0
        var finished = false
        while !finished {
            try Task.checkCancellation()
            let leaves = try await processBatch(firstChunk: nextChunk, count: chunksPerBatch, slots: slots, input: input, sink: sink)
            for leaf in leaves {
                guard let leaf else { finished = true; break }
                try builder.append(leaf: .init(cid: leaf.cid, tsize: leaf.tsize, fileSize: UInt64(leaf.dataByteCount)), sink: sink)
                fileSize += UInt64(leaf.dataByteCount)
                if leaf.dataByteCount < chunkSize { finished = true; break }
            }
            nextChunk += UInt64(chunksPerBatch)
            progress?(fileSize)
        }
        guard let root = try builder.finish(sink: sink) else { return try emptyFile(sink: sink) }
        return Result(cid: root.cid, fileSize: root.fileSize, tsize: root.tsize)
    }

    /// Reads, frames, hashes and writes one batch of chunks; element i is chunk `firstChunk + i`,
    /// nil when past the end of the input.
    private func processBatch(firstChunk: UInt64, count: Int, slots: LeafSlots, input: some ChunkInput,
                              sink: some BlockSink) async throws -> [LeafSlots.Leaf?] {
        let options = self.options
        let leafVersion: CID.Version = options.rawLeaves ? .v1 : options.cidVersion
        let workers = input.supportsConcurrentReads ? FileImporter.workerCount : 1
        return try await withThrowingTaskGroup(of: [(Int, LeafSlots.Leaf?)].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var out: [(Int, LeafSlots.Leaf?)] = []
                    var index = worker
                    while index < count {
                        let leaf = try slots.processChunk(slot: worker, chunkIndex: firstChunk + UInt64(index), input: input,
                                                          rawLeaves: options.rawLeaves, leafVersion: leafVersion, sink: sink)
                        out.append((index, leaf))
                        if leaf == nil || (leaf?.dataByteCount ?? 0) < slots.chunkByteCount { break }
                        index += workers
                    }
                    return out
                }
            }
            var leaves = [LeafSlots.Leaf?](repeating: nil, count: count)
            for try await part in group {
                for (slot, leaf) in part { leaves[slot] = leaf }
            }
            return leaves
        }
    }

    /// The empty file: an empty raw block with raw leaves, else the dag-pb node `0a 04 08 02 18 00`.
    private func emptyFile(sink: some BlockSink) throws -> Result {
        if options.rawLeaves {
            let cid = try BlockHasher.store([], codec: .raw, version: .v1, sink: sink)
            return Result(cid: cid, fileSize: 0, tsize: 0)
        }
        let bytes = PBNode(data: UnixFSData(type: .file, fileSize: 0).encoded()).encoded()
        let cid = try BlockHasher.store(bytes, codec: .dagPB, version: options.cidVersion, sink: sink)
        return Result(cid: cid, fileSize: 0, tsize: UInt64(bytes.count))
    }
}
