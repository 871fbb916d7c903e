import CairnCore

/// CAR v1, the content-addressed archive format (ipld/ipld `specs/transport/car/carv1/index.md`).
///
/// ```
/// uvarint(len(header)) header                  header = DAG-CBOR {"roots": [CID, …], "version": 1}
/// uvarint(len(cid) + len(block)) cid block     repeated until the end of the file
/// ```
///
/// Example header for one root (DAG-CBOR, keys in length order so `roots` precedes `version`):
/// `a2 65 "roots" 81 d8 2a 58 23 00 <34-byte CIDv0> 67 "version" 01`.
/// See `docs/specs/car.md` for the test vectors.
public enum CARv1 {
    /// The largest header accepted, in bytes; a header holds only roots, so 1 MiB is thousands of them.
    public static let maximumHeaderByteCount = 1 << 20
    /// The largest section (CID plus block) accepted, in bytes: a 2 MiB block (the largest block
    /// bitswap moves) plus room for its CID.
    public static let maximumSectionByteCount = 2 * (1 << 20) + 256

    /// The CAR v1 header: the DAG roots the archive holds.
    public struct Header: Hashable, Sendable {
        /// The format version this type reads and writes.
        public static let version: UInt64 = 1

        /// The root CIDs, in order; never empty.
        public let roots: [CID]

        /// Creates a header.
        /// - Throws: `CARError.badHeader` when `roots` is empty.
        public init(roots: [CID]) throws(CARError) {
            guard !roots.isEmpty else { throw .badHeader(reason: "a CAR needs at least one root") }
            self.roots = roots
        }

        /// The DAG-CBOR encoding (without the length prefix).
        public var bytes: [UInt8] {
            var out: [UInt8] = []
            DAGCBOR.appendHead(.map, 2, to: &out)
            DAGCBOR.appendText("roots", to: &out)
            DAGCBOR.appendHead(.array, UInt64(roots.count), to: &out)
            for root in roots { DAGCBOR.appendCID(root, to: &out) }
            DAGCBOR.appendText("version", to: &out)
            DAGCBOR.appendHead(.unsigned, Header.version, to: &out)
            return out
        }

        /// Decodes a DAG-CBOR header (without the length prefix), strictly.
        /// - Throws: `CARError.badHeader` for anything but a canonical `{"roots": [CID…], "version": 1}`
        ///   map with at least one root and no trailing bytes, `.unsupportedVersion` for another version.
        public init(bytes: [UInt8]) throws(CARError) {
            var reader = DAGCBOR.Reader(bytes)
            do {
                let (roots, version) = try Header.readFields(&reader)
                guard reader.isAtEnd else { throw CARError.badHeader(reason: "trailing bytes after the header map") }
                if let version, version != Header.version { throw CARError.unsupportedVersion(version) }
                guard version != nil else { throw CARError.badHeader(reason: "missing \"version\"") }
                guard let roots else { throw CARError.badHeader(reason: "missing \"roots\"") }
                try self.init(roots: roots)
            } catch let error as DAGCBOR.DecodingError {
                throw .badHeader(reason: error.reason)
            } catch let error as CARError {
                throw error
            } catch {
                throw .badHeader(reason: "\(error)")
            }
        }

        /// Reads the header map's known fields, enforcing canonical key order and no unknown keys.
        private static func readFields(_ reader: inout DAGCBOR.Reader) throws -> (roots: [CID]?, version: UInt64?) {
            let count = try reader.readHead(expecting: .map, "header map")
            guard count <= 2 else { throw CARError.badHeader(reason: "header map has \(count) entries; only roots and version are allowed") }
            var roots: [CID]? = nil
            var version: UInt64? = nil
            var previousKey: String? = nil
            for _ in 0..<count {
                let key = try reader.readText("header key", limit: 16)
                if let previousKey, !DAGCBOR.keyPrecedes(previousKey, key) {
                    throw CARError.badHeader(reason: "header keys are not in canonical DAG-CBOR order")
                }
                previousKey = key
                switch key {
                case "roots":
                    let rootCount = try reader.readHead(expecting: .array, "roots array")
                    var list: [CID] = []
                    for index in 0..<rootCount { list.append(try reader.readCID("root \(index)")) }
                    roots = list
                case "version":
                    version = try reader.readHead(expecting: .unsigned, "version")
                default:
                    throw CARError.badHeader(reason: "unknown header key \"\(key)\"")
                }
            }
            return (roots, version)
        }
    }
}
