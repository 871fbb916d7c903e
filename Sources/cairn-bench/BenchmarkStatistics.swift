import Foundation

/// Summaries of repeated measurements.
enum BenchmarkStatistics {
    /// The `fraction` quantile (0…1) of `values` by the nearest-rank method; 0 for no values.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// The median (upper middle for an even count); 0 for no values.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        return values.sorted()[values.count / 2]
    }

    /// Whether the files at `first` and `second` hold the same bytes, read 4 MiB at a time.
    /// - Throws: ``BenchmarkError`` when either cannot be opened.
    static func filesAreIdentical(_ first: String, _ second: String) throws -> Bool {
        guard let a = FileHandle(forReadingAtPath: first), let b = FileHandle(forReadingAtPath: second) else {
            throw BenchmarkError(message: "cannot open \(first) or \(second) to compare them")
        }
        defer {
            try? a.close()
            try? b.close()
        }
        let pieceBytes = 4 << 20
        while true {
            let left = try a.read(upToCount: pieceBytes) ?? Data()
            let right = try b.read(upToCount: pieceBytes) ?? Data()
            guard left == right else { return false }
            if left.isEmpty { return true }
        }
    }
}
