import CairnCore

/// The CIDs a block links to, in stored order, for garbage collection, pinning and CAR export.
///
/// - dag-pb (`0x70`): every link's Hash.
/// - raw (`0x55`): none.
/// - any other codec (dag-cbor included, for now): throws `DAGError.unsupportedCodec`, so a caller
///   never silently drops the children of a block it cannot parse.
/// - Throws: `DAGError` when a dag-pb block is malformed or the codec is unsupported.
public func links(of block: Block) throws(DAGError) -> [CID] {
    switch block.cid.codec {
    case .raw:
        return []
    case .dagPB:
        return try PBNode(decoding: block.data).links.map(\.cid)
    default:
        throw .unsupportedCodec(cid: block.cid, codec: block.cid.codec)
    }
}
