import CairnCore

/// Reads a CAR v1 archive incrementally from a byte source, verifying every block's hash.
///
/// The header is read by `init`; each `next()` returns one verified `Block`, or nil at a clean end of
/// input (the end falls exactly between sections). Memory is bounded by the named limits
/// `CARv1.maximumHeaderByteCount` and `CARv1.maximumSectionByteCount` plus one read chunk: a length
/// prefix over a limit is rejected before anything is read for it. Every failure is a typed `CARError`
/// carrying the byte offset of the header or section at fault. Any codec is accepted; only identity
/// and sha2-256/512 hashes can be verified (others give `.unverifiableBlock`).
public struct CARReader {
    /// Appends up to `maximumByteCount` (always > 0) bytes to `buffer` and returns how many it appended;
    /// 0 means end of input.
    public typealias Source = (_ buffer: inout [UInt8], _ maximumByteCount: Int) throws -> Int

    /// How many bytes to ask the source for at a time.
    public static let readChunkByteCount = 64 * 1024

    /// The archive's header.
    public let header: CARv1.Header
    /// The byte offset of the next unread section.
    public private(set) var offset: Int
    /// The index of the next section.
    public private(set) var sectionIndex: Int = 0

    private var input: Input

    /// Reads and validates the header from `source`.
    /// - Throws: `.truncatedHeader`, `.headerTooLarge`, `.invalidLength`, `.badHeader`, `.unsupportedVersion`
    ///   or `.ioFailed`.
    public init(source: @escaping Source) throws(CARError) {
        var input = Input(source: source)
        guard let length = try input.readLength(at: 0, onEnd: { .truncatedHeader(offset: 0) }) else {
            throw .truncatedHeader(offset: 0)
        }
        let start = input.consumed
        guard length <= UInt64(CARv1.maximumHeaderByteCount) else {
            throw .headerTooLarge(byteCount: Int(clamping: length), limit: CARv1.maximumHeaderByteCount)
        }
        guard length > 0 else { throw .badHeader(reason: "empty header") }
        guard try input.fill(Int(length)) else { throw .truncatedHeader(offset: start) }
        self.header = try CARv1.Header(bytes: input.take(Int(length)))
        self.offset = input.consumed
        self.input = input
    }

    /// Reads a whole in-memory archive: a convenience over `init(source:)` for tests and small CARs.
    public init(bytes: [UInt8]) throws(CARError) {
        var position = 0
        try self.init(source: { buffer, maximum in
            let count = min(maximum, bytes.count - position)
            buffer.append(contentsOf: bytes[position..<position + count])
            position += count
            return count
        })
    }

    /// Reads the next section and returns its verified block, or nil at a clean end of input.
    /// - Throws: `.truncatedSection`, `.sectionTooLarge`, `.emptySection`, `.invalidLength`, `.invalidCID`,
    ///   `.blockHashMismatch`, `.unverifiableBlock` or `.ioFailed`.
    public mutating func next() throws(CARError) -> Block? {
        let (index, sectionOffset) = (sectionIndex, offset)
        guard let length = try input.readLength(at: sectionOffset, onEnd: { .truncatedSection(index: index, offset: sectionOffset) }) else {
            return nil
        }
        guard length <= UInt64(CARv1.maximumSectionByteCount) else {
            throw .sectionTooLarge(index: index, offset: sectionOffset, byteCount: Int(clamping: length),
                                   limit: CARv1.maximumSectionByteCount)
        }
        guard length > 0 else { throw .emptySection(index: index, offset: sectionOffset) }
        guard try input.fill(Int(length)) else { throw .truncatedSection(index: index, offset: sectionOffset) }
        var reader = ByteReader(input.take(Int(length)))
        let cid: CID
        do { cid = try CID.read(from: &reader) } catch { throw .invalidCID(index: index, offset: sectionOffset, error) }
        let data = Array(reader.bytes[reader.offset...])
        let block: Block
        do {
            block = try Block(cid: cid, data: data)
        } catch {
            switch error {
            case .hashMismatch: throw .blockHashMismatch(cid: cid, index: index, offset: sectionOffset)
            case .unverifiable(_, let reason):
                throw .unverifiableBlock(cid: cid, index: index, offset: sectionOffset, reason: reason)
            }
        }
        sectionIndex += 1
        offset = input.consumed
        return block
    }

    /// Reads every remaining block into memory (bounded only by the archive: use `next()` for large ones).
    public mutating func readAll() throws(CARError) -> [Block] {
        var blocks: [Block] = []
        while let block = try next() { blocks.append(block) }
        return blocks
    }
}

extension CARReader {
    /// The buffered byte source: holds unread bytes and counts consumed ones.
    private struct Input {
        let source: Source
        var buffer: [UInt8] = []
        var start = 0
        /// Bytes handed out so far, which is the archive offset of `buffer[start]`.
        var consumed = 0
        var atEnd = false

        init(source: @escaping Source) { self.source = source }

        var available: Int { buffer.count - start }

        /// Buffers at least `count` bytes; false when the input ends first.
        mutating func fill(_ count: Int) throws(CARError) -> Bool {
            while available < count && !atEnd {
                if start > 0 && start >= buffer.count / 2 {
                    buffer.removeFirst(start)
                    start = 0
                }
                let want = max(CARReader.readChunkByteCount, count - available)
                let before = buffer.count
                let got: Int
                do { got = try source(&buffer, want) } catch {
                    throw .ioFailed(offset: consumed + available, message: "\(error)")
                }
                guard got >= 0, got <= want, buffer.count == before + got else {
                    preconditionFailure("CARReader.Source appended \(buffer.count - before) bytes but returned \(got)")
                }
                if got == 0 { atEnd = true }
            }
            return available >= count
        }

        /// Removes and returns the next `count` buffered bytes (the caller has filled them).
        mutating func take(_ count: Int) -> [UInt8] {
            let out = Array(buffer[start..<start + count])
            start += count
            consumed += count
            return out
        }

        /// Reads a length prefix at archive offset `offset`; nil at a clean end of input (no byte at all),
        /// `onEnd()` when the input ends inside the varint.
        mutating func readLength(at offset: Int, onEnd: () -> CARError) throws(CARError) -> UInt64? {
            guard try fill(1) else { return nil }
            var count = 1
            while true {
                guard try fill(count) else { throw onEnd() }
                let candidate = buffer[start..<start + count]
                do {
                    let (value, used) = try Varint.decode(candidate)
                    _ = take(used)
                    return value
                } catch .truncated(context: _) {
                    guard count < Varint.maximumByteCount else { throw .invalidLength(offset: offset, .varintTooLong) }
                    count += 1
                } catch {
                    throw .invalidLength(offset: offset, error)
                }
            }
        }
    }
}
