/// Every error CairnErasure throws, each carrying the values that explain it.
public enum ErasureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// k and n do not satisfy 1 ≤ k < n ≤ 255.
    case invalidParameters(dataShareCount: Int, totalShareCount: Int)
    /// `encode` was given a number of data shares other than k.
    case wrongDataShareCount(given: Int, expected: Int)
    /// `encode` was given a number of parity buffers other than n − k.
    case wrongParityShareCount(given: Int, expected: Int)
    /// Decoding needs at least k distinct shares.
    case notEnoughShares(available: Int, required: Int)
    /// Shares of one stripe must all have the same length.
    case inconsistentShareSizes(index: Int, byteCount: Int, expectedByteCount: Int)
    /// A share index is outside 0..<n.
    case shareIndexOutOfRange(index: Int, totalShareCount: Int)
    /// A byte count does not fit the shares (for example, more bytes than k shares hold).
    case invalidByteCount(byteCount: Int, capacity: Int)
    /// A decoding matrix had no inverse; impossible for a Cauchy-derived matrix, so a bug.
    case singularMatrix(shareIndices: [Int])

    public var description: String {
        switch self {
        case let .invalidParameters(k, n):
            "invalid Reed–Solomon parameters k=\(k), n=\(n): need 1 ≤ k < n ≤ 255"
        case let .wrongDataShareCount(given, expected):
            "encode was given \(given) data shares but the code has k=\(expected)"
        case let .wrongParityShareCount(given, expected):
            "encode was given \(given) parity buffers but the code has n − k = \(expected)"
        case let .notEnoughShares(available, required):
            "only \(available) distinct shares available, at least k=\(required) are needed to decode"
        case let .inconsistentShareSizes(index, byteCount, expected):
            "share \(index) has \(byteCount) bytes but the other shares have \(expected): shares of one stripe must be equal in length"
        case let .shareIndexOutOfRange(index, n):
            "share index \(index) is outside 0..<\(n)"
        case let .invalidByteCount(byteCount, capacity):
            "byte count \(byteCount) does not fit shares holding \(capacity) bytes"
        case let .singularMatrix(indices):
            "the decoding matrix for shares \(indices) is singular (a bug: Cauchy submatrices are always invertible)"
        }
    }
}
