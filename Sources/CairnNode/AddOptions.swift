import CairnCore
import CairnDAG
import Foundation

/// How `add` imports files: the `ipfs add` settings that decide the CID, and what to record.
public struct AddOptions: Sendable {
    /// CID version of the built nodes (`--cid-version`); v1 switches raw leaves on unless set.
    public var cidVersion: CID.Version = .v0
    /// Raw leaves (`--raw-leaves`); nil means the default for the CID version.
    public var rawLeaves: Bool?
    /// The chunker specification (`--chunker size-N`).
    public var chunker: String = "size-262144"
    /// Whether to pin each added top-level item (`--pin`).
    public var pin = true
    /// Whether directories may be added (`-r`).
    public var recursive = false
    /// Whether dotfiles inside directories are included (`-H`).
    public var includeHidden = false

    /// Creates the defaults of `ipfs add`.
    public init() {}

    /// The path that stands for standard input (`cairn add -`).
    public static let standardInputPath = "-"


    /// The importer settings these options describe.
    /// - Throws: `NodeError(.invalidInput)` for a bad chunker string.
    func importerOptions() throws -> FileImporter.Options {
        do {
            return FileImporter.Options(chunker: try Chunker(parsing: chunker), cidVersion: cidVersion, rawLeaves: rawLeaves)
        } catch {
            throw NodeError(.invalidInput, "\(error); use --chunker size-N", cause: error)
        }
    }

    /// Checks that every path exists and that directories are only given with `recursive`.
    /// Looks at the named paths only, not inside directories.
    /// - Throws: `NodeError(.invalidInput)` saying which path is wrong and what to do.
    func validate(_ paths: [String]) throws {
        for path in paths where path != Self.standardInputPath {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw NodeError(.invalidInput, "cannot add \(path): no such file or directory")
            }
            if isDirectory.boolValue && !recursive {
                throw NodeError(.invalidInput, "\(path) is a directory; use `cairn add -r` to add directories")
            }
        }
    }

    /// The total size of the regular files `add` would read, for the progress bar.
    /// - Throws: `NodeError(.invalidInput)` as `validate` does.
    public func totalBytes(of paths: [String]) throws -> Int64 {
        try validate(paths)
        var total: Int64 = 0
        let fm = FileManager.default
        for path in paths where path != Self.standardInputPath {
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: path, isDirectory: &isDirectory)
            guard isDirectory.boolValue else {
                total += Int64((try? fm.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
                continue
            }
            let walker = fm.enumerator(at: URL(fileURLWithPath: path), includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey],
                                       options: includeHidden ? [] : [.skipsHiddenFiles])
            while let url = walker?.nextObject() as? URL {
                let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
                if values?.isRegularFile == true { total += Int64(values?.fileSize ?? 0) }
            }
        }
        return total
    }
}

/// One item `add` imported: a file, or a directory with everything in it.
public struct AddedEntry: Sendable, Codable, Equatable {
    /// The name printed by `add`: the base name for top-level items, `dir/sub/file` inside directories.
    public let name: String
    /// The item's root CID.
    public let cid: CID
    /// The item's cumulative size in bytes (file bytes for files, Tsize for directories).
    public let size: UInt64
    /// Whether this is one of the paths named on the command line (these get pinned).
    public let isTopLevel: Bool

    /// Creates an entry.
    public init(name: String, cid: CID, size: UInt64, isTopLevel: Bool) {
        self.name = name
        self.cid = cid
        self.size = size
        self.isTopLevel = isTopLevel
    }
}
