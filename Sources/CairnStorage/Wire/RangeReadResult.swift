import CairnCore

/// The bytes and proof a range read returns: chunks `firstChunk…` of a share of `shareByteCount` bytes
/// and the ``ShareTree`` range proof that ties them to the share CID.
///
/// ```
/// 1 shareByteCount  uint32    ≤ StorageWire.maximumShareByteCount
/// 2 firstChunk      uint32
/// 3 data            bytes     ≤ StorageWire.maximumShareByteCount
/// 4 proof           repeated bytes, 32 each, ≤ 64
/// ```
public struct RangeReadResult: Sendable, Equatable {
    /// The length of the whole share, in bytes (bound into its root, so a lie fails verification).
    public var shareByteCount: UInt32
    /// The first chunk returned.
    public var firstChunk: UInt32
    /// The bytes of the chunks read (the last may be short when it is the share's last).
    public var data: [UInt8]
    /// The range proof (``ShareTree/rangeProof(_:chunks:)``).
    public var proof: [[UInt8]]

    /// Creates a result.
    public init(shareByteCount: UInt32, firstChunk: UInt32, data: [UInt8], proof: [[UInt8]]) {
        self.shareByteCount = shareByteCount
        self.firstChunk = firstChunk
        self.data = data
        self.proof = proof
    }

    /// Whether this is a valid answer to reading `chunkCount` chunks from ``firstChunk`` of `share`: the
    /// CID is a share CID, the data has the length of those chunks, and the proof rebuilds the CID's digest.
    public func verify(share: CID, chunkCount: UInt32) -> Bool {
        guard share.isShareCID, chunkCount >= 1 else { return false }
        let chunks = Int(firstChunk)..<(Int(firstChunk) + Int(chunkCount))
        let byteCount = Int(shareByteCount)
        guard data.count == ShareTree.byteRange(ofChunks: chunks, byteCount: byteCount).count else { return false }
        return ShareTree.verifyRange(data, chunks: chunks, byteCount: byteCount, proof: proof, root: share.multihash.digest)
    }

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.appendVarint(field: 1, UInt64(shareByteCount))
        writer.appendVarint(field: 2, UInt64(firstChunk))
        writer.appendBytes(field: 3, data)
        for hash in proof { writer.appendBytes(field: 4, hash) }
        return writer.bytes
    }

    /// Decodes the canonical encoding (the proof is checked by ``verify(share:chunkCount:)``, not here).
    /// - Throws: `StorageWireError`.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        var decoder = try WireDecoder(bytes, message: "RangeReadResult", fieldCount: 4)
        shareByteCount = try decoder.uint32(1, "shareByteCount")
        guard shareByteCount <= StorageWire.maximumShareByteCount else {
            throw .tooLarge("RangeReadResult.shareByteCount", byteCount: Int(shareByteCount), limit: StorageWire.maximumShareByteCount)
        }
        firstChunk = try decoder.uint32(2, "firstChunk")
        data = try decoder.bytes(3, "data", limit: StorageWire.maximumShareByteCount)
        proof = try decoder.repeated(4, "proof", limit: StorageWire.maximumProofHashCount, elementLimit: ShareTree.digestByteCount) {
            (hash) throws(StorageWireError) in
            guard hash.count == ShareTree.digestByteCount else {
                throw .malformed(field: "RangeReadResult.proof", reason: "a hash of \(hash.count) bytes, expected \(ShareTree.digestByteCount)")
            }
            return hash
        }
        try decoder.finish()
    }
}
