#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A one-line progress display on standard error (bytes, rate, ETA), shown only when stderr is a
/// terminal so scripts and pipes see nothing. Redraws at most ten times a second.
final class ProgressBar: @unchecked Sendable {
    // @unchecked Sendable: all mutable state is guarded by `lock`; updates may come from worker threads.
    private let lock = NSLock()
    private let label: String
    private let total: Int64?
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var done: Int64 = 0
    private var drewSomething = false

    /// Creates a bar; it stays silent unless stderr is a TTY and `total` (when known) is at least `minimumBytes`.
    init(label: String, total: Int64?, minimumBytes: Int64 = 4 << 20, quiet: Bool = false) {
        self.label = label
        self.total = total
        self.enabled = !quiet && isatty(STDERR_FILENO) == 1 && (total ?? Int64.max) >= minimumBytes
    }

    /// Records `bytes` more done.
    func advance(by bytes: Int64) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += bytes
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = now
        draw(now: now)
    }

    /// Clears the line when the work is finished.
    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if drewSomething { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func draw(now: ContinuousClock.Instant) {
        let elapsed = max((now - start) / .seconds(1), 0.001)
        let rate = Double(done) / elapsed
        var line = "\r\u{1B}[2K\(label) \(ByteFormat.human(done))"
        if let total, total > 0 {
            let fraction = min(Double(done) / Double(total), 1)
            let width = 30
            let filled = Int(fraction * Double(width))
            line += " / \(ByteFormat.human(total)) [" + String(repeating: "#", count: filled)
                + String(repeating: " ", count: width - filled) + "] \(Int(fraction * 100))%"
            if rate > 0 {
                line += " ETA \(Int((Double(total - done) / rate).rounded()))s"
            }
        }
        line += " \(ByteFormat.human(Int64(rate)))/s"
        FileHandle.standardError.write(Data(line.utf8))
        drewSomething = true
    }
}

/// Human-readable byte counts (KiB, MiB, GiB).
enum ByteFormat {
    static func human(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
