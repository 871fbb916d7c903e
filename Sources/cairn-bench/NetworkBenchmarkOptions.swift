import Foundation

/// Options of `cairn-bench network`.
///
///     cairn-bench network [--size-mib 1024] [--runs 2] [--dht-nodes 30] [--keep]
struct NetworkBenchmarkOptions {
    /// Size of the transferred file in MiB (2^20 bytes); 1…65536.
    var sizeMiB = 1024
    /// Timed repetitions of each transfer figure, each with fresh fetching nodes; 1…20.
    var runs = 2
    /// Nodes in the devnet used for the DHT and memory figures; 3…200 (the devnet's own limit).
    var dhtNodes = 30
    /// Keep the work directory (repositories, daemon logs) instead of deleting it.
    var keep = false

    static let usage = "usage: cairn-bench network [--size-mib N] [--runs N] [--dht-nodes N] [--keep]\n"

    /// Parses the arguments after `network`; nil when they are not understood.
    init?(arguments: ArraySlice<String>) {
        var it = arguments.makeIterator()
        while let arg = it.next() {
            switch arg {
            case "--size-mib": guard let value = it.next().flatMap(Int.init) else { return nil }; sizeMiB = value
            case "--runs": guard let value = it.next().flatMap(Int.init) else { return nil }; runs = value
            case "--dht-nodes": guard let value = it.next().flatMap(Int.init) else { return nil }; dhtNodes = value
            case "--keep": keep = true
            default: return nil
            }
        }
        guard (1...65536).contains(sizeMiB), (1...20).contains(runs), (3...200).contains(dhtNodes) else { return nil }
    }
}
