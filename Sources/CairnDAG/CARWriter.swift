import CairnCore

/// Streams a CAR v1 archive to an output closure: the header at creation, then one section per block.
///
/// Nothing is buffered beyond one section's length prefix and CID; block bytes go straight from the
/// caller's buffer to `output`. The writer does not hash blocks (the caller has just computed each CID)
/// but refuses sections the reader would reject as too large. Not thread-safe: one writer per archive.
public struct CARWriter {
    /// Receives the archive bytes in order; the pointer is valid only during the call.
    public typealias Output = (UnsafeRawBufferPointer) throws -> Void

    private let output: Output
    /// The number of bytes written so far, header included.
    public private(set) var byteCount: Int = 0
    /// The number of block sections written so far.
    public private(set) var sectionCount: Int = 0

    /// Writes the header for `roots` to `output`.
    /// - Throws: `CARError.badHeader` when `roots` is empty, `.ioFailed` when `output` throws.
    public init(roots: [CID], output: @escaping Output) throws(CARError) {
        self.output = output
        let header = try CARv1.Header(roots: roots).bytes
        var prefixed = Varint.encode(UInt64(header.count))
        prefixed.append(contentsOf: header)
        try emit(prefixed)
    }

    /// Writes one section holding `bytes` under `cid`.
    /// - Throws: `CARError.sectionTooLarge` over `CARv1.maximumSectionByteCount`, `.ioFailed` when `output` throws.
    public mutating func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws(CARError) {
        let binaryCID = cid.bytes
        let sectionLength = binaryCID.count + bytes.count
        guard sectionLength <= CARv1.maximumSectionByteCount else {
            throw .sectionTooLarge(index: sectionCount, offset: byteCount, byteCount: sectionLength,
                                   limit: CARv1.maximumSectionByteCount)
        }
        var head = Varint.encode(UInt64(sectionLength))
        head.append(contentsOf: binaryCID)
        try emit(head)
        try emit(bytes)
        sectionCount += 1
    }

    /// Writes one verified block as a section.
    /// - Throws: as `write(_:bytes:)`.
    public mutating func write(_ block: Block) throws(CARError) {
        var result: Result<Void, CARError> = .success(())
        block.data.withUnsafeBytes { buffer in
            do throws(CARError) { try write(block.cid, bytes: buffer) } catch { result = .failure(error) }
        }
        try result.get()
    }

    private mutating func emit(_ bytes: [UInt8]) throws(CARError) {
        var result: Result<Void, CARError> = .success(())
        bytes.withUnsafeBytes { buffer in
            do throws(CARError) { try emit(buffer) } catch { result = .failure(error) }
        }
        try result.get()
    }

    private mutating func emit(_ buffer: UnsafeRawBufferPointer) throws(CARError) {
        do {
            try output(buffer)
        } catch {
            throw .ioFailed(offset: byteCount, message: "\(error)")
        }
        byteCount += buffer.count
    }
}
