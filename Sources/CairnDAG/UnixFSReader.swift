import CairnCore

/// Reads UnixFS DAGs from a `BlockSource`: resolves paths through basic and HAMT directories,
/// lists directories and streams file ranges.
///
/// File reads use each node's `blocksizes` to skip subtrees outside the range, so any layout works
/// (balanced, trickle), with dag-pb or raw leaves and identity CIDs. Memory is one block per DAG
/// level; bytes reach the consumer as slices of block data.
public struct UnixFSReader: Sendable {
    /// The kind of a UnixFS node.
    public enum NodeKind: Sendable, Equatable {
        /// A file (UnixFS File or Raw, or a raw block).
        case file
        /// A basic or HAMT directory.
        case directory
        /// A symbolic link.
        case symlink
        /// A legacy metadata node or another codec.
        case other
    }

    /// A directory entry as `ls` shows it.
    public struct Entry: Sendable, Equatable {
        /// The entry name.
        public var name: String
        /// The child's CID.
        public var cid: CID
        /// The link's cumulative size (Tsize), 0 when absent.
        public var tsize: UInt64
        /// The child's kind, when resolved.
        public var kind: NodeKind?
        /// The child's file size in bytes (files only, when resolved).
        public var fileSize: UInt64?
    }

    /// What a node is.
    public struct NodeInfo: Sendable, Equatable {
        /// The node kind.
        public var kind: NodeKind
        /// File bytes for files; 0 otherwise.
        public var fileSize: UInt64
        /// The symlink target for symlinks.
        public var symlinkTarget: [UInt8]?
    }

    /// Where blocks come from.
    public let source: any BlockSource

    /// Creates a reader over `source`.
    public init(source: any BlockSource) { self.source = source }

    /// Fetches a block; identity CIDs are answered from the CID itself.
    /// - Throws: the source's own error unchanged (so callers can tell a missing block from a corrupt one).
    public func block(_ cid: CID) async throws -> Block {
        if cid.multihash.function == .identity { return Block(hashed: cid.multihash.digest, cid: cid) }
        return try await source.block(cid)
    }

    /// Describes the node at `cid`.
    public func info(_ cid: CID) async throws -> NodeInfo {
        let decoded = try await decode(cid)
        return UnixFSReader.info(of: decoded)
    }

    // MARK: - Paths

    /// Resolves `CID/a/b` or `/ipfs/CID/a/b` to the CID of the named node.
    /// - Throws: `DAGError.notFound`, `.notADirectory`, CID parse errors as `.invalidCID`.
    public func resolve(_ path: String) async throws -> CID {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts.first == "ipfs" { parts.removeFirst() }
        guard let first = parts.first else { throw DAGError.invalidCID(context: "path '\(path)'", reason: "no CID") }
        let root: CID
        do {
            root = try CID(first)
        } catch {
            throw DAGError.invalidCID(context: "path '\(path)'", reason: error.description)
        }
        return try await resolve(root: root, components: Array(parts.dropFirst()), path: path)
    }

    /// Follows `components` from `root` through basic directories and HAMT shards.
    public func resolve(root: CID, components: [String], path: String? = nil) async throws -> CID {
        let display = path ?? ([root.description] + components).joined(separator: "/")
        var current = root
        for component in components {
            let decoded = try await decode(current)
            guard case .dagPB(let node, let data) = decoded else { throw DAGError.notADirectory(path: display, cid: current) }
            switch data.type {
            case .directory:
                let name = Array(component.utf8)
                guard let link = node.links.first(where: { $0.name.utf8.elementsEqual(name) }) else {
                    throw DAGError.notFound(path: display, component: component)
                }
                current = link.cid
            case .hamtShard:
                current = try await hamtLookup(node: node, data: data, cid: current, name: component, path: display)
            default:
                throw DAGError.notADirectory(path: display, cid: current)
            }
        }
        return current
    }

