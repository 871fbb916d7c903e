import CairnCore
import CairnErasure
import Dispatch
import Foundation
import Synchronization

/// A private file just written: its manifest, the manifest's CID and the file key.
public struct EncodedPrivateFile: Sendable {
    /// The manifest.
    public let manifest: PrivateManifest
    /// The manifest block's CID (what capabilities name).
    public let manifestCID: CID
    /// The file key.
    public let key: FileKey
    /// The plaintext length.
    public let plaintextByteCount: Int

    /// The read-cap (a secret: it contains the key).
    public var readCap: Capability { .read(manifest: manifestCID, key: key) }
}

/// Turns plaintext into a private file's blocks: pads it, seals each segment with AES-256-GCM, codes the
/// sealed segment into n Reed–Solomon shares, names every share by its ``ShareTree`` digest, and writes
/// shares, share tables and the manifest to a `BlockSink`.
///
/// Segments are independent, so `workerCount` threads each own one reusable workspace and take every
/// `workerCount`-th segment of a table's run (reading their plaintext with positional reads); the
/// calling thread then writes the table and folds its digests into the column trees and the
/// ciphertext hash. Memory is bounded by the workspaces plus one table's digests, whatever the size.
public struct PrivateFileEncoder: Sendable {
    /// Where the bytes go.
    public let layout: PrivateLayout
    /// The file key.
    public let key: FileKey
    /// The file's identity: `HashTag.fileID` over the key and layout.
    public let fileID: [UInt8]
    /// Threads sealing and coding segments at once.
    public let workerCount: Int
    let cipher: SegmentCipher
    let code: ReedSolomonCode

    /// An encoder for one file of `layout` under `key`.
    /// - Throws: `.invalidParameters` for parameters the erasure code refuses.
    public init(layout: PrivateLayout, key: FileKey, workerCount: Int = ProcessInfo.processInfo.activeProcessorCount) throws(PrivateFileError) {
        self.layout = layout
        self.key = key
        self.fileID = Self.fileID(key: key, layout: layout)
        self.workerCount = max(1, min(workerCount, 64))
        cipher = try SegmentCipher(key: key, fileID: fileID, segmentCount: layout.segmentCount)
        do {
            code = try ReedSolomonCode(dataShareCount: layout.dataShareCount, totalShareCount: layout.totalShareCount)
        } catch {
            throw .invalidParameters("\(error)")
        }
    }

    /// The file ID of a file under `key` with `layout`.
    public static func fileID(key: FileKey, layout: PrivateLayout) -> [UInt8] {
        HashTag.fileID.hash([key.rawBytes, layout.encodedParameters])
    }

