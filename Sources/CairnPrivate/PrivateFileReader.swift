import CairnCore
import CairnErasure

/// The answer of a block source for one CID.
public enum BlockFetch: Sendable, Equatable {
    /// The block's bytes, already checked against the CID.
    case found([UInt8])
    /// Nobody had it.
    case missing
    /// It was found but damaged (its bytes do not match the CID), or could not be read; `reason` says how.
    case damaged(String)
}

/// Where private-file readers, checkers and repairers get blocks: the local blockstore or the network.
/// Implementations must return only bytes that hash to the requested CID.
public protocol PrivateBlockSource: Sendable {
    /// The block named by `cid`. A fetch that is cancelled should return promptly (with `.missing`).
    func fetch(_ cid: CID) async -> BlockFetch
    /// The order in which to ask for one segment's shares (indices into `shares`), best first — the
    /// network source puts the fastest providers first. The default is index order (data shares first).
    func preferredOrder(of shares: [CID]) async -> [Int]
}

extension PrivateBlockSource {
    public func preferredOrder(of shares: [CID]) async -> [Int] { Array(shares.indices) }
}

/// Reads a private file back: loads each share table, fetches k valid shares of each segment (the data
/// shares first, since they need no decoding; parity shares only for the ones missing or damaged),
/// rebuilds, authenticates and decrypts each segment, and strips the padding — several segments at once,
/// output strictly in order, memory bounded by `window` segments.
public struct PrivateFileReader: Sendable {
    /// The file's manifest.
    public let manifest: PrivateManifest
    /// Segments fetched and decrypted at once.
    public let window: Int
    /// Shares asked for beyond k at once (hedging: the first k valid ones win, the rest are cancelled).
    public let extraFetches: Int
    let cipher: SegmentCipher
    let code: ReedSolomonCode

    /// A reader of the file `manifest` describes, under `key`.
    /// - Throws: `.wrongKey` when the key is not this file's (checked through the file ID before any
    ///   share is fetched).
    public init(manifest: PrivateManifest, key: FileKey, window: Int = 8, extraFetches: Int = 0) throws(PrivateFileError) {
        guard PrivateFileEncoder.fileID(key: key, layout: manifest.layout) == manifest.fileID else { throw .wrongKey }
        self.manifest = manifest
        self.window = max(1, window)
        self.extraFetches = max(0, extraFetches)
        cipher = try SegmentCipher(key: key, fileID: manifest.fileID, segmentCount: manifest.layout.segmentCount)
        code = try PrivateFileShares.code(for: manifest.layout)
    }

    /// Writes the plaintext to `output`, in order, in pieces.
    /// - Throws: `PrivateFileError` (`.notEnoughShares`, `.segmentAuthenticationFailed`, …) or the
    ///   output's error. Nothing after the failing segment is written; nothing written is ever wrong.
    public func read(from source: some PrivateBlockSource, to output: (UnsafeRawBufferPointer) throws -> Void) async throws {
        var stripper = PaddingStripper()
        for tableIndex in manifest.tables.indices {
            let table = try await PrivateFileShares.table(tableIndex, of: manifest, from: source)
            let segments = manifest.segments(inTable: tableIndex)
            try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                var next = segments.lowerBound
                var ready: [Int: [UInt8]] = [:]
                var emit = segments.lowerBound
                while emit < segments.upperBound {
                    while next < segments.upperBound, next - emit < window {
                        let segment = next
                        let digests = table.shareDigests[segment - segments.lowerBound]
                        group.addTask { (segment, try await readSegment(segment, digests: digests, from: source)) }
                        next += 1
                    }
                    guard let (segment, plaintext) = try await group.next() else { break }
                    ready[segment] = plaintext
                    while let plaintext = ready.removeValue(forKey: emit) {
                        try stripper.feed(plaintext, to: output)
                        emit += 1
                    }
                }
            }
        }
        try stripper.finish()
    }

    /// The plaintext of segment `segment` (still padded).
    func readSegment(_ segment: Int, digests: [[UInt8]], from source: some PrivateBlockSource) async throws -> [UInt8] {
        let layout = manifest.layout
        let k = layout.dataShareCount
        let shares = await PrivateFileShares.collect(segment: segment, digests: digests, manifest: manifest, from: source,
                                                     wanted: k, extra: extraFetches)
        guard shares.valid.count >= k else {
            throw PrivateFileError.notEnoughShares(segment: segment, valid: shares.valid.count, needed: k)
        }
        let sealedCount = layout.sealedByteCount(ofSegment: segment)
        var sealed = [UInt8]()
        sealed.reserveCapacity(layout.payloadByteCount(ofSegment: segment) * k)
        let dataPayloads = (0..<k).compactMap { shares.valid[$0]?.dropFirst(ShareHeader.byteCount) }
        if dataPayloads.count == k {
            // Every data share is here: the sealed segment is their payloads, no decoding needed.
            for payload in dataPayloads { sealed += payload }
        } else {
            do {
                for share in try code.decode(shares.valid.mapValues { Array($0.dropFirst(ShareHeader.byteCount)) }) { sealed += share }
            } catch {
                throw PrivateFileError.notEnoughShares(segment: segment, valid: shares.valid.count, needed: k)
            }
        }
        return try sealed.withUnsafeBytes { buffer throws(PrivateFileError) in
            try cipher.open(UnsafeRawBufferPointer(rebasing: buffer[..<sealedCount]), index: segment)
        }
    }
}

