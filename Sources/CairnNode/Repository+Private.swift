import CairnCore
import CairnPrivate
import CairnStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How `add --private` stores a file.
public struct PrivateAddOptions: Sendable {
    /// k, n and the segment size.
    public var parameters: ErasureParameters
    /// Derive the key from the content and the owner's convergence secret (duplicates dedupe) instead of
    /// a fresh random key.
    public var convergent: Bool
    /// Threads sealing and coding segments (default: one per core).
    public var workerCount: Int

    /// Creates options.
    public init(parameters: ErasureParameters = .standard, convergent: Bool = false,
                workerCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.parameters = parameters
        self.convergent = convergent
        self.workerCount = workerCount
    }
}

/// What `add --private` stored.
public struct PrivateAddReport: Sendable, Codable {
    /// The file's name (its path's last component).
    public var name: String
    /// The read-cap: whoever has it can read the file. Keep it secret.
    public var readCap: String
    /// The verify-cap: can check and repair the shares, cannot decrypt.
    public var verifyCap: String
    /// The manifest block's CID.
    public var manifest: String
    /// Plaintext bytes.
    public var size: Int
    /// Bytes of all shares (what storing the file costs).
    public var storedBytes: Int
    /// Segments.
    public var segments: Int
    /// k.
    public var dataShares: Int
    /// n.
    public var totalShares: Int
    /// Whether the key is convergent.
    public var convergent: Bool
}

/// A private file the owner's keyring knows.
public struct PrivateFileEntry: Sendable, Codable {
    /// The name given when it was added.
    public var name: String
    /// The manifest CID.
    public var manifest: String
    /// The read-cap, rebuilt from the wrapped key.
    public var readCap: String
    /// When it was added.
    public var added: Date
}

/// What `files rm` did.
public struct PrivateRemoveReport: Sendable, Codable {
    /// The manifest CID.
    public var manifest: String
    /// Whether the keyring had an entry for it (now gone).
    public var forgotten: Bool
    /// Whether a pin on it was removed here (its blocks go at the next `repo gc`).
    public var unpinned: Bool
}

extension Repository {
    /// The name of the direct pins that keep a placed file's share tables once its shares left this disk.
    public static let shareTablePinName = "private share table"

    /// Encrypts, erasure-codes and stores the file at `path`, pins its manifest and records its key in
    /// the keyring (created with `passphrase` if this repository has none).
    ///
    /// The keyring is opened before any work, so a wrong passphrase costs nothing. Blocks are committed
    /// (synced and renamed into place) before the pin and the keyring entry are written.
    /// - Parameter progress: called (from worker threads) with plaintext bytes just stored.
    public func addPrivate(path inputPath: String, options: PrivateAddOptions, passphrase: String,
                           progress: @escaping @Sendable (Int64) -> Void) async throws -> PrivateAddReport {
        let input: FilePlaintextInput
        let layout: PrivateLayout
        do {
            input = try FilePlaintextInput(path: inputPath)
            layout = try PrivateLayout(parameters: options.parameters, plaintextByteCount: input.byteCount)
        } catch {
            throw NodeError.wrapping(error, context: "add --private")
        }
        // Open (or create) the keyring first: a wrong passphrase fails before any work.
        let secret = hasKeyring
            ? try openKeyring(passphrase: passphrase).convergenceSecret
            : try updateKeyring(passphrase: passphrase, create: true) { $0.convergenceSecret }
        let name = URL(fileURLWithPath: inputPath).lastPathComponent
        return try await withSharedLock {
            let batch = try mapErrors { try blocks.makeWriteBatch() }
            let encoded: EncodedPrivateFile
            do {
                let key = options.convergent
                    ? try PrivateFileEncoder.convergentKey(for: input, parameters: options.parameters, secret: secret)
                    : FileKey.random()
                let encoder = try PrivateFileEncoder(layout: layout, key: key, workerCount: options.workerCount)
                encoded = try encoder.encode(input, into: batch) { progress(Int64($0)) }
                try batch.commit()
            } catch {
                batch.abort()
                throw NodeError.wrapping(error, context: "add --private \(inputPath)")
            }
            let addedAt = now()
            try mapErrors { _ = try database.addPin(encoded.manifestCID, kind: .recursive, name: name, at: addedAt) }
            try updateKeyring(passphrase: passphrase, create: true) { keyring in
                do {
                    try keyring.add(encoded.key, manifest: encoded.manifestCID.description, name: name, at: addedAt)
                } catch {
                    throw NodeError.wrapping(error, context: "keyring")
                }
            }
            return PrivateAddReport(name: name, readCap: encoded.readCap.text, verifyCap: encoded.readCap.verifyCap.text,
                                    manifest: encoded.manifestCID.description, size: encoded.plaintextByteCount,
                                    storedBytes: layout.storedByteCount, segments: layout.segmentCount,
                                    dataShares: layout.dataShareCount, totalShares: layout.totalShareCount, convergent: options.convergent)
        }
    }

