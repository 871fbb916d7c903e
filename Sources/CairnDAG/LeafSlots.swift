import CairnCore

/// A pool of reusable, contiguous buffers in which file leaves are read, framed and hashed in place.
///
/// Slot layout (one slot per worker, reused for every chunk the worker handles):
/// ```
/// | headerRoom (64 B) | chunk bytes (≤ chunkByteCount) | trailer room (16 B) |
///        ^ header written just before the chunk: 0a <len> 08 02 12 <chunk len>
///                                         trailer written just after: 18 <chunk len>
/// ```
/// so a dag-pb leaf block is one contiguous range that is hashed and handed to the sink without a copy.
/// The memory is allocated once per import; reusing it avoids the page-fault cost of fresh buffers.
final class LeafSlots: @unchecked Sendable {
    // Safety of @unchecked Sendable: the pointer and sizes are immutable after init. During a batch
    // slot w is touched only by worker task w, and the importer starts the next batch only after
    // every worker of the batch has returned (the task group is awaited), which orders all accesses
    // to a slot. Nothing reads a slot after `processChunk` returns: the sink copies what it keeps.
    static let headerRoom = 64
    static let trailerRoom = 16

    let slotCount: Int
    let chunkByteCount: Int
    let stride: Int
    private let base: UnsafeMutableRawPointer

    init(slotCount: Int, chunkByteCount: Int) {
        precondition(slotCount > 0 && chunkByteCount > 0 && chunkByteCount <= DAGLimits.maximumChunkByteCount)
        self.slotCount = slotCount
        self.chunkByteCount = chunkByteCount
        let raw = LeafSlots.headerRoom + chunkByteCount + LeafSlots.trailerRoom
        self.stride = (raw + 4095) & ~4095
        self.base = UnsafeMutableRawPointer.allocate(byteCount: stride * slotCount, alignment: 4096)
    }

    deinit { base.deallocate() }

    /// The result of one leaf: its CID, Tsize and the file bytes it holds.
    struct Leaf: Sendable {
        var cid: CID
        var tsize: UInt64
        var dataByteCount: Int
    }

    /// Reads chunk `chunkIndex` into slot `slot`, frames it as a leaf, hashes it and writes it to the sink.
    /// Returns nil when the chunk is past the end of the input (0 bytes read).
    func processChunk(slot: Int, chunkIndex: UInt64, input: some ChunkInput, rawLeaves: Bool,
                      leafVersion: CID.Version, sink: some BlockSink) throws -> Leaf? {
        precondition(slot >= 0 && slot < slotCount)
        let slotStart = base + slot * stride
        let dataStart = slotStart + LeafSlots.headerRoom
        let target = UnsafeMutableRawBufferPointer(start: dataStart, count: chunkByteCount)
        let count = try input.read(into: target, at: chunkIndex * UInt64(chunkByteCount))
        guard count > 0 else { return nil }
        if rawLeaves {
            let block = UnsafeRawBufferPointer(start: dataStart, count: count)
            let cid = try BlockHasher.cid(of: block, codec: .raw, version: .v1)
            try sink.write(cid, bytes: block)
            return Leaf(cid: cid, tsize: UInt64(count), dataByteCount: count)
        }
        let (start, length) = LeafSlots.frameLeaf(slotStart: slotStart, dataByteCount: count)
        let block = UnsafeRawBufferPointer(start: start, count: length)
        let cid = try BlockHasher.cid(of: block, codec: .dagPB, version: leafVersion)
        try sink.write(cid, bytes: block)
        return Leaf(cid: cid, tsize: UInt64(length), dataByteCount: count)
    }

    /// Writes the dag-pb/UnixFS header before and the filesize trailer after a chunk sitting at
    /// `slotStart + headerRoom`, returning the start and length of the whole leaf block.
    static func frameLeaf(slotStart: UnsafeMutableRawPointer, dataByteCount count: Int) -> (UnsafeMutableRawPointer, Int) {
        let n = UInt64(count)
        let lenBytes = ProtobufWriter.varintByteCount(n)
        // UnixFS Data = 08 02 | 12 <n> <chunk> | 18 <n>
        let unixfsLength = 2 + 1 + lenBytes + count + 1 + lenBytes
        let header = 1 + ProtobufWriter.varintByteCount(UInt64(unixfsLength)) + 2 + 1 + lenBytes
        let start = slotStart + (headerRoom - header)
        let headerBuffer = UnsafeMutableRawBufferPointer(start: start, count: header)
        var i = 0
        headerBuffer[i] = 0x0a; i += 1
        i += ProtobufWriter.storeVarint(UInt64(unixfsLength), in: headerBuffer, at: i)
        headerBuffer[i] = 0x08; headerBuffer[i + 1] = 0x02; headerBuffer[i + 2] = 0x12; i += 3
        i += ProtobufWriter.storeVarint(n, in: headerBuffer, at: i)
        precondition(i == header)
        let trailer = UnsafeMutableRawBufferPointer(start: slotStart + headerRoom + count, count: trailerRoom)
        trailer[0] = 0x18
        let t = 1 + ProtobufWriter.storeVarint(n, in: trailer, at: 1)
        return (start, header + count + t)
    }
}
