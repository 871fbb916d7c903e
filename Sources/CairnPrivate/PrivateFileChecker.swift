import CairnCore
import CairnErasure

/// The state of one segment's shares.
public struct SegmentHealth: Sendable, Equatable, Codable {
    /// The segment index.
    public var segment: Int
    /// Share indices present and valid.
    public var valid: [Int]
    /// Share indices nobody had.
    public var missing: [Int]
    /// Share indices found damaged (wrong bytes or size).
    public var damaged: [Int]
    /// Share indices rebuilt and stored by this check.
    public var repaired: [Int]
}

/// The outcome of checking a whole file.
public struct FileHealth: Sendable, Equatable, Codable {
    /// k.
    public var dataShareCount: Int
    /// n.
    public var totalShareCount: Int
    /// Segments in the file.
    public var segmentCount: Int
    /// Segments with all n shares valid (after any repair).
    public var healthySegments: Int
    /// Segments with at least k but fewer than n valid shares (after any repair).
    public var degradedSegments: Int
    /// Segments with fewer than k valid shares: unreadable.
    public var unrecoverableSegments: Int
    /// The fewest valid shares of any segment (after any repair).
    public var minimumValidShares: Int
    /// Shares rebuilt and stored.
    public var repairedShares: Int
    /// Whether the tables match the manifest's column roots and ciphertext hash.
    public var manifestConsistent: Bool

    /// Whether every segment can be read.
    public var isReadable: Bool { unrecoverableSegments == 0 && manifestConsistent }
    /// Whether every share of every segment is present and valid.
    public var isHealthy: Bool { healthySegments == segmentCount && manifestConsistent }
}

/// Checks every share of a private file, and optionally rebuilds missing or damaged ones — with only
/// the manifest (a verify-cap), never the key: shares are checked against the digests in the tables,
/// rebuilt shares are checked against them before being stored, and the tables against the
/// manifest's column roots and ciphertext hash.
public struct PrivateFileChecker: Sendable {
    /// The file's manifest.
    public let manifest: PrivateManifest
    let code: ReedSolomonCode

    /// A checker for the file `manifest` describes.
    public init(manifest: PrivateManifest) throws(PrivateFileError) {
        self.manifest = manifest
        code = try PrivateFileShares.code(for: manifest.layout)
    }

    /// Checks every segment, reporting each to `report`; with `repairInto`, rebuilds the missing and
    /// damaged shares of every readable segment and writes them there (the caller commits the sink).
    /// - Throws: `.tableUnavailable`/`.malformedTable` when a table cannot be read, the sink's errors.
    public func check(from source: some PrivateBlockSource, repairInto sink: (any BlockSink)? = nil,
                      report: (SegmentHealth) -> Void = { _ in }) async throws -> FileHealth {
        let layout = manifest.layout
        let (k, n) = (layout.dataShareCount, layout.totalShareCount)
        var health = FileHealth(dataShareCount: k, totalShareCount: n, segmentCount: layout.segmentCount, healthySegments: 0,
                                degradedSegments: 0, unrecoverableSegments: 0, minimumValidShares: n, repairedShares: 0,
                                manifestConsistent: true)
        var roots = ManifestRootsBuilder(layout: layout)
        for tableIndex in manifest.tables.indices {
            let table = try await PrivateFileShares.table(tableIndex, of: manifest, from: source)
            for (row, segment) in manifest.segments(inTable: tableIndex).enumerated() {
                let digests = table.shareDigests[row]
                roots.add(digests)
                let shares = await PrivateFileShares.collect(segment: segment, digests: digests, manifest: manifest, from: source, wanted: n)
                var repaired: [Int] = []
                let broken = (shares.missing + shares.damaged.keys).sorted()
                if let sink, !broken.isEmpty, shares.valid.count >= k {
                    repaired = try rebuild(broken, of: segment, digests: digests, from: shares.valid, into: sink)
                }
                // Repaired shares count as valid from now on.
                let valid = (Array(shares.valid.keys) + repaired).sorted()
                report(SegmentHealth(segment: segment, valid: valid, missing: shares.missing,
                                     damaged: shares.damaged.keys.sorted(), repaired: repaired))
                health.repairedShares += repaired.count
                health.minimumValidShares = min(health.minimumValidShares, valid.count)
                if valid.count == n {
                    health.healthySegments += 1
                } else if valid.count >= k {
                    health.degradedSegments += 1
                } else {
                    health.unrecoverableSegments += 1
                }
            }
        }
        health.manifestConsistent = roots.columnRoots() == manifest.columnRoots && roots.ciphertextHash() == manifest.ciphertextHash
        return health
    }

    /// Rebuilds shares `indices` of `segment` from `valid`, checks each against its digest, writes it.
    private func rebuild(_ indices: [Int], of segment: Int, digests: [[UInt8]], from valid: [Int: [UInt8]],
                         into sink: any BlockSink) throws -> [Int] {
        let rebuilt = try rebuildShares(indices, of: segment, digests: digests, from: valid)
        for index in indices {
            guard let bytes = rebuilt[index] else { continue }
            try bytes.withUnsafeBytes { try sink.write(ShareTable.shareCID(digest: digests[index]), bytes: $0) }
        }
        return indices
    }

    /// Rebuilds shares `indices` of `segment` (whole blocks: header and payload) from at least k `valid`
    /// shares (whole blocks, by index), each checked against its digest — what a repair agent uploads.
    /// - Throws: `.notEnoughShares` with fewer than k valid shares; `.manifestMismatch` when a rebuilt
    ///   share does not match its digest (the valid shares were not this file's).
    public func rebuildShares(_ indices: [Int], of segment: Int, digests: [[UInt8]],
                              from valid: [Int: [UInt8]]) throws(PrivateFileError) -> [Int: [UInt8]] {
        let layout = manifest.layout
        let rebuilt: [Int: [UInt8]]
        do {
            rebuilt = try code.reconstruct(missing: indices, from: valid.mapValues { Array($0.dropFirst(ShareHeader.byteCount)) })
        } catch {
            throw .notEnoughShares(segment: segment, valid: valid.count, needed: layout.dataShareCount)
        }
        var shares: [Int: [UInt8]] = [:]
        for index in indices {
            let header = ShareHeader(fileID: manifest.fileID, segment: segment, share: index,
                                     dataShareCount: layout.dataShareCount, totalShareCount: layout.totalShareCount)
            guard let payload = rebuilt[index] else { continue }
            let bytes = header.bytes + payload
            guard ShareTree.root(bytes) == digests[index] else {
                throw .manifestMismatch("share \(index) of segment \(segment) rebuilt from valid shares does not match its digest")
            }
            shares[index] = bytes
        }
        return shares
    }

    /// Share table `index` of the file, from `source`.
    /// - Throws: `.tableUnavailable` / `.malformedTable`.
    public func table(_ index: Int, from source: some PrivateBlockSource) async throws(PrivateFileError) -> ShareTable {
        try await PrivateFileShares.table(index, of: manifest, from: source)
    }

    /// Fetches shares of `segment` (best first, `extra` beyond the needed ones at once) until `wanted` are
    /// valid; each valid share's header was checked against this file and position.
    public func collectShares(segment: Int, digests: [[UInt8]], from source: some PrivateBlockSource, wanted: Int,
                              extra: Int = 0) async -> SegmentShares {
        await PrivateFileShares.collect(segment: segment, digests: digests, manifest: manifest, from: source, wanted: wanted, extra: extra)
    }
}
