// Decoding and repair: any k shares → the data shares, or any missing shares.
extension ReedSolomonCode {
    /// The k data shares, rebuilt from any k or more of the n shares (keyed by share index).
    ///
    /// Present data shares are returned as given; missing ones are computed from the k lowest-
    /// indexed shares with the inverse of their generator rows (cached per erasure pattern).
    /// - Throws: `.shareIndexOutOfRange`, `.inconsistentShareSizes`, `.notEnoughShares`.
    public func decode(_ shares: [Int: [UInt8]]) throws(ErasureError) -> [[UInt8]] {
        let missing = (0..<dataShareCount).filter { shares[$0] == nil }
        let rebuilt = try reconstruct(missing: missing, from: shares)
        return (0..<dataShareCount).map { index in shares[index] ?? rebuilt[index] ?? [] }
    }

    /// The `byteCount` bytes that `encode(bytes:)` split, rebuilt from any k or more shares.
    ///
    /// - Throws: as `decode(_:)`, and `.invalidByteCount` when `byteCount` does not fit the shares.
    public func decode(_ shares: [Int: [UInt8]], byteCount: Int) throws(ErasureError) -> [UInt8] {
        let data = try decode(shares)
        let shareSize = data.first?.count ?? 0
        guard byteCount >= 0, shareByteCount(forByteCount: byteCount) == shareSize else {
            throw .invalidByteCount(byteCount: byteCount, capacity: shareSize * dataShareCount)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(shareSize * dataShareCount)
        for share in data { bytes.append(contentsOf: share) }
        bytes.removeLast(bytes.count - byteCount)
        return bytes
    }

    /// The shares at `missing` (data or parity, in any order, duplicates ignored), rebuilt from
    /// any k or more shares; used for repair. Indices in `missing` that are also given are
    /// recomputed, not copied.
    ///
    /// - Throws: `.shareIndexOutOfRange`, `.inconsistentShareSizes`, `.notEnoughShares`.
    public func reconstruct(missing: [Int], from shares: [Int: [UInt8]]) throws(ErasureError) -> [Int: [UInt8]] {
        let targets = try validatedTargets(missing)
        let byteCount = try validatedByteCount(shares.map { (index: $0.key, byteCount: $0.value.count) })
        let sources = Array(shares.keys.sorted().prefix(dataShareCount))
        guard !targets.isEmpty else { return [:] }
        guard byteCount > 0 else { return Dictionary(uniqueKeysWithValues: targets.map { ($0, [UInt8]()) }) }
        let matrix = try decodingMatrix(sources: sources, targets: targets)
        let inputs = sources.map { shares[$0] ?? [] }
        let outputs = ShareBuffers.withPointers(to: inputs) { inputPointers in
            ShareBuffers.makeShares(count: targets.count, byteCount: byteCount) { outputPointers in
                matrix.apply(kernel: kernel, inputs: inputPointers, outputs: outputPointers, byteCount: byteCount, accumulate: false)
            }
        }
        return Dictionary(uniqueKeysWithValues: zip(targets, outputs).map { ($0, $1) })
    }

    /// Writes the shares at `missing` into caller-owned buffers (one per index, same order),
    /// rebuilt from any k or more shares, allocating no share memory.
    ///
    /// - Throws: as `reconstruct(missing:from:)`; `.inconsistentShareSizes` also for output buffers.
    public func reconstruct(missing: [Int], from shares: [Int: UnsafeBufferPointer<UInt8>],
                            into outputs: [UnsafeMutableBufferPointer<UInt8>]) throws(ErasureError) {
        precondition(missing.count == outputs.count, "one output buffer per missing share")
        precondition(Set(missing).count == missing.count, "missing share indices must be distinct")
        let targets = try validatedTargets(missing)
        let byteCount = try validatedByteCount(shares.map { (index: $0.key, byteCount: $0.value.count) })
        for (index, output) in zip(missing, outputs) where output.count != byteCount {
            throw .inconsistentShareSizes(index: index, byteCount: output.count, expectedByteCount: byteCount)
        }
        let sources = Array(shares.keys.sorted().prefix(dataShareCount))
        guard !targets.isEmpty, byteCount > 0 else { return }
        let matrix = try decodingMatrix(sources: sources, targets: missing)
        // Non-empty buffers always have a base address.
        let inputs = sources.compactMap { shares[$0]?.baseAddress }
        matrix.apply(kernel: kernel, inputs: inputs, outputs: outputs.compactMap(\.baseAddress),
                     byteCount: byteCount, accumulate: false)
    }

    /// Distinct, in-range target indices in first-seen order.
    private func validatedTargets(_ missing: [Int]) throws(ErasureError) -> [Int] {
        var seen = Set<Int>()
        var targets: [Int] = []
        for index in missing {
            guard (0..<totalShareCount).contains(index) else {
                throw .shareIndexOutOfRange(index: index, totalShareCount: totalShareCount)
            }
            if seen.insert(index).inserted { targets.append(index) }
        }
        return targets
    }

    /// Checks the indices, lengths and number of the given shares; returns their common length.
    private func validatedByteCount(_ sizes: [(index: Int, byteCount: Int)]) throws(ErasureError) -> Int {
        let sorted = sizes.sorted { $0.index < $1.index }
        for size in sorted where !(0..<totalShareCount).contains(size.index) {
            throw .shareIndexOutOfRange(index: size.index, totalShareCount: totalShareCount)
        }
        let byteCount = try Self.commonByteCount(sorted)
        guard sorted.count >= dataShareCount else { throw .notEnoughShares(available: sorted.count, required: dataShareCount) }
        return byteCount
    }

    /// The prepared matrix mapping the k source shares to the target shares:
    /// rows `targets` of the generator times the inverse of rows `sources`.
    private func decodingMatrix(sources: [Int], targets: [Int]) throws(ErasureError) -> CoefficientMatrix {
        try decodeMatrices.matrix(for: .init(sources: sources, targets: targets)) { () throws(ErasureError) in
            guard let inverse = generator.selecting(rows: sources).inverted() else { throw .singularMatrix(shareIndices: sources) }
            let rows = generator.selecting(rows: targets).multiplied(by: inverse)
            return CoefficientMatrix(rows: rows.rows, columns: rows.columns, coefficients: rows.entries)
        }
    }
}