    /// The convergent key of `input` for the owner of `secret` (reads the whole input once).
    public static func convergentKey(for input: some PlaintextInput, parameters: ErasureParameters,
                                     secret: ConvergenceSecret) throws(PrivateFileError) -> FileKey {
        let layout = try PrivateLayout(parameters: parameters, plaintextByteCount: input.byteCount)
        var hasher = HashTag.plaintext.streamingHasher(partByteCount: UInt64(input.byteCount))
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        var offset = 0
        while offset < input.byteCount {
            let count = min(chunk, input.byteCount - offset)
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[..<count])
            try input.read(at: offset, into: slice)
            hasher.update(UnsafeRawBufferPointer(slice))
            offset += count
        }
        return FileKey.convergent(plaintextHash: hasher.finalize(), parameters: layout.encodedParameters, convergenceSecret: secret)
    }

    /// Encodes `input` (whose length must be the one `layout` was made for) into `sink`.
    /// - Parameter progress: called from worker threads with plaintext bytes just encoded.
    /// - Throws: `PrivateFileError`, or the sink's error (a full disk).
    public func encode(_ input: some PlaintextInput, into sink: some BlockSink,
                       progress: @escaping @Sendable (Int) -> Void = { _ in }) throws -> EncodedPrivateFile {
        guard Padding.paddedByteCount(for: input.byteCount) == layout.paddedByteCount else {
            throw PrivateFileError.input("the input is \(input.byteCount) bytes, not the size the layout was made for")
        }
        let n = layout.totalShareCount
        let perTable = PrivateManifest.segmentsPerTable(totalShareCount: n)
        let workspaces = (0..<workerCount).map { _ in SegmentWorkspace(layout: layout) }
        var roots = ManifestRootsBuilder(layout: layout)
        var tables: [CID] = []
        var first = 0
        while first < layout.segmentCount {
            let segments = first..<min(first + perTable, layout.segmentCount)
            let rows = try encodeSegments(segments, input: input, workspaces: workspaces, sink: sink, progress: progress)
            let table = ShareTable(fileID: fileID, firstSegment: first, totalShareCount: n, shareDigests: rows).block()
            try table.data.withUnsafeBytes { try sink.write(table.cid, bytes: $0) }
            tables.append(table.cid)
            for row in rows { roots.add(row) }
            first = segments.upperBound
        }
        let manifest = PrivateManifest(layout: layout, fileID: fileID, ciphertextHash: roots.ciphertextHash(),
                                       columnRoots: roots.columnRoots(), segmentsPerTable: perTable, tables: tables)
        let block = manifest.block()
        try block.data.withUnsafeBytes { try sink.write(block.cid, bytes: $0) }
        return EncodedPrivateFile(manifest: manifest, manifestCID: block.cid, key: key, plaintextByteCount: input.byteCount)
    }

    /// Encodes `segments` on the worker threads; returns each segment's n share digests in order.
    private func encodeSegments(_ segments: Range<Int>, input: some PlaintextInput, workspaces: [SegmentWorkspace],
                                sink: some BlockSink, progress: @escaping @Sendable (Int) -> Void) throws -> [[[UInt8]]] {
        let results = Mutex<[[[UInt8]]]>(Array(repeating: [], count: segments.count))
        let failure = Mutex<(any Error)?>(nil)
        let stride = min(workspaces.count, segments.count)
        DispatchQueue.concurrentPerform(iterations: stride) { worker in
            var segment = segments.lowerBound + worker
            while segment < segments.upperBound, failure.withLock({ $0 == nil }) {
                do {
                    let digests = try workspaces[worker].encode(segment: segment, encoder: self, input: input, sink: sink, progress: progress)
                    results.withLock { $0[segment - segments.lowerBound] = digests }
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                }
                segment += stride
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { $0 }
    }
}

/// One worker's reusable buffers: a segment of plaintext, the sealed segment split into k payloads, and
/// the n share blocks (header ‖ payload) back to back.
final class SegmentWorkspace: @unchecked Sendable {
    private let plaintext: UnsafeMutableRawBufferPointer
    private let sealed: UnsafeMutableRawBufferPointer
    private let shares: UnsafeMutableRawBufferPointer

    init(layout: PrivateLayout) {
        plaintext = .allocate(byteCount: layout.plaintextByteCount(ofSegment: 0), alignment: 64)
        sealed = .allocate(byteCount: layout.payloadByteCount(ofSegment: 0) * layout.dataShareCount, alignment: 64)
        shares = .allocate(byteCount: layout.shareByteCount(ofSegment: 0) * layout.totalShareCount, alignment: 64)
    }

    deinit {
        plaintext.deallocate()
        sealed.deallocate()
        shares.deallocate()
    }

    func encode(segment: Int, encoder: PrivateFileEncoder, input: some PlaintextInput, sink: some BlockSink,
                progress: @Sendable (Int) -> Void) throws -> [[UInt8]] {
        let layout = encoder.layout
        let (k, n) = (layout.dataShareCount, layout.totalShareCount)
        let length = layout.plaintextByteCount(ofSegment: segment)
        let offset = layout.plaintextOffset(ofSegment: segment)
        let fromInput = max(0, min(length, input.byteCount - offset))
        let plain = UnsafeMutableRawBufferPointer(rebasing: plaintext[..<length])
        if fromInput > 0 { try input.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: plain[..<fromInput])) }
        if fromInput < length {
            UnsafeMutableRawBufferPointer(rebasing: plain[fromInput...]).initializeMemory(as: UInt8.self, repeating: 0)
            if (offset..<(offset + length)).contains(input.byteCount) { plain[input.byteCount - offset] = Padding.marker }
        }

        let payload = layout.payloadByteCount(ofSegment: segment)
        let stride = layout.shareByteCount(ofSegment: segment)
        let sealedCount = length + SegmentCipher.tagByteCount
        try encoder.cipher.seal(UnsafeRawBufferPointer(plain), index: segment, into: UnsafeMutableRawBufferPointer(rebasing: sealed[..<sealedCount]))
        if sealedCount < payload * k {
            UnsafeMutableRawBufferPointer(rebasing: sealed[sealedCount..<(payload * k)]).initializeMemory(as: UInt8.self, repeating: 0)
        }
        for share in 0..<n {
            let block = UnsafeMutableRawBufferPointer(rebasing: shares[(share * stride)..<((share + 1) * stride)])
            ShareHeader(fileID: encoder.fileID, segment: segment, share: share, dataShareCount: k, totalShareCount: n).write(into: block)
            if share < k {
                UnsafeMutableRawBufferPointer(rebasing: block[ShareHeader.byteCount...])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: sealed[(share * payload)..<((share + 1) * payload)]))
            }
        }
        let base = shares.bindMemory(to: UInt8.self)
        let payloadRange = { (share: Int) in (share * stride + ShareHeader.byteCount)..<((share + 1) * stride) }
        do {
            try encoder.code.encode(data: (0..<k).map { UnsafeBufferPointer(rebasing: base[payloadRange($0)]) },
                                    parity: (k..<n).map { UnsafeMutableBufferPointer(rebasing: base[payloadRange($0)]) })
        } catch {
            throw PrivateFileError.invalidParameters("\(error)")
        }
        var digests: [[UInt8]] = []
        digests.reserveCapacity(n)
        for share in 0..<n {
            let bytes = UnsafeRawBufferPointer(rebasing: shares[(share * stride)..<((share + 1) * stride)])
            let digest = ShareTree.root(bytes)
            try sink.write(ShareTable.shareCID(digest: digest), bytes: bytes)
            digests.append(digest)
        }
        progress(fromInput)
        return digests
    }
}

