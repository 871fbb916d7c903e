import CairnCore

/// One Bitswap 1.2.0 message (ipfs/specs `src/bitswap-protocol.md`, boxo `bitswap/message/pb/message.proto`).
///
/// Protobuf (proto3) layout; defaults are omitted on the wire and accepted when absent:
/// ```
/// Message       { wantlist=1 Wantlist; blocks=2 repeated bytes (1.0.0); payload=3 repeated Block;
///                 blockPresences=4 repeated BlockPresence; pendingBytes=5 int32 }
/// Wantlist      { entries=1 repeated Entry; full=2 bool }
/// Entry         { block=1 bytes (binary CID); priority=2 int32; cancel=3 bool;
///                 wantType=4 enum {Block=0, Have=1}; sendDontHave=5 bool }
/// Block         { prefix=1 bytes (see BlockPrefix); data=2 bytes }
/// BlockPresence { cid=1 bytes (binary CID); type=2 enum {Have=0, DontHave=1} }
/// ```
/// On a stream each message is preceded by its uvarint length. A decoded message has parsed CIDs and block
/// prefixes and respects every `BitswapConfiguration` limit; payload hashes are checked by
/// `PayloadBlock.verifiedBlock()`. Byte vectors: `Tests/CairnExchangeTests/BitswapMessageTests.swift`,
/// spec page `docs/specs/bitswap.md`.
public struct BitswapMessage: Sendable, Equatable {
    /// The sender's wantlist (full or delta); nil when field 1 is absent. Kubo's responses carry an empty one.
    public var wantlist: Wantlist?
    /// Raw blocks in the Bitswap 1.0.0 form (`blocks=2`), whose CIDs are CIDv0 sha2-256 of the bytes.
    public var blocks: [[UInt8]]
    /// Blocks with their CID prefixes (`payload=3`, Bitswap 1.1.0 and later).
    public var payload: [PayloadBlock]
    /// Have / DontHave answers (`blockPresences=4`).
    public var blockPresences: [BlockPresence]
    /// How many bytes of blocks the sender still has queued for us (`pendingBytes=5`).
    public var pendingBytes: Int32

    /// Creates a message; every part defaults to empty.
    public init(
        wantlist: Wantlist? = nil, blocks: [[UInt8]] = [], payload: [PayloadBlock] = [],
        blockPresences: [BlockPresence] = [], pendingBytes: Int32 = 0
    ) {
        self.wantlist = wantlist
        self.blocks = blocks
        self.payload = payload
        self.blockPresences = blockPresences
        self.pendingBytes = pendingBytes
    }

    /// Every block the message carries, hashed and wrapped as CairnCore blocks: the Bitswap 1.0.0 `blocks`
    /// (CIDv0, sha2-256 of the bytes) then the `payload` blocks.
    ///
    /// The blocks are correctly hashed by construction; whether each was wanted is the caller's check.
    /// - Throws: `.unverifiableBlock` when a payload prefix names a hash function not supported here.
    public func receivedBlocks() throws(BitswapError) -> [Block] {
        var result: [Block] = []
        result.reserveCapacity(blocks.count + payload.count)
        for data in blocks {
            let cid = try BlockPrefix.cidV0.cid(forData: data)
            result.append(Block(hashed: data, cid: cid))
        }
        for block in payload { result.append(try block.verifiedBlock()) }
        return result
    }

    /// A wantlist update: the whole list (`full`) or a delta of additions and cancels.
    public struct Wantlist: Sendable, Equatable {
        /// The entries, in the order they were sent.
        public var entries: [WantlistEntry]
        /// Whether the entries replace the receiver's whole view of our wantlist.
        public var full: Bool

        /// Creates a wantlist update.
        public init(entries: [WantlistEntry] = [], full: Bool = false) {
            self.entries = entries
            self.full = full
        }
    }

    /// Whether a want asks for the block itself or only whether the peer has it.
    public enum WantType: Int32, Sendable, Equatable {
        /// Send the block (`Block = 0`, the proto3 default).
        case block = 0
        /// Say whether you have the block (`Have = 1`).
        case have = 1
    }

    /// One want or cancel.
    public struct WantlistEntry: Sendable, Equatable {
        /// The wanted block, in the CID version the wanter uses.
        public var cid: CID
        /// Higher is served first; kubo's broadcasts use `Int32.max`.
        public var priority: Int32
        /// Whether this removes the want instead of adding it.
        public var cancel: Bool
        /// Block or Have.
        public var wantType: WantType
        /// Whether the peer wants an explicit DontHave when we lack the block.
        public var sendDontHave: Bool

        /// Creates an entry; the defaults are a want-block of priority 1 without DontHave.
        public init(cid: CID, priority: Int32 = 1, cancel: Bool = false, wantType: WantType = .block, sendDontHave: Bool = false) {
            self.cid = cid
            self.priority = priority
            self.cancel = cancel
            self.wantType = wantType
            self.sendDontHave = sendDontHave
        }
    }

    /// A block as sent in `payload`: its CID prefix and its bytes (the digest is recomputed by the receiver).
    public struct PayloadBlock: Sendable, Equatable {
        /// Version, codec and hash of the block's CID.
        public var prefix: BlockPrefix
        /// The block's bytes.
        public var data: [UInt8]

        /// Creates a payload block from its parts.
        public init(prefix: BlockPrefix, data: [UInt8]) {
            self.prefix = prefix
            self.data = data
        }

        /// Creates the payload that sends `block`.
        public init(_ block: Block) {
            self.init(prefix: BlockPrefix(block.cid), data: block.data)
        }

        /// Hashes the data as the prefix says and returns the block it names (always correctly hashed).
        /// - Throws: `.unverifiableBlock` when the hash function is not supported here.
        public func verifiedBlock() throws(BitswapError) -> Block {
            let cid = try prefix.cid(forData: data)
            return Block(hashed: data, cid: cid)
        }

        /// Hashes the data and checks that it is the block `wanted` names (same CID, compared byte for byte).
        /// - Throws: `.unwantedBlock` when the block is another one, `.unverifiableBlock` when it cannot be hashed.
        public func verifiedBlock(wanted: CID) throws(BitswapError) -> Block {
            let block = try verifiedBlock()
            guard block.cid == wanted else { throw .unwantedBlock(received: block.cid, wanted: wanted) }
            return block
        }
    }

    /// Whether a presence says Have or DontHave.
    public enum PresenceType: Int32, Sendable, Equatable {
        /// The sender has the block (`Have = 0`).
        case have = 0
        /// The sender does not have the block (`DontHave = 1`).
        case dontHave = 1
    }

    /// A Have or DontHave answer for one CID.
    public struct BlockPresence: Sendable, Equatable {
        /// The CID the answer is about (a CIDv0 travels as a bare `1220…` multihash).
        public var cid: CID
        /// Have or DontHave.
        public var type: PresenceType

        /// Creates a presence.
        public init(cid: CID, type: PresenceType) {
            self.cid = cid
            self.type = type
        }
    }
}
