import CairnCore
import CairnCrypto
import CairnDAG
import CairnExchange
import CairnTestSupport
import Synchronization

/// An in-memory blockstore for the tests: a Bitswap store, a `BlockSink` for the importer and a `BlockSource`.
final class DictionaryBlockStore: BitswapBlockStore, BlockSink, BlockSource, Sendable {
    struct Missing: Error {}
    private let blocks = Mutex<[CID: Block]>([:])

    init(_ initial: [Block] = []) {
        blocks.withLock { map in for block in initial { map[block.cid] = block } }
    }

    var count: Int { blocks.withLock { $0.count } }
    var all: [CID: Block] { blocks.withLock { $0 } }
    func put(_ block: Block) { blocks.withLock { $0[block.cid] = block } }

    func blockSize(_ cid: CID) async -> Int? { blocks.withLock { $0[cid]?.data.count } }
    func storedBlock(_ cid: CID) async -> Block? { blocks.withLock { $0[cid] } }
    func block(_ cid: CID) async throws -> Block {
        guard let block = blocks.withLock({ $0[cid] }) else { throw Missing() }
        return block
    }

    func write(_ cid: CID, bytes: UnsafeRawBufferPointer) throws {
        put(Block(hashed: Array(bytes), cid: cid))
    }
    func commit() throws {}
    func abort() {}
}

/// A simulated network joining several `BitswapService`s in one process: messages are delivered by calling
/// the receiver directly; peers can vanish silently or corrupt every block they send.
actor ExchangeSimulator {
    private var services: [PeerID: BitswapService] = [:]
    private var vanished: Set<PeerID> = []
    private var corrupting: Set<PeerID> = []
    private var vanishAfterBlocks: [PeerID: Int] = [:]
    private(set) var blocksSent: [PeerID: Int] = [:]
    private(set) var misbehaving: [PeerID] = []

    /// A messenger sending as `peer`.
    nonisolated func messenger(for peer: PeerID) -> Messenger { Messenger(peer: peer, simulator: self) }

    func attach(_ service: BitswapService, as peer: PeerID) { services[peer] = service }
    func corrupt(_ peer: PeerID) { corrupting.insert(peer) }
    func vanish(_ peer: PeerID, afterSendingBlocks count: Int) { vanishAfterBlocks[peer] = count }
    func reportMisbehaving(_ peer: PeerID) { misbehaving.append(peer) }

    /// Delivers `message` unless either end vanished; counts blocks and applies corruption.
    func deliver(_ message: BitswapMessage, from sender: PeerID, to receiver: PeerID) async {
        guard !vanished.contains(sender), !vanished.contains(receiver), let target = services[receiver] else { return }
        var message = message
        blocksSent[sender, default: 0] += message.payload.count
        if let limit = vanishAfterBlocks[sender], blocksSent[sender, default: 0] >= limit { vanished.insert(sender) }
        if corrupting.contains(sender) {
            message.payload = message.payload.map { block in
                var data = block.data
                if !data.isEmpty { data[data.count / 2] ^= 0x5a }
                return .init(prefix: block.prefix, data: data)
            }
        }
        await target.receive(message, from: sender)
    }

    struct Messenger: BitswapMessenger {
        let peer: PeerID
        let simulator: ExchangeSimulator
        func send(_ message: BitswapMessage, to receiver: PeerID) async throws {
            await simulator.deliver(message, from: peer, to: receiver)
        }
    }
}

/// A UnixFS file imported into a dictionary store.
struct ImportedFile {
    let root: CID
    let data: [UInt8]
    let store: DictionaryBlockStore

    /// Imports `byteCount` seeded random bytes with the given chunk size, CIDv1 and raw leaves when `rawLeaves`.
    static func make(byteCount: Int, chunkByteCount: Int, rawLeaves: Bool, seed: UInt64) async throws -> ImportedFile {
        var rng = SeededRandom(seed: seed)
        var data = [UInt8](repeating: 0, count: byteCount)
        rng.fill(&data)
        let store = DictionaryBlockStore()
        let options = FileImporter.Options(chunker: try Chunker(byteCount: chunkByteCount),
                                           cidVersion: rawLeaves ? .v1 : .v0, rawLeaves: rawLeaves)
        let result = try await FileImporter(options: options).importFile(from: MemoryChunkInput(data), into: store)
        return ImportedFile(root: result.cid, data: data, store: store)
    }
}