    private func hamtLookup(node: PBNode, data: UnixFSData, cid: CID, name: String, path: String) async throws -> CID {
        let hash = Murmur3.hash64(name.utf8)
        var node = node
        var shardCID = cid
        var fanout = data.fanout
        for depth in 0..<DAGLimits.hamtMaximumDepth {
            guard fanout == UInt64(DAGLimits.hamtFanout) else {
                throw DAGError.inconsistentDAG(cid: shardCID, reason: "HAMT fanout \(fanout.map(String.init) ?? "missing") is not 256")
            }
            let prefix = HAMTShardBuilder.slotName(HAMTShardBuilder.index(of: hash, depth: depth))
            guard let link = node.links.first(where: { $0.name.hasPrefix(prefix) }) else {
                throw DAGError.notFound(path: path, component: name)
            }
            if link.name.utf8.count == 2 {
                guard case .dagPB(let child, let childData) = try await decode(link.cid), childData.type == .hamtShard else {
                    throw DAGError.inconsistentDAG(cid: link.cid, reason: "HAMT slot \(prefix) is not a shard")
                }
                node = child
                shardCID = link.cid
                fanout = childData.fanout
                continue
            }
            guard link.name.utf8.dropFirst(2).elementsEqual(name.utf8) else { throw DAGError.notFound(path: path, component: name) }
            return link.cid
        }
        throw DAGError.hashExhausted(name: name)
    }

    // MARK: - Listing

    /// Lists a directory (basic or HAMT) in stored order; with `resolveKinds`, fetches each child
    /// to report its kind and file size.
    /// - Throws: `DAGError.notADirectory` for anything else.
    public func list(_ cid: CID, resolveKinds: Bool = true) async throws -> [Entry] {
        guard case .dagPB(let node, let data) = try await decode(cid) else {
            throw DAGError.notADirectory(path: cid.description, cid: cid)
        }
        var entries: [Entry] = []
        switch data.type {
        case .directory:
            entries = node.links.map { Entry(name: $0.name, cid: $0.cid, tsize: $0.tsize ?? 0) }
        case .hamtShard:
            try await collectShard(node, depth: 0, into: &entries)
        default:
            throw DAGError.notADirectory(path: cid.description, cid: cid)
        }
        if resolveKinds {
            for i in entries.indices {
                let childInfo = try await info(entries[i].cid)
                entries[i].kind = childInfo.kind
                entries[i].fileSize = childInfo.kind == .file ? childInfo.fileSize : nil
            }
        }
        return entries
    }

    private func collectShard(_ node: PBNode, depth: Int, into entries: inout [Entry]) async throws {
        for link in node.links {
            if link.name.utf8.count == 2 {
                guard depth + 1 < DAGLimits.hamtMaximumDepth,
                      case .dagPB(let child, let data) = try await decode(link.cid), data.type == .hamtShard else {
                    throw DAGError.inconsistentDAG(cid: link.cid, reason: "HAMT slot \(link.name) is not a shard")
                }
                try await collectShard(child, depth: depth + 1, into: &entries)
            } else {
                guard link.name.utf8.count > 2 else {
                    throw DAGError.inconsistentDAG(cid: link.cid, reason: "HAMT link name '\(link.name)' too short")
                }
                entries.append(Entry(name: String(decoding: link.name.utf8.dropFirst(2), as: UTF8.self),
                                     cid: link.cid, tsize: link.tsize ?? 0))
            }
        }
    }

    // MARK: - Decoding

    enum Decoded {
        case raw([UInt8])
        case dagPB(PBNode, UnixFSData)
    }

    func decode(_ cid: CID) async throws -> Decoded {
        let block = try await block(cid)
        switch cid.codec {
        case .raw:
            return .raw(block.data)
        case .dagPB:
            let node = try PBNode(decoding: block.data)
            guard let data = node.data else { throw DAGError.invalidUnixFS(reason: "dag-pb node \(cid) has no Data") }
            return .dagPB(node, try UnixFSData(decoding: data))
        default:
            throw DAGError.unsupportedCodec(cid: cid, codec: cid.codec)
        }
    }

    static func info(of decoded: Decoded) -> NodeInfo {
        switch decoded {
        case .raw(let bytes):
            return NodeInfo(kind: .file, fileSize: UInt64(bytes.count))
        case .dagPB(_, let data):
            switch data.type {
            case .file, .raw:
                return NodeInfo(kind: .file, fileSize: fileSize(of: data))
            case .directory, .hamtShard:
                return NodeInfo(kind: .directory, fileSize: 0)
            case .symlink:
                return NodeInfo(kind: .symlink, fileSize: 0, symlinkTarget: data.data ?? [])
            case .metadata:
                return NodeInfo(kind: .other, fileSize: 0)
            }
        }
    }

    /// A file node's size: `filesize` when present, else inline data plus Σ blocksizes.
    static func fileSize(of data: UnixFSData) -> UInt64 {
        if let size = data.fileSize { return size }
        return data.blockSizes.reduce(UInt64(data.data?.count ?? 0), +)
    }
}