/// What was found of one segment's shares.
public struct SegmentShares: Sendable {
    /// Valid shares by index (whole blocks: header and payload).
    public var valid: [Int: [UInt8]] = [:]
    /// Indices nobody had.
    public var missing: [Int] = []
    /// Indices found damaged, with the reason.
    public var damaged: [Int: String] = [:]
}

/// Share fetching shared by the reader and the checker.
enum PrivateFileShares {
    static func code(for layout: PrivateLayout) throws(PrivateFileError) -> ReedSolomonCode {
        do {
            return try ReedSolomonCode(dataShareCount: layout.dataShareCount, totalShareCount: layout.totalShareCount)
        } catch {
            throw .invalidParameters("\(error)")
        }
    }

    static func table(_ index: Int, of manifest: PrivateManifest, from source: some PrivateBlockSource) async throws(PrivateFileError) -> ShareTable {
        switch await source.fetch(manifest.tables[index]) {
        case .found(let bytes): return try ShareTable(decoding: bytes, index: index, of: manifest)
        case .missing: throw .tableUnavailable(index: index, reason: "no copy of \(manifest.tables[index]) was found")
        case .damaged(let reason): throw .tableUnavailable(index: index, reason: reason)
        }
    }

    /// Fetches shares of `segment` in the source's preferred order until `wanted` are valid (or all n
    /// when `wanted` is n). `wanted − valid + extra` fetches run at once; when `wanted` valid shares have
    /// arrived the fetches still running are cancelled.
    static func collect(segment: Int, digests: [[UInt8]], manifest: PrivateManifest, from source: some PrivateBlockSource,
                        wanted: Int, extra: Int = 0) async -> SegmentShares {
        let layout = manifest.layout
        let shareSize = layout.shareByteCount(ofSegment: segment)
        let cids = digests.map(ShareTable.shareCID(digest:))
        let order = await source.preferredOrder(of: cids).filter { cids.indices.contains($0) }
        var candidates = (Set(order).count == cids.count ? order : Array(cids.indices))[...]
        var result = SegmentShares()
        await withTaskGroup(of: (Int, BlockFetch).self) { group in
            var running = 0
            func launch() {
                while running < wanted - result.valid.count + extra, let index = candidates.popFirst() {
                    let cid = cids[index]
                    group.addTask { (index, await source.fetch(cid)) }
                    running += 1
                }
            }
            launch()
            while let (index, answer) = await group.next() {
                running -= 1
                switch answer {
                case .found(let bytes) where bytes.count == shareSize:
                    let header = ShareHeader(fileID: manifest.fileID, segment: segment, share: index,
                                             dataShareCount: layout.dataShareCount, totalShareCount: layout.totalShareCount)
                    if header.matches(bytes) {
                        result.valid[index] = bytes
                    } else {
                        result.damaged[index] = "share \(index) of segment \(segment) carries another file's or position's header"
                    }
                case .found(let bytes):
                    result.damaged[index] = PrivateFileError.shareSizeMismatch(segment: segment, share: index, byteCount: bytes.count,
                                                                                expected: shareSize).description
                case .missing: result.missing.append(index)
                case .damaged(let reason): result.damaged[index] = reason
                }
                if result.valid.count >= wanted {
                    group.cancelAll()
                    break
                }
                launch()
            }
        }
        result.missing.sort()
        return result
    }
}

/// Strips the padding from the end of a stream of padded plaintext without knowing in advance where the
/// real data ends: the last non-zero byte seen and the zeros after it are held back (as a count) until
/// more data shows they were content; at the end the held byte must be the padding marker.
struct PaddingStripper {
    private var heldByte: UInt8?
    private var heldZeros = 0
    private static let zeros = [UInt8](repeating: 0, count: 64 << 10)

    mutating func feed(_ bytes: [UInt8], to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let last = bytes.lastIndex(where: { $0 != 0 }) else {
            heldZeros += bytes.count
            return
        }
        if let byte = heldByte { try withUnsafeBytes(of: byte) { try output($0) } }
        try Self.writeZeros(heldZeros, to: output)
        if last > 0 { try bytes.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0[..<last])) } }
        heldByte = bytes[last]
        heldZeros = bytes.count - last - 1
    }

    func finish() throws(PrivateFileError) {
        guard heldByte == Padding.marker else { throw .invalidPadding }
    }

    private static func writeZeros(_ count: Int, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        var remaining = count
        while remaining > 0 {
            let piece = min(remaining, zeros.count)
            try zeros.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0[..<piece])) }
            remaining -= piece
        }
    }
}
