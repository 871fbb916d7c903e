/// Bridges `[[UInt8]]` shares to the pointer lists the kernels take, without copying share bytes.
enum ShareBuffers {
    /// Calls `body` with a base pointer for each array (arrays must all be non-empty).
    static func withPointers<R, E: Error>(to arrays: [[UInt8]], _ body: ([UnsafePointer<UInt8>]) throws(E) -> R) throws(E) -> R {
        var pointers: [UnsafePointer<UInt8>] = []
        pointers.reserveCapacity(arrays.count)
        return try withPointers(to: arrays, from: 0, collecting: &pointers, body)
    }

    private static func withPointers<R, E: Error>(to arrays: [[UInt8]], from index: Int, collecting pointers: inout [UnsafePointer<UInt8>],
                                                  _ body: ([UnsafePointer<UInt8>]) throws(E) -> R) throws(E) -> R {
        if index == arrays.count { return try body(pointers) }
        return try arrays[index].withUnsafeBufferPointer { (buffer) throws(E) -> R in
            guard let base = buffer.baseAddress else { preconditionFailure("empty share passed to a kernel") }
            pointers.append(base)
            return try withPointers(to: arrays, from: index + 1, collecting: &pointers, body)
        }
    }

    /// Makes `count` arrays of `byteCount` bytes each, all filled by one call of `fill` (which must
    /// write every byte), without zero-filling them first.
    static func makeShares(count: Int, byteCount: Int, _ fill: ([UnsafeMutablePointer<UInt8>]) -> Void) -> [[UInt8]] {
        guard count > 0 else { return [] }
        guard byteCount > 0 else { return Array(repeating: [], count: count) }
        var pointers: [UnsafeMutablePointer<UInt8>] = []
        pointers.reserveCapacity(count)
        var shares: [[UInt8]] = []
        shares.reserveCapacity(count)
        makeShares(remaining: count, byteCount: byteCount, pointers: &pointers, shares: &shares, fill)
        return shares.reversed()
    }

    /// Allocates one share per level of recursion so that all are alive when `fill` runs; shares
    /// are appended innermost first.
    private static func makeShares(remaining: Int, byteCount: Int, pointers: inout [UnsafeMutablePointer<UInt8>],
                                   shares: inout [[UInt8]], _ fill: ([UnsafeMutablePointer<UInt8>]) -> Void) {
        if remaining == 0 {
            fill(pointers)
            return
        }
        let share = [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            guard let base = buffer.baseAddress else { preconditionFailure("allocation of \(byteCount) bytes has no address") }
            pointers.append(base)
            makeShares(remaining: remaining - 1, byteCount: byteCount, pointers: &pointers, shares: &shares, fill)
            initialized = byteCount
        }
        shares.append(share)
    }
}
