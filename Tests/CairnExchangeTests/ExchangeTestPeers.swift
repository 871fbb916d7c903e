import CairnCore
import CairnCrypto
import CairnTestSupport

/// Seeded peers and blocks shared by the scheduler, service and simulator tests.
enum ExchangeTestPeers {
    /// An Ed25519-style peer ID (`00 24 08 01 12 20 ‖ 32 random bytes`), as kubo's `12D3KooW…` IDs are.
    static func random(using rng: inout SeededRandom) -> PeerID {
        let bytes: [UInt8] = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20] + rng.bytes(32)
        guard let peer = try? PeerID(bytes: bytes) else { preconditionFailure("invalid test peer ID") }
        return peer
    }

    /// `count` distinct peers, sorted (the scheduler breaks ties by peer order).
    static func many(_ count: Int, seed: UInt64) -> [PeerID] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in random(using: &rng) }.sorted()
    }

    /// A raw CIDv1 block with the text `block <index>` repeated to `byteCount` bytes.
    static func block(_ index: Int, byteCount: Int = 64) -> Block {
        let seed = Array("block \(index) ".utf8)
        let data = (0..<byteCount).map { seed[$0 % seed.count] }
        guard let block = try? Block(data: data, codec: .raw, version: .v1) else { preconditionFailure("raw block") }
        return block
    }
}
