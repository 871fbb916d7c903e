import CairnTestSupport
import CairnCore

/// Shared values for the Bitswap tests.
enum BitswapTestVectors {
    /// Parses hex with spaces, newlines and `#` comments to the end of a line.
    static func hex(_ text: String) -> [UInt8] {
        TestData.hex(text)
    }

    /// sha2-256 of the empty string.
    static let emptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// sha2-256 of `hello world\n`.
    static let helloDigest = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"

    /// `bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku`: raw CIDv1 of the empty block.
    static var emptyRawCID: CID { cid(hex("01 55 12 20" + emptyDigest)) }
    /// A CIDv0 (dag-pb, sha2-256) whose digest is that of `hello world\n`.
    static var helloV0CID: CID { cid(hex("12 20" + helloDigest)) }
    /// Raw CIDv1 of `hello world\n`.
    static var helloRawCID: CID { cid(hex("01 55 12 20" + helloDigest)) }
    /// `hello world\n`.
    static let helloData = Array("hello world\n".utf8)

    /// A CID from bytes known to be valid (falls back to the empty raw CID, which a test would then notice).
    static func cid(_ bytes: [UInt8]) -> CID {
        (try? CID(bytes: bytes)) ?? CID(v1: .raw, .sha256([UInt8]()))
    }

    /// A raw CIDv1 naming a distinct fake block `index`.
    static func syntheticCID(_ index: Int) -> CID {
        CID(v1: .raw, .sha256(Array("block \(index)".utf8)))
    }
}
