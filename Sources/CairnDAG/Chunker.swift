/// A chunking strategy for file data; only kubo's fixed-size splitter is implemented.
///
/// Parsing follows boxo `chunker/parse.go`: `""` and `"default"` mean `size-262144`; `size-N` needs
/// 0 < N ≤ `DAGLimits.maximumChunkByteCount` (1 MiB). Rabin and buzhash are rejected.
public enum Chunker: Sendable, Equatable, CustomStringConvertible {
    /// Fixed-size chunks of `byteCount` bytes; the last chunk may be shorter.
    case fixedSize(byteCount: Int)

    /// Kubo's default: `size-262144`.
    public static let `default` = Chunker.fixedSize(byteCount: DAGLimits.defaultChunkByteCount)

    /// Parses a chunker string such as `size-1048576`.
    /// - Throws: `DAGError.invalidChunker` for unknown strategies, non-numeric, zero, negative or oversized sizes.
    public init(parsing text: String) throws(DAGError) {
        if text.isEmpty || text == "default" {
            self = .default
            return
        }
        guard text.hasPrefix("size-") else {
            throw .invalidChunker(text, reason: "only size-N is supported")
        }
        guard let size = Int(text.dropFirst(5)) else {
            throw .invalidChunker(text, reason: "size is not a decimal integer")
        }
        try self.init(byteCount: size, text: text)
    }

    /// Creates a fixed-size chunker after checking the size limits.
    /// - Throws: `DAGError.invalidChunker` unless 0 < `byteCount` ≤ 1 MiB.
    public init(byteCount: Int) throws(DAGError) {
        try self.init(byteCount: byteCount, text: "size-\(byteCount)")
    }

    private init(byteCount: Int, text: String) throws(DAGError) {
        guard byteCount > 0 else { throw .invalidChunker(text, reason: "chunk size must be greater than 0") }
        guard byteCount <= DAGLimits.maximumChunkByteCount else {
            throw .invalidChunker(text, reason: "chunk size must be at most \(DAGLimits.maximumChunkByteCount)")
        }
        self = .fixedSize(byteCount: byteCount)
    }

    /// The chunk size in bytes.
    public var byteCount: Int {
        switch self {
        case .fixedSize(let n): n
        }
    }

    /// The kubo spelling, `size-N`.
    public var description: String { "size-\(byteCount)" }
}
