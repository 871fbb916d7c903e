/// The UnixFS `Data` message stored in the Data field of a dag-pb node (ipfs/specs `unixfs.md`).
///
/// Wire form (proto2), written in ascending field order:
/// ```
/// 08 <Type>  12 <len> <Data>  18 <filesize>  (20 <blocksize>)*  28 <hashType>  30 <fanout>
/// 38 <mode>  42 <len> [08 <seconds> 15 <nanos fixed32>]
/// ```
/// `blocksizes` is not packed: each value carries its own `20` key. A file node always carries
/// `filesize` (kubo writes it even when 0); a directory is exactly `08 01`.
public struct UnixFSData: Sendable, Equatable {
    /// The UnixFS node type.
    public enum NodeType: UInt64, Sendable, Equatable {
        /// Legacy raw data leaf.
        case raw = 0
        /// A basic directory.
        case directory = 1
        /// A file (leaf or internal node).
        case file = 2
        /// Legacy metadata node.
        case metadata = 3
        /// A symbolic link; `data` is the target.
        case symlink = 4
        /// A HAMT directory shard.
        case hamtShard = 5
    }

    /// A modification time: seconds since the epoch and optional nanoseconds.
    public struct ModificationTime: Sendable, Equatable {
        /// Seconds since 1970-01-01T00:00:00Z (may be negative).
        public var seconds: Int64
        /// Nanoseconds, 1…999_999_999 when present.
        public var nanoseconds: UInt32?
        /// Creates a modification time.
        public init(seconds: Int64, nanoseconds: UInt32? = nil) {
            self.seconds = seconds
            self.nanoseconds = nanoseconds
        }
    }

    /// The node type.
    public var type: NodeType
    /// Inline bytes: file data, symlink target or HAMT bitfield.
    public var data: [UInt8]?
    /// The total file bytes under this node.
    public var fileSize: UInt64?
    /// The file bytes under each link, in link order.
    public var blockSizes: [UInt64]
    /// The HAMT hash function (`0x22` = murmur3-x64-64).
    public var hashType: UInt64?
    /// The HAMT fanout.
    public var fanout: UInt64?
    /// POSIX permission bits.
    public var mode: UInt32?
    /// Modification time.
    public var modificationTime: ModificationTime?

    /// Creates a UnixFS data value.
    public init(type: NodeType, data: [UInt8]? = nil, fileSize: UInt64? = nil, blockSizes: [UInt64] = [],
                hashType: UInt64? = nil, fanout: UInt64? = nil, mode: UInt32? = nil,
                modificationTime: ModificationTime? = nil) {
        self.type = type
        self.data = data
        self.fileSize = fileSize
        self.blockSizes = blockSizes
        self.hashType = hashType
        self.fanout = fanout
        self.mode = mode
        self.modificationTime = modificationTime
    }

    /// The encoded data of a basic directory: `08 01`.
    public static let directoryBytes: [UInt8] = [0x08, 0x01]
}
