import Foundation

/// A content-addressed block: bytes and the CID that names them.
///
/// A `Block` made with `init(cid:data:)` has been verified: its bytes hash to its CID.
public struct Block: Sendable, Equatable {
    /// The block's address.
    public let cid: CID
    /// The block's bytes.
    public let data: [UInt8]

    /// Creates a block after checking that `data` hashes to `cid`.
    /// - Throws: `BlockError.hashMismatch` when it does not, `.unverifiable` when the hash cannot be computed.
    public init(cid: CID, data: [UInt8]) throws(BlockError) {
        let matches: Bool
        do {
            matches = try cid.multihash.matches(data)
        } catch {
            throw .unverifiable(cid: cid, reason: error.description)
        }
        guard matches else { throw .hashMismatch(cid: cid) }
        self.cid = cid
        self.data = data
    }

    /// Creates a block from bytes that were just hashed to produce `cid` (no second hash).
    public init(hashed data: [UInt8], cid: CID) {
        self.cid = cid
        self.data = data
    }

    /// Hashes `data` with sha2-256 and wraps it as a block with the given version and codec.
    public init(data: [UInt8], codec: Multicodec, version: CID.Version) throws(MultiformatError) {
        self.cid = try CID(version: version, codec: codec, multihash: .sha256(data))
        self.data = data
    }
}

/// Why a block could not be trusted.
public enum BlockError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes do not hash to the CID.
    case hashMismatch(cid: CID)
    /// The CID's hash function cannot be computed here.
    case unverifiable(cid: CID, reason: String)

    /// A one-line explanation for logs and CLI output.
    public var description: String {
        switch self {
        case .hashMismatch(let cid): "block \(cid) does not match its hash"
        case .unverifiable(let cid, let reason): "cannot verify block \(cid): \(reason)"
        }
    }
}
