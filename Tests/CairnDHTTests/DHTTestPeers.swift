import CairnCore
import CairnTestSupport
import Foundation
import Testing

@testable import CairnDHT

/// Seeded test peers and hex helpers shared by the DHT tests.
enum DHTTestPeers {
    /// An Ed25519-style peer ID (`00 24 08 01 12 20 ‖ 32 random bytes`), as kubo's `12D3KooW…` IDs are.
    static func random(using rng: inout SeededRandom) -> DHTPeerID {
        let bytes: [UInt8] = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20] + rng.bytes(32)
        return DHTPeerID(unvalidatedForTesting: bytes)
    }

    /// `count` distinct random peers.
    static func many(_ count: Int, seed: UInt64) -> [DHTPeerID] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in random(using: &rng) }
    }

    /// Bytes from hex with spaces and `#`-comments removed (one commented field per line).
    static func hex(_ text: String) -> [UInt8] {
        let cleaned = text.split(separator: "\n").map { line in
            line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        }.joined().filter { !$0.isWhitespace }
        return (try? Base16.decode(cleaned)) ?? []
    }

    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)
}

extension DHTPeerID {
    /// Test-only: wraps bytes known to be a valid multihash.
    init(unvalidatedForTesting bytes: [UInt8]) {
        guard let id = try? DHTPeerID(bytes: bytes) else { preconditionFailure("invalid test peer ID") }
        self = id
    }
}

/// `#expect(a == b)` for values computed by mutating calls, which the macro cannot capture.
func expectEqual<T: Equatable>(_ actual: T, _ expected: T, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual == expected, sourceLocation: sourceLocation)
}
