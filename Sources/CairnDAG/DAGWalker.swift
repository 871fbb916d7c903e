import CairnCore

/// Walks a DAG depth-first, pre-order, visiting each distinct block once, in the order
/// `ipfs dag export` writes a CAR (a block, then its links left to right).
///
/// Blocks addressed by identity CIDs are skipped (their bytes live in the CID). Memory is the set of
/// visited CIDs plus the pending stack; `maximumBlockCount` bounds both.
public struct DAGWalker: Sendable {
    /// The most distinct blocks one walk visits before failing (bounds the visited set: 10 M CIDs ≈ 1 GB worst case).
    public static let maximumBlockCount = 10_000_000

    /// Where blocks come from.
    public let source: any BlockSource

    /// Creates a walker over `source`.
    public init(source: any BlockSource) { self.source = source }

    /// Calls `visit` for every block reachable from `root`, each once, pre-order.
    /// - Throws: `DAGError` for malformed blocks or unsupported codecs, errors from the source or from `visit`.
    public func walk(from root: CID, visit: (Block) async throws -> Void) async throws {
        var seen: Set<CID> = []
        var stack: [CID] = [root]
        while let cid = stack.popLast() {
            if cid.multihash.function == .identity || seen.contains(cid) { continue }
            guard seen.count < DAGWalker.maximumBlockCount else {
                throw DAGError.tooLarge(context: "DAG walk block count", byteCount: seen.count + 1, limit: DAGWalker.maximumBlockCount)
            }
            seen.insert(cid)
            let block = try await source.block(cid)
            try await visit(block)
            stack.append(contentsOf: try links(of: block).reversed())
        }
    }
}
