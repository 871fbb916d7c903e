import CairnCore

/// Every way building, decoding or reading a UnixFS DAG can fail in CairnDAG.
///
/// Parse errors name the structure and field being read so that a message says what to fix;
/// operational errors (I/O) carry the path and the `errno` text.
public enum DAGError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside a value; `context` names what was being read.
    case truncated(context: String)
    /// A protobuf field used a wire type the schema does not allow.
    case wrongWireType(context: String, field: UInt64, wireType: UInt64)
    /// A protobuf field number the schema does not define.
    case unknownField(context: String, field: UInt64)
    /// A field that may appear once appeared twice.
    case duplicateField(context: String, field: UInt64)
    /// Fields appeared in an order the strict dag-pb form forbids.
    case fieldOrder(context: String, reason: String)
    /// A required field is missing.
    case missingField(context: String, field: String)
    /// A varint is longer than 10 bytes or overflows 64 bits.
    case invalidVarint(context: String)
    /// A block or value is larger than the named limit.
    case tooLarge(context: String, byteCount: Int, limit: Int)
    /// A link or entry name is not valid UTF-8.
    case invalidName(context: String)
    /// A CID inside a block is malformed.
    case invalidCID(context: String, reason: String)
    /// A UnixFS value is well formed protobuf but semantically invalid.
    case invalidUnixFS(reason: String)
    /// A chunker specification string is not understood (`size-N` is supported).
    case invalidChunker(String, reason: String)
    /// The codec of a block is not one this operation understands.
    case unsupportedCodec(cid: CID, codec: Multicodec)
    /// A path component does not exist in the directory.
    case notFound(path: String, component: String)
    /// A path went through something that is not a directory.
    case notADirectory(path: String, cid: CID)
    /// The node is not a file (or raw block) where file bytes were asked for.
    case notAFile(cid: CID)
    /// A requested range starts beyond the end of the file.
    case rangeOutOfBounds(offset: UInt64, fileSize: UInt64)
    /// A DAG is inconsistent: blocksizes disagree with links, or recursion is too deep.
    case inconsistentDAG(cid: CID, reason: String)
    /// Two directory entries have the same name.
    case duplicateEntry(name: String)
    /// A directory entry name is empty or contains `/`.
    case invalidEntryName(String)
    /// A HAMT ran out of hash bits: two names with the same 64-bit hash.
    case hashExhausted(name: String)
    /// An input file could not be read; `operation` and `reason` come from the system.
    case io(path: String, operation: String, reason: String)
    /// A filesystem entry has a type `add -r` cannot store (socket, device, FIFO…).
    case unsupportedFileType(path: String, type: String)
    /// A block could not be fetched from the block source.
    case blockUnavailable(cid: CID, reason: String)

    /// A one-line message saying what went wrong and where.
    public var description: String {
        switch self {
        case .truncated(let c): "truncated input while reading \(c)"
        case .wrongWireType(let c, let f, let w): "\(c): field \(f) has wrong wire type \(w)"
        case .unknownField(let c, let f): "\(c): unknown field \(f)"
        case .duplicateField(let c, let f): "\(c): duplicate field \(f)"
        case .fieldOrder(let c, let r): "\(c): invalid field order: \(r)"
        case .missingField(let c, let f): "\(c): missing required field \(f)"
        case .invalidVarint(let c): "\(c): invalid varint (longer than 10 bytes or over 64 bits)"
        case .tooLarge(let c, let n, let l): "\(c) is \(n) bytes, over the limit of \(l)"
        case .invalidName(let c): "\(c): name is not valid UTF-8"
        case .invalidCID(let c, let r): "\(c): invalid CID: \(r)"
        case .invalidUnixFS(let r): "invalid UnixFS data: \(r)"
        case .invalidChunker(let s, let r): "invalid chunker '\(s)': \(r)"
        case .unsupportedCodec(let cid, let codec): "block \(cid) has codec \(codec.name), which this operation does not support"
        case .notFound(let p, let c): "no entry '\(c)' while resolving \(p)"
        case .notADirectory(let p, let cid): "\(cid) is not a directory (resolving \(p))"
        case .notAFile(let cid): "\(cid) is not a file"
        case .rangeOutOfBounds(let o, let s): "offset \(o) is beyond the end of the file (\(s) bytes)"
        case .inconsistentDAG(let cid, let r): "inconsistent DAG at \(cid): \(r)"
        case .duplicateEntry(let n): "duplicate directory entry '\(n)'"
        case .invalidEntryName(let n): "invalid directory entry name '\(n)' (empty, '.', '..' or containing '/')"
        case .hashExhausted(let n): "HAMT hash bits exhausted inserting '\(n)'"
        case .io(let p, let op, let r): "\(op) \(p): \(r)"
        case .unsupportedFileType(let p, let t): "cannot add \(p): unsupported file type \(t)"
        case .blockUnavailable(let cid, let r): "block \(cid) unavailable: \(r)"
        }
    }
}
