import CairnTestSupport
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
        TestData.hex(text)
    }
}

/// The vector directory was not bundled with the test target.
enum VectorFileError: Error { case missingResources }
