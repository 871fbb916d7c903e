/// A systematic Reed–Solomon k-of-n erasure code over GF(2^8) (see docs/specs/erasure.md).
///
/// Shares 0..<k are the data itself; shares k..<n are parity, row i of the Cauchy matrix
/// 1 / (i + j) applied to the data. Any k of the n shares rebuild the data. The code is a value:
/// copies share one bounded cache of decoding matrices and are safe to use from any thread.
///
///     let code = try ReedSolomonCode(dataShareCount: 10, totalShareCount: 20)
///     let shares = try code.encode(bytes: file)            // 20 shares
///     let data = try code.decode([0: shares[0], 13: shares[13], ...], byteCount: file.count)
public struct ReedSolomonCode: Sendable, Equatable, CustomStringConvertible {
    /// The largest n: GF(2^8) has 256 elements and the Cauchy construction needs n distinct ones.
    public static let maximumTotalShareCount = 255
    /// Erasure patterns whose decoding matrices are kept (see `DecodeMatrixCache`).
    public static let decodeMatrixCacheCapacity = 64

    /// k: the number of data shares, and of shares needed to decode.
    public let dataShareCount: Int
    /// n: the number of shares, data and parity.
    public let totalShareCount: Int
    /// The kernel this code runs its multiply-accumulate loops on.
    public let kernel: ErasureKernel

    /// The n×k generator matrix, identity on top.
    let generator: GaloisMatrix
    /// Rows k..<n of the generator, prepared for the kernel.
    let parityMatrix: CoefficientMatrix
    let decodeMatrices: DecodeMatrixCache

    /// Creates the k-of-n code; throws `.invalidParameters` unless 1 ≤ k < n ≤ 255.
    ///
    /// - Parameter kernel: defaults to `ErasureKernel.preferred` (the fastest, or portable when
    ///   `CAIRN_ERASURE_PORTABLE=1`); an unsupported kernel is a programmer error.
    public init(dataShareCount k: Int, totalShareCount n: Int, kernel: ErasureKernel = .preferred) throws(ErasureError) {
        guard k >= 1, k < n, n <= Self.maximumTotalShareCount else {
            throw .invalidParameters(dataShareCount: k, totalShareCount: n)
        }
        precondition(kernel.isSupported, "the \(kernel) kernel does not run on this CPU")
        dataShareCount = k
        totalShareCount = n
        self.kernel = kernel
        generator = GaloisMatrix.systematicCauchy(dataShareCount: k, totalShareCount: n)
        parityMatrix = CoefficientMatrix(rows: n - k, columns: k, coefficients: Array(generator.entries[(k * k)...]))
        decodeMatrices = DecodeMatrixCache(capacity: Self.decodeMatrixCacheCapacity)
    }

    /// n − k: the number of parity shares, and of shares that may be lost.
    public var parityShareCount: Int { totalShareCount - dataShareCount }

    /// The same code running on another kernel (sharing nothing mutable with this one).
    public func using(kernel: ErasureKernel) -> ReedSolomonCode {
        do {
            return try ReedSolomonCode(dataShareCount: dataShareCount, totalShareCount: totalShareCount, kernel: kernel)
        } catch {
            preconditionFailure("parameters of an existing code are valid: \(error)")
        }
    }

    /// The generator coefficient of share `shareIndex` for data share `dataIndex`.
    public func coefficient(shareIndex: Int, dataIndex: Int) -> UInt8 { generator[shareIndex, dataIndex] }

    /// Bytes per share when `byteCount` bytes are split into k shares: ⌈byteCount / k⌉.
    public func shareByteCount(forByteCount byteCount: Int) -> Int {
        (byteCount + dataShareCount - 1) / dataShareCount
    }

    public var description: String { "ReedSolomonCode(k: \(dataShareCount), n: \(totalShareCount), kernel: \(kernel))" }

    public static func == (lhs: ReedSolomonCode, rhs: ReedSolomonCode) -> Bool {
        lhs.dataShareCount == rhs.dataShareCount && lhs.totalShareCount == rhs.totalShareCount && lhs.kernel == rhs.kernel
    }
}

// MARK: - Encoding

extension ReedSolomonCode {
    /// The n − k parity shares of k equal-length data shares.
    ///
    /// - Throws: `.wrongDataShareCount` unless exactly k shares are given,
    ///   `.inconsistentShareSizes` unless all have one length.
    public func encode(_ data: [[UInt8]]) throws(ErasureError) -> [[UInt8]] {
        guard data.count == dataShareCount else { throw .wrongDataShareCount(given: data.count, expected: dataShareCount) }
        let byteCount = try Self.commonByteCount(data.enumerated().map { ($0.offset, $0.element.count) })
        guard byteCount > 0 else { return Array(repeating: [], count: parityShareCount) }
        return ShareBuffers.withPointers(to: data) { inputs in
            ShareBuffers.makeShares(count: parityShareCount, byteCount: byteCount) { outputs in
                parityMatrix.apply(kernel: kernel, inputs: inputs, outputs: outputs, byteCount: byteCount, accumulate: false)
            }
        }
    }

    /// Splits `bytes` into k shares of `shareByteCount(forByteCount:)` bytes (the last zero-padded)
    /// and returns all n shares, data first; `decode(_:byteCount:)` reverses it.
    public func encode(bytes: [UInt8]) -> [[UInt8]] {
        let shareSize = shareByteCount(forByteCount: bytes.count)
        let data = (0..<dataShareCount).map { index -> [UInt8] in
            let start = min(index * shareSize, bytes.count)
            let end = min(start + shareSize, bytes.count)
            var share = Array(bytes[start..<end])
            if share.count < shareSize { share.append(contentsOf: repeatElement(0, count: shareSize - share.count)) }
            return share
        }
        do {
            return data + (try encode(data))
        } catch {
            preconditionFailure("shares split here have equal sizes: \(error)")
        }
    }

    /// Writes the n − k parity shares of k data shares into caller-owned buffers, allocating nothing
    /// per call; every buffer must have the same count.
    ///
    /// - Throws: `.wrongDataShareCount` or `.wrongParityShareCount` for a wrong number of buffers,
    ///   `.inconsistentShareSizes` for buffers of different lengths.
    public func encode(data: [UnsafeBufferPointer<UInt8>], parity: [UnsafeMutableBufferPointer<UInt8>]) throws(ErasureError) {
        guard data.count == dataShareCount else { throw .wrongDataShareCount(given: data.count, expected: dataShareCount) }
        guard parity.count == parityShareCount else {
            throw .wrongParityShareCount(given: parity.count, expected: parityShareCount)
        }
        let sizes = data.enumerated().map { ($0.offset, $0.element.count) }
            + parity.enumerated().map { (dataShareCount + $0.offset, $0.element.count) }
        let byteCount = try Self.commonByteCount(sizes)
        guard byteCount > 0 else { return }
        // Non-empty buffers always have a base address.
        let inputs = data.compactMap(\.baseAddress)
        let outputs = parity.compactMap(\.baseAddress)
        parityMatrix.apply(kernel: kernel, inputs: inputs, outputs: outputs, byteCount: byteCount, accumulate: false)
    }

    /// The one length shared by all `(index, byteCount)` pairs (0 for none).
    static func commonByteCount(_ sizes: [(index: Int, byteCount: Int)]) throws(ErasureError) -> Int {
        guard let first = sizes.first else { return 0 }
        for size in sizes where size.byteCount != first.byteCount {
            throw .inconsistentShareSizes(index: size.index, byteCount: size.byteCount, expectedByteCount: first.byteCount)
        }
        return first.byteCount
    }
}
