import CairnCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Imports a filesystem tree as `ipfs add -r` does: regular files through `FileImporter`,
/// directories through `DirectoryBuilder` (basic or HAMT), symlinks as UnixFS symlink nodes.
///
/// Entries are examined with `lstat` (symlinks are stored, never followed). Dotfiles are skipped
/// unless `includeHidden` (kubo's `-H`). Sockets, devices and FIFOs are rejected with
/// `DAGError.unsupportedFileType`. Blocks go to the sink; the caller commits.
public struct TreeImporter: Sendable {
    /// Options for a recursive import.
    public struct Options: Sendable, Equatable {
        /// Options for every file (chunker, CID version, raw leaves); directories use the same CID version.
        public var file: FileImporter.Options
        /// Whether names starting with `.` are imported (`ipfs add -H`); false by default.
        public var includeHidden: Bool
        /// The HAMT switch threshold (kubo's `HAMTShardingSize`).
        public var shardingThreshold: Int

        /// Creates options.
        public init(file: FileImporter.Options = .init(), includeHidden: Bool = false,
                    shardingThreshold: Int = DAGLimits.hamtShardingSize) {
            self.file = file
            self.includeHidden = includeHidden
            self.shardingThreshold = shardingThreshold
        }
    }

    /// What was imported at a path.
    public struct Result: Sendable, Equatable {
        /// The kind of node.
        public enum Kind: Sendable, Equatable {
            /// A regular file.
            case file
            /// A directory (basic or HAMT).
            case directory
            /// A symbolic link.
            case symlink
        }
        /// The root CID.
        public var cid: CID
        /// The cumulative DAG size (Tsize).
        public var tsize: UInt64
        /// The kind of node.
        public var kind: Kind
        /// File bytes imported under this path.
        public var fileBytes: UInt64
        /// Creates a result.
        public init(cid: CID, tsize: UInt64, kind: Kind, fileBytes: UInt64) {
            self.cid = cid
            self.tsize = tsize
            self.kind = kind
            self.fileBytes = fileBytes
        }
    }

    /// The options used.
    public let options: Options

    /// Creates a tree importer.
    public init(options: Options = Options()) { self.options = options }

    /// Imports `path` (file, directory or symlink) recursively.
    ///
    /// `progress` receives the running total of file bytes imported. `entryAdded` (optional) is called
    /// for every imported path below and including `path`, children before parents, as `ipfs add` prints them.
    /// - Throws: `DAGError.io`, `.unsupportedFileType`, directory errors, or sink errors.
    public func importPath(_ path: String, into sink: some BlockSink,
                           progress: (@Sendable (UInt64) -> Void)? = nil,
                           entryAdded: (@Sendable (String, Result) -> Void)? = nil) async throws -> Result {
        var done: UInt64 = 0
        return try await importEntry(path, sink: sink, done: &done, progress: progress, entryAdded: entryAdded)
    }

    private func importEntry(_ path: String, sink: some BlockSink, done: inout UInt64,
                             progress: (@Sendable (UInt64) -> Void)?,
                             entryAdded: (@Sendable (String, Result) -> Void)?) async throws -> Result {
        let result: Result
        switch try TreeImporter.fileType(path) {
        case S_IFREG:
            let base = done
            let r = try await FileImporter(options: options.file).importFile(atPath: path, into: sink) { n in
                progress?(base + n)
            }
            done += r.fileSize
            result = Result(cid: r.cid, tsize: r.tsize, kind: .file, fileBytes: r.fileSize)
        case S_IFDIR:
            var builder = DirectoryBuilder(cidVersion: options.file.cidVersion, shardingThreshold: options.shardingThreshold)
            var bytes: UInt64 = 0
            for name in try TreeImporter.directoryNames(path) where options.includeHidden || !name.hasPrefix(".") {
                let child = try await importEntry(path + "/" + name, sink: sink, done: &done, progress: progress, entryAdded: entryAdded)
                try builder.add(name: name, cid: child.cid, tsize: child.tsize)
                bytes += child.fileBytes
            }
            let r = try builder.build(into: sink)
            result = Result(cid: r.cid, tsize: r.tsize, kind: .directory, fileBytes: bytes)
        case S_IFLNK:
            let target = try TreeImporter.linkTarget(path)
            let (cid, tsize) = try TreeImporter.storeSymlink(target: target, version: options.file.cidVersion, sink: sink)
            result = Result(cid: cid, tsize: tsize, kind: .symlink, fileBytes: 0)
        case let other:
            throw DAGError.unsupportedFileType(path: path, type: TreeImporter.typeName(other))
        }
        entryAdded?(path, result)
        return result
    }

    /// Writes a UnixFS symlink node (Type 4, Data = target, no filesize) and returns its CID and Tsize.
    public static func storeSymlink(target: [UInt8], version: CID.Version, sink: some BlockSink) throws -> (CID, UInt64) {
        let bytes = PBNode(data: UnixFSData(type: .symlink, data: target).encoded()).encoded()
        let cid = try BlockHasher.store(bytes, codec: .dagPB, version: version, sink: sink)
        return (cid, UInt64(bytes.count))
    }

    private static func fileType(_ path: String) throws(DAGError) -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw .io(path: path, operation: "lstat", reason: String(cString: strerror(errno)))
        }
        return info.st_mode & S_IFMT
    }

    private static func directoryNames(_ path: String) throws(DAGError) -> [String] {
        do {
            // Byte order, as Go's os.ReadDir returns them, so entries are reported in kubo's order.
            return try FileManager.default.contentsOfDirectory(atPath: path)
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            throw .io(path: path, operation: "list directory", reason: "\(error)")
        }
    }

    private static func linkTarget(_ path: String) throws(DAGError) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buffer.withUnsafeMutableBufferPointer { b -> Int in
            guard let base = b.baseAddress else { return -1 }
            return readlink(path, base, b.count)
        }
        guard n >= 0 else { throw .io(path: path, operation: "readlink", reason: String(cString: strerror(errno))) }
        return buffer.prefix(n).map { UInt8(bitPattern: $0) }
    }

    private static func typeName(_ mode: mode_t) -> String {
        switch mode {
        case S_IFIFO: "FIFO"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "mode \(String(mode, radix: 8))"
        }
    }
}
