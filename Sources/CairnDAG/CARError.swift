import CairnCore

/// Every way reading or writing a CAR v1 archive can fail; offsets are byte positions in the archive
/// and section indices count from 0 after the header.
public enum CARError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside the header or its length prefix.
    case truncatedHeader(offset: Int)
    /// The header length prefix exceeds `CARv1.maximumHeaderByteCount`.
    case headerTooLarge(byteCount: Int, limit: Int)
    /// The header is not a canonical DAG-CBOR `{"roots": [CID…], "version": 1}` map.
    case badHeader(reason: String)
    /// The header declares a version other than 1 (a CAR v2 pragma says 2).
    case unsupportedVersion(UInt64)
    /// A length prefix is not a valid minimal varint.
    case invalidLength(offset: Int, MultiformatError)
    /// The input ended inside a section.
    case truncatedSection(index: Int, offset: Int)
    /// A section length exceeds `CARv1.maximumSectionByteCount`.
    case sectionTooLarge(index: Int, offset: Int, byteCount: Int, limit: Int)
    /// A section has length zero, so it holds no CID.
    case emptySection(index: Int, offset: Int)
    /// A section does not start with a valid CID.
    case invalidCID(index: Int, offset: Int, MultiformatError)
    /// A block's bytes do not hash to its CID.
    case blockHashMismatch(cid: CID, index: Int, offset: Int)
    /// A block's CID uses a hash function that cannot be computed here.
    case unverifiableBlock(cid: CID, index: Int, offset: Int, reason: String)
    /// The byte source or output failed; `message` describes its error.
    case ioFailed(offset: Int, message: String)

    /// A one-line explanation for logs and CLI output.
    public var description: String {
        switch self {
        case .truncatedHeader(let offset): "CAR header truncated at byte \(offset)"
        case .headerTooLarge(let count, let limit): "CAR header is \(count) bytes, over the limit of \(limit)"
        case .badHeader(let reason): "bad CAR header: \(reason)"
        case .unsupportedVersion(let version): "unsupported CAR version \(version) (only 1 is read)"
        case .invalidLength(let offset, let error): "bad length prefix at byte \(offset): \(error)"
        case .truncatedSection(let index, let offset): "CAR section \(index) at byte \(offset) is truncated"
        case .sectionTooLarge(let index, let offset, let count, let limit):
            "CAR section \(index) at byte \(offset) is \(count) bytes, over the limit of \(limit)"
        case .emptySection(let index, let offset): "CAR section \(index) at byte \(offset) is empty"
        case .invalidCID(let index, let offset, let error): "CAR section \(index) at byte \(offset) has a bad CID: \(error)"
        case .blockHashMismatch(let cid, let index, let offset):
            "CAR section \(index) at byte \(offset): block does not match its CID \(cid)"
        case .unverifiableBlock(let cid, let index, let offset, let reason):
            "CAR section \(index) at byte \(offset): cannot verify \(cid): \(reason)"
        case .ioFailed(let offset, let message): "CAR I/O failed at byte \(offset): \(message)"
        }
    }
}
