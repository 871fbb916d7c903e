import CairnCore
import Foundation

/// Deterministic test inputs shared by the unit, CLI and interop suites.
public enum TestData {
    /// The "pat" file of the CID tables: byte `i` is `i % 251` (251 is prime, so chunks never repeat).
    public static func pattern(count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count { out[i] = UInt8(i % 251) }
        return out
    }

    /// Writes the "pat" bytes to `path` in 1 MiB pieces (bounded memory for large sizes).
    public static func writePattern(count: Int, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let piece = 251 * 4177  // a multiple of 251 so pieces continue the pattern
        let block = pattern(count: piece)
        var written = 0
        while written < count {
            let n = min(piece, count - written)
            try handle.write(contentsOf: block[0..<n])
            written += n
        }
    }

    /// Writes `count` seeded pseudo-random bytes to `path` in 1 MiB pieces.
    public static func writeRandom(count: Int, seed: UInt64, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var rng = SeededRandom(seed: seed)
        var written = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while written < count {
            let n = min(buffer.count, count - written)
            rng.fill(&buffer)
            try handle.write(contentsOf: buffer[0..<n])
            written += n
        }
    }
}

/// A small, fast, seedable generator (SplitMix64) so every randomized test can be replayed from its seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator; the same seed always gives the same sequence.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Fills `buffer` with random bytes (eight at a time, little-endian words).
    public mutating func fill(_ buffer: inout [UInt8]) {
        let count = buffer.count
        buffer.withUnsafeMutableBytes { raw in
            var i = 0
            while i + 8 <= count {
                raw.storeBytes(of: next().littleEndian, toByteOffset: i, as: UInt64.self)
                i += 8
            }
            var word = next()
            while i < count {
                raw[i] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                i += 1
            }
        }
    }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        fill(&out)
        return out
    }
}

extension TestData {
    /// Bytes from a hex test vector; spaces, newlines and `#` comments (to the end of a line) are
    /// ignored, so vectors can be laid out field by field with their meaning beside them.
    /// A malformed vector is a bug in the test, so it stops the test run.
    public static func hex(_ text: String) -> [UInt8] {
        let digits = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
            .joined()
            .filter { !$0.isWhitespace }
        guard let bytes = try? Base16.decode(String(digits)) else {
            preconditionFailure("malformed hex test vector: \(text)")
        }
        return bytes
    }
}
