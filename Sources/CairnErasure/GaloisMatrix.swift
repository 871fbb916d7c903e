/// A small dense matrix over GF(2^8) (at most 255×255), used to build generator and decoding
/// matrices; the bulk work on share bytes happens in `CoefficientMatrix` and the kernels.
struct GaloisMatrix: Equatable, Sendable {
    let rows: Int
    let columns: Int
    /// Row-major entries.
    private(set) var entries: [UInt8]

    init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        self.entries = [UInt8](repeating: 0, count: rows * columns)
    }

    init(rows: Int, columns: Int, entries: [UInt8]) {
        precondition(entries.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.entries = entries
    }

    /// The systematic n×k generator: the k×k identity over the (n−k)×k Cauchy matrix
    /// 1 / (x_i + y_j) with x_i = k + i and y_j = j. Every square submatrix of a Cauchy matrix is
    /// invertible, so every k rows of this matrix are.
    static func systematicCauchy(dataShareCount k: Int, totalShareCount n: Int) -> GaloisMatrix {
        var matrix = GaloisMatrix(rows: n, columns: k)
        for j in 0..<k { matrix[j, j] = 1 }
        for i in k..<n {
            for j in 0..<k { matrix[i, j] = GaloisField.inverse(UInt8(i) ^ UInt8(j)) }
        }
        return matrix
    }

    subscript(row: Int, column: Int) -> UInt8 {
        get { entries[row * columns + column] }
        set { entries[row * columns + column] = newValue }
    }

    /// The matrix made of the given rows, in the given order.
    func selecting(rows selected: [Int]) -> GaloisMatrix {
        var result = GaloisMatrix(rows: selected.count, columns: columns)
        for (r, source) in selected.enumerated() {
            for c in 0..<columns { result[r, c] = self[source, c] }
        }
        return result
    }

    /// The product self × other.
    func multiplied(by other: GaloisMatrix) -> GaloisMatrix {
        precondition(columns == other.rows)
        var result = GaloisMatrix(rows: rows, columns: other.columns)
        for r in 0..<rows {
            for i in 0..<columns {
                let a = self[r, i]
                if a == 0 { continue }
                for c in 0..<other.columns {
                    result[r, c] ^= GaloisField.multiply(a, other[i, c])
                }
            }
        }
        return result
    }

    /// The inverse by Gauss–Jordan elimination, or nil when the matrix is singular.
    func inverted() -> GaloisMatrix? {
        precondition(rows == columns, "only square matrices have inverses")
        let n = rows
        var work = self
        var inverse = GaloisMatrix(rows: n, columns: n)
        for i in 0..<n { inverse[i, i] = 1 }
        for column in 0..<n {
            guard let pivot = (column..<n).first(where: { work[$0, column] != 0 }) else { return nil }
            if pivot != column {
                work.swapRows(pivot, column)
                inverse.swapRows(pivot, column)
            }
            let scale = GaloisField.inverse(work[column, column])
            work.scaleRow(column, by: scale)
            inverse.scaleRow(column, by: scale)
            for row in 0..<n where row != column {
                let factor = work[row, column]
                if factor == 0 { continue }
                work.addRow(column, scaledBy: factor, to: row)
                inverse.addRow(column, scaledBy: factor, to: row)
            }
        }
        return inverse
    }

    private mutating func swapRows(_ a: Int, _ b: Int) {
        for c in 0..<columns { entries.swapAt(a * columns + c, b * columns + c) }
    }

    private mutating func scaleRow(_ row: Int, by factor: UInt8) {
        for c in 0..<columns { self[row, c] = GaloisField.multiply(self[row, c], factor) }
    }

    private mutating func addRow(_ source: Int, scaledBy factor: UInt8, to destination: Int) {
        for c in 0..<columns { self[destination, c] ^= GaloisField.multiply(self[source, c], factor) }
    }
}
