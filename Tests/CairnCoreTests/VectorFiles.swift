import Foundation
import Testing

/// Loads the published vector files committed under `Vectors/`.
enum VectorFiles {
    /// The text of `Vectors/<path>`.
    static func text(_ path: String) throws -> String {
        guard let root = Bundle.module.url(forResource: "Vectors", withExtension: nil) else {
            throw VectorFileError.missingResources
        }
        return try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Bytes from lower- or upper-case hex, for test fixtures only.
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8).filter { !$0.isWhitespace }
        var out: [UInt8] = []
        var i = 0
        while i + 1 < digits.count {
            out.append(UInt8(nibble(digits[i]) << 4 | nibble(digits[i + 1])))
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: 0
        }
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0a || self == 0x0d || self == 0x09 }
}

/// The vector directory was not bundled with the test target.
enum VectorFileError: Error { case missingResources }
