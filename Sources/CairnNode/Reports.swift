import CairnCore
import Foundation

/// What `init` created.
public struct InitReport: Sendable, Codable {
    /// The repository directory.
    public let path: String
    /// The on-disk format version.
    public let version: Int
}

/// What `get` wrote.
public struct GetReport: Sendable, Codable {
    /// The CID that was written out.
    public let cid: CID
    /// Where it was written.
    public let destination: String
    /// The number of file bytes written.
    public let bytes: UInt64

    /// Creates a report.
    public init(cid: CID, destination: String, bytes: UInt64) {
        self.cid = cid
        self.destination = destination
        self.bytes = bytes
    }
}

/// One entry of `ls`.
public struct ListEntry: Sendable, Codable {
    /// The entry name (empty for the links of a file node).
    public let name: String
    /// The entry's CID.
    public let cid: CID
    /// The entry's size: file bytes for files, cumulative DAG size otherwise.
    public let size: UInt64
    /// `file`, `directory`, `symlink` or `raw`.
    public let type: String
}

/// One pin, as `pin ls` shows it.
public struct PinInfo: Sendable, Codable {
    /// The pinned CID.
    public let cid: CID
    /// `recursive` or `direct`.
    public let type: String
    /// The name given when the pin was made, if any.
    public let name: String?
}

/// What garbage collection removed.
public struct GCReport: Sendable, Codable {
    /// Blocks deleted.
    public let removedBlocks: Int
    /// Bytes freed.
    public let removedBytes: Int
    /// Blocks kept because a pin reaches them.
    public let keptBlocks: Int
}

/// One block that failed verification.
public struct CorruptBlock: Sendable, Codable {
    /// The block's CID (raw-codec CIDv1 of its multihash), or "-" when the file name is not a valid key.
    public let cid: String
    /// The file holding it.
    public let path: String
    /// What is wrong.
    public let reason: String
}

/// The result of `repo verify`.
public struct VerifyReport: Sendable, Codable {
    /// How many blocks were re-hashed.
    public let checkedBlocks: Int
    /// How many bytes were re-hashed.
    public let checkedBytes: Int
    /// The blocks that failed.
    public let corrupt: [CorruptBlock]
}

/// The result of `repo stat`.
public struct RepoStat: Sendable, Codable {
    /// The repository directory.
    public let path: String
    /// Blocks stored.
    public let blocks: Int
    /// Bytes stored (block contents).
    public let bytes: Int
    /// Recursive pins.
    public let recursivePins: Int
    /// Direct pins.
    public let directPins: Int
    /// Rows in the file index.
    public let files: Int
}

/// The result of importing one CAR file.
public struct CARImportReport: Sendable, Codable {
    /// The CAR file.
    public let file: String
    /// Blocks imported (including ones already present).
    public let blocks: Int
    /// Bytes of block data imported.
    public let bytes: Int
    /// The roots named in the header.
    public let roots: [CID]
    /// Roots now pinned.
    public let pinnedRoots: [CID]
    /// Roots not pinned because their DAG is not complete in the repository.
    public let incompleteRoots: [CID]
}
