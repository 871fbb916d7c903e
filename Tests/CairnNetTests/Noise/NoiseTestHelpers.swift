import CairnTestSupport
import CairnCore

/// Decodes a hex constant; the vectors are fixed, so a bad one is a test bug.
func noiseHex(_ text: String) -> [UInt8] {
    TestData.hex(text)
}

/// A generator that replays fixed bytes as little-endian `UInt64`s, so a state machine that draws
/// its X25519 keys from a generator uses exactly the keys of a recorded transcript.
struct NoiseFixedBytesGenerator: RandomNumberGenerator {
    private var bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        precondition(bytes.count % 8 == 0, "whole UInt64s only")
        self.bytes = bytes
    }

    mutating func next() -> UInt64 {
        precondition(bytes.count >= 8, "NoiseFixedBytesGenerator ran out of bytes")
        var value: UInt64 = 0
        for (index, byte) in bytes.prefix(8).enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        bytes.removeFirst(8)
        return value
    }
}
