import CairnCore
import CairnNet

/// Every way a Bitswap message, block or wantlist update from a peer can be refused.
///
/// A malformed or oversized message should end the stream it came on; a bad block should penalise the peer.
public enum BitswapError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The length-prefixed framing is broken or announces a message over the limit.
    case framing(LengthPrefixError)
    /// A message of `byteCount` bytes is over the configured `limit`.
    case messageTooLarge(byteCount: Int, limit: Int)
    /// The protobuf of `message` (e.g. `Message.Wantlist.Entry`) is malformed.
    case malformedProtobuf(message: String, ProtobufWireError)
    /// A CID in `field` (e.g. `Entry.block`) does not parse.
    case invalidCID(field: String, MultiformatError)
    /// An enum field carries a value this version does not define.
    case unknownEnumValue(field: String, value: Int32)
    /// A message has more `what` (entries, blocks, presences) than the `limit`.
    case tooManyItems(what: String, count: Int, limit: Int)
    /// A block of `byteCount` bytes is over the configured `limit`.
    case blockTooLarge(byteCount: Int, limit: Int)
    /// A block prefix does not parse or describes an impossible CID.
    case invalidBlockPrefix(reason: String)
    /// A received block's data cannot be hashed as its prefix asks (e.g. an unsupported hash function).
    case unverifiableBlock(reason: String)
    /// A received, correctly hashed block is not the one that was wanted.
    case unwantedBlock(received: CID, wanted: CID)
    /// A wantlist update would grow the peer's wantlist to `count` entries, over the `limit`.
    case wantlistTooLarge(count: Int, limit: Int)
    /// Our own wantlist already holds `limit` CIDs; wait for some fetches to finish.
    case wantlistFull(limit: Int)
    /// No wanted block arrived from any peer for `after`; `cid` is one of the missing blocks (connect to a
    /// provider or add provider hints, then retry).
    case fetchStalled(cid: CID, after: Duration)
    /// A DAG being fetched has more than `limit` blocks.
    case dagTooLarge(limit: Int)
    /// A fetched block's links cannot be read (`reason`), so the DAG below it cannot be fetched.
    case undecodableBlock(cid: CID, reason: String)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .framing(let error): "bitswap: \(error)"
        case .messageTooLarge(let count, let limit): "bitswap: message of \(count) bytes is over the limit of \(limit)"
        case .malformedProtobuf(let message, let error): "bitswap: malformed \(message): \(error)"
        case .invalidCID(let field, let error): "bitswap: invalid CID in \(field): \(error)"
        case .unknownEnumValue(let field, let value): "bitswap: unknown value \(value) for \(field)"
        case .tooManyItems(let what, let count, let limit): "bitswap: \(count) \(what) in one message, over the limit of \(limit)"
        case .blockTooLarge(let count, let limit): "bitswap: block of \(count) bytes is over the limit of \(limit)"
        case .invalidBlockPrefix(let reason): "bitswap: invalid block prefix: \(reason)"
        case .unverifiableBlock(let reason): "bitswap: cannot verify block: \(reason)"
        case .unwantedBlock(let received, let wanted): "bitswap: received block \(received), wanted \(wanted)"
        case .wantlistTooLarge(let count, let limit): "bitswap: wantlist of \(count) entries is over the limit of \(limit)"
        case .wantlistFull(let limit): "bitswap: already wanting \(limit) blocks; retry when fetches finish"
        case .fetchStalled(let cid, let after): "bitswap: no block arrived for \(after); still missing \(cid) (connect to a peer that has it)"
        case .dagTooLarge(let limit): "bitswap: the DAG has more than \(limit) blocks"
        case .undecodableBlock(let cid, let reason): "bitswap: cannot read the links of \(cid): \(reason)"
        }
    }
}
