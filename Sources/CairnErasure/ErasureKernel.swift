import CCairnErasureKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which implementation of the GF(2^8) multiply-accumulate loop runs; every kernel gives
/// byte-identical results, they differ only in speed.
public enum ErasureKernel: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// One lookup in the 256×256 multiplication table per byte; runs everywhere.
    case portable = 0
    /// Split-nibble tables with SSSE3 `pshufb`, 16 bytes per instruction.
    case ssse3 = 1
    /// Split-nibble tables with AVX2 `vpshufb`, 32 bytes per instruction.
    case avx2 = 2

    /// The environment variable that, set to `1`, makes `preferred` the portable kernel.
    public static let portableEnvironmentVariable = "CAIRN_ERASURE_PORTABLE"

    /// The fastest kernel this CPU runs, ignoring the environment.
    public static let fastest: ErasureKernel = ErasureKernel(rawValue: cairn_ec_best_kernel()) ?? .portable

    /// The kernel codes use by default: `fastest`, or `portable` when `CAIRN_ERASURE_PORTABLE=1`.
    public static let preferred: ErasureKernel = {
        if let value = getenv(portableEnvironmentVariable), String(cString: value) == "1" { return .portable }
        return fastest
    }()

    /// Whether this CPU can run the kernel.
    public var isSupported: Bool { cairn_ec_kernel_supported(rawValue) != 0 }

    public var description: String {
        switch self {
        case .portable: "portable"
        case .ssse3: "ssse3"
        case .avx2: "avx2"
        }
    }

    /// Computes `destination = (accumulate ? destination : 0) ^ coefficient · source` over equal-length buffers.
    public func multiply(_ coefficient: UInt8, _ source: UnsafeBufferPointer<UInt8>,
                         into destination: UnsafeMutableBufferPointer<UInt8>, accumulate: Bool) {
        precondition(source.count == destination.count, "source and destination lengths differ")
        let matrix = CoefficientMatrix(rows: 1, columns: 1, coefficients: [coefficient])
        guard let input = source.baseAddress, let output = destination.baseAddress else { return }
        matrix.apply(kernel: self, inputs: [input], outputs: [output], byteCount: source.count, accumulate: accumulate)
    }
}

/// A rows×columns matrix over GF(2^8) prepared for the kernels: its coefficients plus the 32-byte
/// split-nibble table of each one.
struct CoefficientMatrix: Sendable {
    let rows: Int
    let columns: Int
    /// Row-major, rows·columns entries.
    let coefficients: [UInt8]
    /// rows·columns·32 bytes, see `GaloisField.nibbleTable`.
    let nibbleTables: [UInt8]

    init(rows: Int, columns: Int, coefficients: [UInt8]) {
        precondition(coefficients.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.coefficients = coefficients
        var tables = [UInt8]()
        tables.reserveCapacity(coefficients.count * 32)
        for coefficient in coefficients { tables.append(contentsOf: GaloisField.nibbleTable(coefficient)) }
        self.nibbleTables = tables
    }

    /// `outputs[r] = (accumulate ? outputs[r] : 0) ^ Σ_c self[r, c] · inputs[c]` over `byteCount` bytes each.
    func apply(kernel: ErasureKernel, inputs: [UnsafePointer<UInt8>], outputs: [UnsafeMutablePointer<UInt8>],
               byteCount: Int, accumulate: Bool) {
        precondition(inputs.count == columns && outputs.count == rows)
        precondition(kernel.isSupported, "the \(kernel) kernel does not run on this CPU")
        guard byteCount > 0, rows > 0 else { return }
        coefficients.withUnsafeBufferPointer { coefficientBuffer in
            nibbleTables.withUnsafeBufferPointer { nibbleBuffer in
                GaloisField.multiplicationTable.withUnsafeBufferPointer { tableBuffer in
                    inputs.map { Optional($0) }.withUnsafeBufferPointer { inputBuffer in
                        outputs.map { Optional($0) }.withUnsafeBufferPointer { outputBuffer in
                            cairn_ec_matrix_multiply(kernel.rawValue, rows, columns, coefficientBuffer.baseAddress,
                                                     tableBuffer.baseAddress, nibbleBuffer.baseAddress,
                                                     inputBuffer.baseAddress, outputBuffer.baseAddress,
                                                     byteCount, accumulate ? 1 : 0)
                        }
                    }
                }
            }
        }
    }
}
