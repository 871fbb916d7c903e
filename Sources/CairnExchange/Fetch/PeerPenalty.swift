/// Why a peer was dropped from the fetch session and reported to the node (which may disconnect it).
public enum PeerPenalty: Sendable, Equatable, CustomStringConvertible {
    /// The peer sent `count` blocks that nobody asked for, or whose data did not hash to a wanted CID
    /// (corrupt blocks look like this), over the configured threshold.
    case unwantedBlocks(count: Int)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .unwantedBlocks(let count): "sent \(count) unwanted or corrupt blocks"
        }
    }
}
