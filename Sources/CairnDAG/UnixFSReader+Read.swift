import CairnCore

extension UnixFSReader {
    /// Streams bytes `offset ..< offset + length` (to the end when `length` is nil) of the file at `cid`
    /// to `consumer`, in order, as slices of block data.
    /// - Throws: `DAGError.notAFile`, `.rangeOutOfBounds` when `offset` exceeds the file size,
    ///   `.inconsistentDAG` when blocksizes disagree with the children, source and consumer errors.
    public func read(_ cid: CID, offset: UInt64 = 0, length: UInt64? = nil,
                     consumer: (ArraySlice<UInt8>) async throws -> Void) async throws {
        let root = try await decode(cid)
        let info = UnixFSReader.info(of: root)
        guard info.kind == .file else { throw DAGError.notAFile(cid: cid) }
        guard offset <= info.fileSize else { throw DAGError.rangeOutOfBounds(offset: offset, fileSize: info.fileSize) }
        let available = info.fileSize - offset
        let end = offset + min(length ?? available, available)
        guard end > offset else { return }
        try await readNode(root, cid: cid, range: offset..<end, depth: 0, consumer: consumer)
    }

    /// Reads a whole file into memory, refusing files over `limit` bytes.
    public func readAll(_ cid: CID, limit: UInt64 = UInt64(DAGLimits.maximumBlockByteCount) * 64) async throws -> [UInt8] {
        let info = try await info(cid)
        guard info.fileSize <= limit else {
            throw DAGError.tooLarge(context: "file \(cid)", byteCount: Int(clamping: info.fileSize), limit: Int(clamping: limit))
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(info.fileSize))
        try await read(cid) { out.append(contentsOf: $0) }
        return out
    }

    /// Emits the part of `range` (relative to this node's first byte) the node covers.
    private func readNode(_ decoded: Decoded, cid: CID, range: Range<UInt64>, depth: Int,
                          consumer: (ArraySlice<UInt8>) async throws -> Void) async throws {
        guard depth < DAGLimits.maximumReadDepth else { throw DAGError.inconsistentDAG(cid: cid, reason: "DAG deeper than \(DAGLimits.maximumReadDepth)") }
        switch decoded {
        case .raw(let bytes):
            try await emit(bytes, cid: cid, range: range, consumer: consumer)
        case .dagPB(let node, let data):
            guard data.type == .file || data.type == .raw else { throw DAGError.notAFile(cid: cid) }
            let inline = data.data ?? []
            var position = UInt64(inline.count)
            if !inline.isEmpty && range.lowerBound < position {
                try await emit(inline, cid: cid, range: range.lowerBound..<min(range.upperBound, position), consumer: consumer)
            }
            guard node.links.isEmpty || data.blockSizes.count == node.links.count else {
                throw DAGError.inconsistentDAG(cid: cid, reason: "\(node.links.count) links but \(data.blockSizes.count) blocksizes")
            }
            for (link, size) in zip(node.links, data.blockSizes) {
                guard position < range.upperBound else { break }
                let childEnd = position + size
                if childEnd > range.lowerBound {
                    let childRange = (max(range.lowerBound, position) - position)..<(min(range.upperBound, childEnd) - position)
                    let child = try await decode(link.cid)
                    try await readNode(child, cid: link.cid, range: childRange, depth: depth + 1, consumer: consumer)
                }
                position = childEnd
            }
            guard position >= range.upperBound else {
                throw DAGError.inconsistentDAG(cid: cid, reason: "node holds \(position) bytes, \(range.upperBound) expected")
            }
        }
    }

    private func emit(_ bytes: [UInt8], cid: CID, range: Range<UInt64>, consumer: (ArraySlice<UInt8>) async throws -> Void) async throws {
        guard range.upperBound <= UInt64(bytes.count) else {
            throw DAGError.inconsistentDAG(cid: cid, reason: "leaf holds \(bytes.count) bytes, \(range.upperBound) expected")
        }
        guard !range.isEmpty else { return }
        try await consumer(bytes[Int(range.lowerBound)..<Int(range.upperBound)])
    }
}
