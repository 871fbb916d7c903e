import Foundation

/// Options of `cairn-bench storage-network`.
///
///     cairn-bench storage-network [--size-mib 1024] [--providers 12] [--shares 6/12] [--reads 20] [--keep]
struct StorageNetworkOptions {
    /// Size of the large file in MiB (2^20 bytes); 1…65536.
    var sizeMiB = 1024
    /// Provider daemons started at first (spares for the repair figure come on top); 1…100.
    var providerCount = 12
    /// k of the erasure code; 1 ≤ k < n.
    var dataShares = 6
    /// n of the erasure code; at most 256.
    var totalShares = 12
    /// Reads of the small file per latency figure; 1…1000.
    var reads = 20
    /// Keep the work directory (repositories, daemon logs) instead of deleting it.
    var keep = false

    static let usage = "usage: cairn-bench storage-network [--size-mib N] [--providers M] [--shares K/N] [--reads R] [--keep]\n"

    /// Parses the arguments after `storage-network`; nil when they are not understood.
    init?(arguments: ArraySlice<String>) {
        var it = arguments.makeIterator()
        while let arg = it.next() {
            switch arg {
            case "--size-mib": guard let value = it.next().flatMap(Int.init) else { return nil }; sizeMiB = value
            case "--providers": guard let value = it.next().flatMap(Int.init) else { return nil }; providerCount = value
            case "--reads": guard let value = it.next().flatMap(Int.init) else { return nil }; reads = value
            case "--shares":
                let parts = it.next()?.split(separator: "/").compactMap { Int($0) } ?? []
                guard parts.count == 2 else { return nil }
                dataShares = parts[0]
                totalShares = parts[1]
            case "--keep": keep = true
            default: return nil
            }
        }
        guard (1...65536).contains(sizeMiB), (1...100).contains(providerCount), (1...1000).contains(reads),
              dataShares >= 1, dataShares < totalShares, totalShares <= 256 else { return nil }
    }

    /// MiB each provider offers (`--provide`): its column of the large file (size / k, rounded up, plus a
    /// quarter for padding and hash tables) twice over — a provider may take a repaired column too — and
    /// 64 MiB for the small file; at least 512 MiB.
    var provideMiB: Int {
        let column = (sizeMiB + dataShares - 1) / dataShares
        return max(512, 2 * (column + column / 4) + 64)
    }
}
