import CairnCore
import CairnPrivate
import Synchronization

/// An in-memory block store for private-file tests: a sink for the encoder and a verifying source for
/// readers and checkers, with knobs to lose or damage blocks.
final class MemoryPrivateBlocks: BlockSink, PrivateBlockSource {
    private let storage = Mutex<[CID: [UInt8]]>([:])
    /// When true, `fetch` returns stored bytes without checking them (a lying source).
    let verifies: Bool

    init(verifies: Bool = true) { self.verifies = verifies }

    func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws {
        let copy = Array(bytes)
        storage.withLock { $0[cid] = copy }
    }

    func commit() throws {}
    func abort() {}

    func fetch(_ cid: CID) async -> BlockFetch {
        guard let bytes = storage.withLock({ $0[cid] }) else { return .missing }
        guard verifies else { return .found(bytes) }
        do {
            return try cid.multihash.matches(bytes) ? .found(bytes) : .damaged("\(cid) does not match its hash")
        } catch {
            return .damaged("\(error)")
        }
    }

    subscript(cid: CID) -> [UInt8]? {
        get { storage.withLock { $0[cid] } }
        set { storage.withLock { $0[cid] = newValue } }
    }

    var count: Int { storage.withLock { $0.count } }

    func copy(verifies: Bool) -> MemoryPrivateBlocks {
        let other = MemoryPrivateBlocks(verifies: verifies)
        let all = storage.withLock { $0 }
        other.storage.withLock { $0 = all }
        return other
    }

    /// Reads the whole file back into memory.
    func read(_ manifest: PrivateManifest, key: FileKey) async throws -> [UInt8] {
        let reader = try PrivateFileReader(manifest: manifest, key: key)
        var out: [UInt8] = []
        try await reader.read(from: self) { out += $0 }
        return out
    }

    /// The share table of `manifest` at `index`.
    func table(_ index: Int, of manifest: PrivateManifest) throws -> ShareTable {
        try ShareTable(decoding: self[manifest.tables[index]] ?? [], index: index, of: manifest)
    }
}
