import Synchronization

/// A bounded cache of prepared decoding matrices, keyed by which shares are used and which are
/// rebuilt: inverting a k×k matrix costs O(k³) table lookups (about 2 ms at k = 128), paid once
/// per erasure pattern instead of once per stripe.
///
/// Shared by every copy of a `ReedSolomonCode`; a `Mutex` guards it because it is a tiny leaf
/// cache (STYLE rule 3) that never calls out while locked.
final class DecodeMatrixCache: Sendable {
    /// Which shares a decoding matrix reads and which it produces.
    struct Key: Hashable, Sendable {
        let sources: [Int]
        let targets: [Int]
    }

    private struct State {
        var matrices: [Key: CoefficientMatrix] = [:]
        /// Insertion order, oldest first, for first-in-first-out eviction.
        var order: [Key] = []
    }

    /// The most matrices kept; a busy repair pattern mix stays well under it, and each entry is at
    /// most 255·255·33 bytes (about 2 MiB) at the largest codes.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Number of matrices held (for tests).
    var count: Int { state.withLock { $0.matrices.count } }

    /// The cached matrix for `key`, or the one `make` builds, which is then cached.
    func matrix(for key: Key, make: () throws(ErasureError) -> CoefficientMatrix) throws(ErasureError) -> CoefficientMatrix {
        if let cached = state.withLock({ $0.matrices[key] }) { return cached }
        let matrix = try make()
        state.withLock { state in
            guard state.matrices[key] == nil else { return }
            if state.order.count >= capacity {
                let oldest = state.order.removeFirst()
                state.matrices[oldest] = nil
            }
            state.matrices[key] = matrix
            state.order.append(key)
        }
        return matrix
    }
}