    /// The manifest a capability names, from this repository.
    /// - Throws: `.notFound` when the manifest block is not here, `.corrupt` when it does not parse.
    public func privateManifest(_ cid: CID) throws -> PrivateManifest {
        let block: Block
        do {
            block = try blocks.get(cid)
        } catch StoreError.blockNotFound {
            throw NodeError(.notFound, "the manifest \(cid) is not in this repository; fetch it first (with a daemon: `cairn pin add \(cid)`)")
        } catch {
            throw NodeError.wrapping(error, context: "manifest \(cid)")
        }
        do {
            return try PrivateManifest(decoding: block.data)
        } catch {
            throw NodeError.wrapping(error, context: "manifest \(cid)")
        }
    }

    /// Decrypts the file a read-cap names and writes its bytes, in order, to `output`.
    /// - Throws: `.invalidInput` for a verify-cap, `.accessDenied` for a key that is not the file's,
    ///   `.notFound` when fewer than k shares of a segment are here, `.corrupt` for damaged data.
    public func readPrivate(_ capability: Capability, to output: (UnsafeRawBufferPointer) throws -> Void) async throws {
        guard case .read(let manifestCID, let key) = capability else {
            throw NodeError(.invalidInput, "a verify-cap cannot decrypt; use the file's read-cap (cairn-read-v1-…)")
        }
        let manifest = try privateManifest(manifestCID)
        do {
            let reader = try PrivateFileReader(manifest: manifest, key: key)
            try await reader.read(from: RepositoryShareSource(blocks: blocks), to: output)
        } catch {
            throw NodeError.wrapping(error, context: "read \(manifestCID)")
        }
    }

    /// Checks every share of the file a capability names (a verify-cap is enough); with `repair`,
    /// rebuilds missing and damaged shares from k valid ones and stores them here.
    public func checkPrivate(_ capability: Capability, repair: Bool,
                             report: (SegmentHealth) -> Void = { _ in }) async throws -> FileHealth {
        let manifest = try privateManifest(capability.manifest)
        return try await withSharedLock {
            let checker = try mapErrors("check") { try PrivateFileChecker(manifest: manifest) }
            let batch = repair ? try mapErrors { try blocks.makeWriteBatch() } : nil
            do {
                let health = try await checker.check(from: RepositoryShareSource(blocks: blocks), repairInto: batch, report: report)
                try batch?.commit()
                return health
            } catch {
                batch?.abort()
                throw NodeError.wrapping(error, context: "check \(capability.manifest)")
            }
        }
    }

    /// Forgets a private file: removes its keyring entry and its pin here. Copies elsewhere are not
    /// touched; see `cairn files rm --help`.
    public func removePrivate(_ capability: Capability, passphrase: String) throws -> PrivateRemoveReport {
        let manifest = capability.manifest
        let forgotten = try updateKeyring(passphrase: passphrase, create: false) { $0.remove(manifest: manifest.description) }
        var unpinned = false
        do {
            // A placed file's tables are pinned directly beside its manifest: they go with it.
            if let tables = try? privateManifest(manifest).tables {
                for table in tables where (try? database.pin(for: table))??.name == Self.shareTablePinName {
                    _ = try database.removePin(table)
                }
            }
            _ = try database.removePin(manifest)
            unpinned = true
        } catch StoreError.notPinned {
            unpinned = false
        } catch {
            throw NodeError.wrapping(error, context: "files rm")
        }
        if !forgotten && !unpinned {
            throw NodeError(.notFound, "\(manifest) is neither in the keyring nor pinned here")
        }
        return PrivateRemoveReport(manifest: manifest.description, forgotten: forgotten, unpinned: unpinned)
    }

    /// The private files the keyring knows, oldest first, with their read-caps.
    public func privateFiles(passphrase: String) throws -> [PrivateFileEntry] {
        let keyring = try openKeyring(passphrase: passphrase)
        return try keyring.entries.map { entry in
            do {
                let cid = try CID(entry.manifest)
                let key = try keyring.key(for: entry.manifest)
                return PrivateFileEntry(name: entry.name, manifest: entry.manifest,
                                        readCap: Capability.read(manifest: cid, key: key).text, added: entry.added)
            } catch {
                throw NodeError.wrapping(error, context: "keyring entry \(entry.manifest)")
            }
        }
    }
}

/// The local blockstore as a share source: a missing file is `.missing`, bytes that do not hash to
/// their CID are `.damaged`.
struct RepositoryShareSource: PrivateBlockSource {
    let blocks: FileBlockStore

    func fetch(_ cid: CID) async -> BlockFetch {
        do {
            return .found(try blocks.get(cid).data)
        } catch .blockNotFound {
            return .missing
        } catch {
            return .damaged(error.description)
        }
    }
}

extension Repository {
    /// Decrypts the file a read-cap names into `destination`: written to `destination.partial`, synced,
    /// then renamed, so a failed read never leaves a partial or wrong file under the real name.
    /// - Returns: the number of bytes written.
    public func getPrivate(_ capability: Capability, to destination: String,
                           progress: @escaping (Int64) -> Void = { _ in }) async throws -> Int64 {
        let temporary = destination + ".partial"
        let file = try OutputFile(path: temporary)
        var written: Int64 = 0
        do {
            try await readPrivate(capability) { bytes in
                try file.write(bytes)
                written += Int64(bytes.count)
                progress(Int64(bytes.count))
            }
        } catch {
            try? file.close()
            unlink(temporary)
            throw error
        }
        do {
            try file.close()
        } catch {
            unlink(temporary)
            throw error
        }
        try moveIntoPlace(temporary, destination, failure: .failed)
        return written
    }
}
