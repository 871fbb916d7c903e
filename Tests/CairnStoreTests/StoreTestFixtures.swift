import CairnCore
import Foundation
import Testing
@testable import CairnStore

/// A fresh directory under the system temp dir, removed when the value is deinitialised.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "store") throws {
        let base = FileManager.default.temporaryDirectory.path
        let template = base + "/cairn-\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else { throw StoreError.io(operation: "mkdtemp", path: template, errno: errno) }
        path = String(cString: created)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The two BlockStore implementations every conformance test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case file, memory
    var testDescription: String { rawValue }
}

/// Builds a store of `kind`, keeping its temp dir alive with it.
struct StoreUnderTest {
    let directory: TemporaryDirectory
    let store: any BlockStore

    init(_ kind: StoreKind) throws {
        directory = try TemporaryDirectory(kind.rawValue)
        switch kind {
        case .file: store = try FileBlockStore(directory: directory.path + "/blocks")
        case .memory: store = MemoryBlockStore()
        }
    }
}

/// Deterministic test content: `size` bytes derived from `seed` with a 64-bit LCG.
func testBytes(seed: UInt64, size: Int) -> [UInt8] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<size).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
}

/// A raw CIDv1 block of `size` deterministic bytes.
func rawBlock(seed: UInt64, size: Int = 1024) throws -> Block {
    try Block(data: testBytes(seed: seed, size: size), codec: .raw, version: .v1)
}

/// Files directly inside `path` (none when it does not exist).
func filesIn(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}
