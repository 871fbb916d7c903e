import CairnCore
import Foundation

/// Hashes finished blocks into CIDs and hands them to a sink (sha2-256, the only hash `ipfs add` uses by default).
enum BlockHasher {
    /// The CID of `bytes` for `codec` and `version`.
    static func cid(of bytes: UnsafeRawBufferPointer, codec: Multicodec, version: CID.Version) throws(DAGError) -> CID {
        let multihash = Multihash.sha256(bytes)
        do {
            return try CID(version: version, codec: codec, multihash: multihash)
        } catch {
            throw .invalidCID(context: "new \(codec.name) block", reason: error.description)
        }
    }

    /// Hashes `bytes`, writes the block to `sink` and returns its CID.
    static func store(_ bytes: [UInt8], codec: Multicodec, version: CID.Version, sink: some BlockSink) throws -> CID {
        guard bytes.count <= DAGLimits.maximumBlockByteCount else {
            throw DAGError.tooLarge(context: "new \(codec.name) block", byteCount: bytes.count, limit: DAGLimits.maximumBlockByteCount)
        }
        return try bytes.withUnsafeBytes { buffer in
            let cid = try cid(of: buffer, codec: codec, version: version)
            try sink.write(cid, bytes: buffer)
            return cid
        }
    }
}
