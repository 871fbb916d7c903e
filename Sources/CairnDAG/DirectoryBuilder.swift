import CairnCore

/// Builds a UnixFS directory from its final entries (pure apart from writing blocks to the sink),
/// choosing a basic directory or a HAMT exactly as kubo 0.22 does.
///
/// - Basic: links sorted by name as raw UTF-8 bytes, each with the child's Tsize, then Data `08 01`.
/// - HAMT when Σ (UTF-8 name length + binary child CID length) ≥ `shardingThreshold`
///   (kubo's `HAMTShardingSize`, 262144); empty directories are always basic. See `HAMTShardBuilder`.
public struct DirectoryBuilder: Sendable {
    /// One directory entry.
    public struct Entry: Sendable, Equatable {
        /// The entry name (a single path component).
        public var name: String
        /// The child's CID.
        public var cid: CID
        /// The child's cumulative size (Tsize).
        public var tsize: UInt64
        /// Creates an entry.
        public init(name: String, cid: CID, tsize: UInt64) {
            self.name = name
            self.cid = cid
            self.tsize = tsize
        }
    }

    /// A built directory.
    public struct Result: Sendable, Equatable {
        /// The directory's root CID.
        public var cid: CID
        /// The directory's cumulative size, as a parent link's Tsize.
        public var tsize: UInt64
        /// Whether the directory was written as a HAMT.
        public var isSharded: Bool
        /// Creates a result.
        public init(cid: CID, tsize: UInt64, isSharded: Bool) {
            self.cid = cid
            self.tsize = tsize
            self.isSharded = isSharded
        }
    }

    /// The CID version of the directory nodes (and HAMT sub-shards).
    public var cidVersion: CID.Version
    /// The estimated size at or above which the directory becomes a HAMT.
    public var shardingThreshold: Int
    private var entries: [[UInt8]: Entry] = [:]

    /// Creates an empty builder.
    public init(cidVersion: CID.Version = .v0, shardingThreshold: Int = DAGLimits.hamtShardingSize) {
        self.cidVersion = cidVersion
        self.shardingThreshold = shardingThreshold
    }

    /// The number of entries added.
    public var count: Int { entries.count }

    /// Adds an entry.
    /// - Throws: `DAGError.invalidEntryName` for empty, `.`, `..` or `/`-containing names;
    ///   `.duplicateEntry` when the name (compared as bytes) is already present.
    public mutating func add(_ entry: Entry) throws(DAGError) {
        let key = Array(entry.name.utf8)
        guard !key.isEmpty, entry.name != ".", entry.name != "..", !key.contains(UInt8(ascii: "/")) else {
            throw .invalidEntryName(entry.name)
        }
        guard entries[key] == nil else { throw .duplicateEntry(name: entry.name) }
        entries[key] = entry
    }

    /// Adds an entry by its parts; see `add(_:)`.
    public mutating func add(name: String, cid: CID, tsize: UInt64) throws(DAGError) {
        try add(Entry(name: name, cid: cid, tsize: tsize))
    }

    /// The size estimate kubo compares with the threshold: Σ (name bytes + binary CID bytes).
    public var estimatedByteCount: Int {
        entries.reduce(0) { $0 + $1.key.count + $1.value.cid.bytes.count }
    }

    /// Whether `build` will write a HAMT.
    public var willShard: Bool { !entries.isEmpty && estimatedByteCount >= shardingThreshold }

    /// Encodes the directory, writes its block(s) to `sink` and returns the root.
    /// - Throws: `DAGError.tooLarge` when a basic directory block would exceed 2 MiB,
    ///   `.hashExhausted` for HAMT hash collisions, or sink errors.
    public func build(into sink: some BlockSink) throws -> Result {
        let sorted = entries.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
        if willShard { return try HAMTShardBuilder(version: cidVersion).build(sorted, sink: sink) }
        var linkTotal: UInt64 = 0
        let links = sorted.map { e -> PBLink in
            linkTotal += e.tsize
            return PBLink(cid: e.cid, name: e.name, tsize: e.tsize)
        }
        let bytes = PBNode(links: links, data: UnixFSData.directoryBytes).encoded()
        let cid = try BlockHasher.store(bytes, codec: .dagPB, version: cidVersion, sink: sink)
        return Result(cid: cid, tsize: UInt64(bytes.count) + linkTotal, isSharded: false)
    }
}
