import CairnCore

/// Builds kubo's balanced file DAG bottom-up from leaves delivered in file order (pure apart from
/// writing internal nodes to the sink).
///
/// Equivalent to boxo `importer/balanced/builder.go`: every internal node is filled to
/// `linksPerNode` children before the next one starts, all leaves sit at the same depth, a single
/// leaf is the root, and a lone trailing leaf still gets its own chain of internal nodes.
/// Memory is O(linksPerNode × depth).
struct BalancedTreeBuilder {
    /// A finished child: its CID, cumulative size (Tsize) and the file bytes beneath it.
    struct Child: Sendable, Equatable {
        var cid: CID
        var tsize: UInt64
        var fileSize: UInt64
    }

    let linksPerNode: Int
    let version: CID.Version
    private(set) var levels: [[Child]] = []
    private(set) var leafCount = 0

    init(linksPerNode: Int, version: CID.Version) {
        precondition(linksPerNode >= 2, "a balanced DAG needs at least two links per node")
        self.linksPerNode = linksPerNode
        self.version = version
    }

    /// Adds the next leaf in file order.
    mutating func append(leaf: Child, sink: some BlockSink) throws {
        leafCount += 1
        try push(leaf, level: 0, sink: sink)
    }

    /// Finishes the tree and returns the root; nil when no leaf was added.
    mutating func finish(sink: some BlockSink) throws -> Child? {
        guard leafCount > 0 else { return nil }
        if leafCount == 1 { return levels[0][0] }
        var level = 0
        while true {
            if level > 0 && level == levels.count - 1 && levels[level].count == 1 { return levels[level][0] }
            let node = try build(levels[level], sink: sink)
            levels[level].removeAll(keepingCapacity: true)
            try push(node, level: level + 1, sink: sink)
            level += 1
        }
    }

    private mutating func push(_ child: Child, level: Int, sink: some BlockSink) throws {
        if level == levels.count {
            levels.append([])
            levels[level].reserveCapacity(linksPerNode)
        }
        if levels[level].count == linksPerNode {
            let node = try build(levels[level], sink: sink)
            levels[level].removeAll(keepingCapacity: true)
            try push(node, level: level + 1, sink: sink)
        }
        levels[level].append(child)
    }

    /// Encodes, hashes and writes one internal file node over `children`.
    private func build(_ children: [Child], sink: some BlockSink) throws -> Child {
        var fileSize: UInt64 = 0
        var linkTotal: UInt64 = 0
        var links: [PBLink] = []
        links.reserveCapacity(children.count)
        var sizes: [UInt64] = []
        sizes.reserveCapacity(children.count)
        for child in children {
            fileSize += child.fileSize
            linkTotal += child.tsize
            sizes.append(child.fileSize)
            links.append(PBLink(cid: child.cid, name: "", tsize: child.tsize))
        }
        let data = UnixFSData(type: .file, fileSize: fileSize, blockSizes: sizes).encoded()
        let bytes = PBNode(links: links, data: data).encoded()
        let cid = try BlockHasher.store(bytes, codec: .dagPB, version: version, sink: sink)
        return Child(cid: cid, tsize: UInt64(bytes.count) + linkTotal, fileSize: fileSize)
    }
}
