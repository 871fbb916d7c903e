import CairnCore

extension FileBlockStore {
    /// Re-hashes every block file and returns the bad ones: files whose bytes do not match the
    /// multihash in their name, unreadable files, names that are not multihashes, and files in the
    /// wrong shard directory. `progress` is called after each file (from the calling thread).
    /// - Throws: `StoreError.io` only when a directory cannot be listed.
    public func verify(progress: (BlockStoreVerifyProgress) -> Void) throws(StoreError) -> [BadBlock] {
        var bad: [BadBlock] = []
        var status = BlockStoreVerifyProgress(checkedBlockCount: 0, checkedByteCount: 0, badBlockCount: 0)
        do {
            try forEachBlockFile { shard, name, path in
                let (problem, byteCount) = Self.check(shard: shard, name: name, path: path)
                if let problem { bad.append(problem) }
                status.checkedBlockCount += 1
                status.checkedByteCount += byteCount
                status.badBlockCount = bad.count
                progress(status)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            preconditionFailure("the verify walker throws only StoreError: \(error)")
        }
        return bad
    }

    /// Checks one block file; returns the problem (nil when good) and the bytes read.
    private static func check(shard: String, name: String, path: String) -> (BadBlock?, Int) {
        guard let multihash = multihash(fromFileName: name) else {
            return (BadBlock(cid: nil, path: path, reason: "file name is not a base32 multihash with .data"), 0)
        }
        let cid = CID(v1: .raw, multihash)
        let expectedShard = shardName(forFileName: name)
        guard shard == expectedShard else {
            return (BadBlock(cid: cid, path: path, reason: "stored in shard \(shard), expected \(expectedShard)"), 0)
        }
        let bytes: [UInt8]
        do {
            guard let read = try SystemFile.readAll(path) else {
                return (BadBlock(cid: cid, path: path, reason: "file vanished during verify"), 0)
            }
            bytes = read
        } catch {
            return (BadBlock(cid: cid, path: path, reason: "unreadable: \(error)"), 0)
        }
        do {
            guard try multihash.matches(bytes) else {
                return (BadBlock(cid: cid, path: path, reason: "content (\(bytes.count) bytes) does not match its hash"), bytes.count)
            }
        } catch {
            return (BadBlock(cid: cid, path: path, reason: "cannot verify: \(error)"), bytes.count)
        }
        return (nil, bytes.count)
    }
}