/// The manifest's commitments, folded from each segment's share digests in order: the Merkle root of
/// every share column and the ciphertext hash (over the data-share digests). The encoder computes them,
/// the checker recomputes them; O(n log segments) memory.
struct ManifestRootsBuilder {
    private var columns: [SubtreeStack]
    private var ciphertext: StreamingTaggedHash
    private let dataShareCount: Int

    init(layout: PrivateLayout) {
        columns = (0..<layout.totalShareCount).map { _ in SubtreeStack(combine: { MerkleTree.nodeHash($0, $1) }) }
        ciphertext = HashTag.ciphertext.streamingHasher(
            partByteCount: UInt64(layout.segmentCount * layout.dataShareCount * ShareTree.digestByteCount))
        dataShareCount = layout.dataShareCount
    }

    /// Adds the next segment's n share digests.
    mutating func add(_ digests: [[UInt8]]) {
        for (column, digest) in digests.enumerated() {
            columns[column].push(MerkleTree.leafHash(digest, index: columns[column].leafCount))
        }
        for digest in digests.prefix(dataShareCount) { ciphertext.update(digest) }
    }

    func columnRoots() -> [[UInt8]] { columns.map { MerkleTree.committedRoot($0.top(), count: $0.leafCount) } }

    func ciphertextHash() -> [UInt8] { ciphertext.finalize() }
}
