import CairnCore

/// Builds a UnixFS HAMT directory (Type 5) from a final set of entries, as kubo's `hamt.Shard` stores it.
///
/// Shard node layout: dag-pb links ordered by slot index, then Data
/// `08 05 | 12 <len> <bitfield> | 28 22 | 30 80 02`. The bitfield is the 256-bit big-endian integer
/// Σ 1<<index with leading zero bytes trimmed (omitted when zero). A slot with one entry is a link
/// named `%02X` + entry name to the entry; a slot shared by ≥2 entries is a link named `%02X` to a
/// sub-shard one level deeper. The index at depth d is byte d of murmur3-x64-64(name), big-endian.
struct HAMTShardBuilder {
    /// A directory entry with its precomputed name hash.
    struct HashedEntry {
        var entry: DirectoryBuilder.Entry
        var hash: UInt64
    }

    /// The murmur3-x64-64 multihash code recorded in `hashType`.
    static let hashType: UInt64 = 0x22

    let version: CID.Version

    /// Builds the shard tree for `entries` and returns the root's CID and cumulative size.
    func build(_ entries: [DirectoryBuilder.Entry], sink: some BlockSink) throws -> DirectoryBuilder.Result {
        let hashed = entries.map { HashedEntry(entry: $0, hash: Murmur3.hash64($0.name.utf8)) }
        return try buildShard(hashed, depth: 0, sink: sink)
    }

    private func buildShard(_ entries: [HashedEntry], depth: Int, sink: some BlockSink) throws -> DirectoryBuilder.Result {
        var slots = [[HashedEntry]](repeating: [], count: DAGLimits.hamtFanout)
        for e in entries { slots[HAMTShardBuilder.index(of: e.hash, depth: depth)].append(e) }
        var links: [PBLink] = []
        var bitfield = [UInt8](repeating: 0, count: DAGLimits.hamtFanout / 8)
        var linkTotal: UInt64 = 0
        for (index, slot) in slots.enumerated() where !slot.isEmpty {
            bitfield[bitfield.count - 1 - index / 8] |= 1 << UInt8(index % 8)
            let prefix = HAMTShardBuilder.slotName(index)
            if slot.count == 1 {
                let e = slot[0].entry
                links.append(PBLink(cid: e.cid, name: prefix + e.name, tsize: e.tsize))
                linkTotal += e.tsize
            } else {
                guard depth + 1 < DAGLimits.hamtMaximumDepth else { throw DAGError.hashExhausted(name: slot[1].entry.name) }
                let child = try buildShard(slot, depth: depth + 1, sink: sink)
                links.append(PBLink(cid: child.cid, name: prefix, tsize: child.tsize))
                linkTotal += child.tsize
            }
        }
        let trimmed = Array(bitfield.drop(while: { $0 == 0 }))
        let data = UnixFSData(type: .hamtShard, data: trimmed.isEmpty ? nil : trimmed,
                              hashType: HAMTShardBuilder.hashType, fanout: UInt64(DAGLimits.hamtFanout)).encoded()
        let bytes = PBNode(links: links, data: data).encoded()
        let cid = try BlockHasher.store(bytes, codec: .dagPB, version: version, sink: sink)
        return DirectoryBuilder.Result(cid: cid, tsize: UInt64(bytes.count) + linkTotal, isSharded: true)
    }

    /// The slot index of `hash` at `depth`: byte `depth` of the big-endian hash.
    static func index(of hash: UInt64, depth: Int) -> Int {
        Int((hash >> UInt64(56 - 8 * depth)) & 0xff)
    }

    /// The two upper-case hex digits naming slot `index`.
    static func slotName(_ index: Int) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[index >> 4], digits[index & 0xf]])
    }
}
