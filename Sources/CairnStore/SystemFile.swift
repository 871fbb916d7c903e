import Foundation

/// Thin wrappers over the POSIX calls the file blockstore needs, turning `-1`/`errno` into
/// `StoreError.io` that names the operation and path, and retrying on `EINTR`.
///
/// These are free of shared state; each call works on its own file descriptor.
enum SystemFile {
    /// Permission bits for block files: readable by everyone, writable by the owner.
    static let fileMode: mode_t = 0o644
    /// Permission bits for shard and staging directories.
    static let directoryMode: mode_t = 0o755

    /// Creates `path` exclusively, writes all of `bytes` with a `write(2)` loop and closes it.
    /// On any failure the partial file is removed before the error is thrown.
    static func createAndWrite(_ path: String, bytes: UnsafeRawBufferPointer) throws(StoreError) {
        let fd = retryingOnInterrupt { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode) }
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        var offset = 0
        while offset < bytes.count {
            let remaining = bytes.count - offset
            let written = bytes.baseAddress.map { base in
                retryingOnInterrupt { Foundation.write(fd, base + offset, remaining) }
            } ?? 0
            if written < 0 || (written == 0 && remaining > 0) {
                let code = written < 0 ? errno : EIO
                close(fd)
                unlink(path)
                throw .io(operation: "write", path: path, errno: code)
            }
            offset += written
        }
        if close(fd) != 0 {
            let code = errno
            unlink(path)
            throw .io(operation: "close", path: path, errno: code)
        }
    }

    /// Creates `path` exclusively and writes `contents` to it (for small metadata files).
    static func createAndWrite(_ path: String, contents: [UInt8]) throws(StoreError) {
        let result = contents.withUnsafeBytes { bytes in
            Result { () throws(StoreError) in try createAndWrite(path, bytes: bytes) }
        }
        try result.get()
    }

    /// Reads the whole file at `path` into one array sized from `fstat`; nil when it does not exist.
    static func readAll(_ path: String) throws(StoreError) -> [UInt8]? {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw .io(operation: "open", path: path, errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        let size = Int(info.st_size)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size, let base = buffer.baseAddress {
                let n = retryingOnInterrupt { read(fd, base + count, size - count) }
                if n < 0 { failure = errno; break }
                if n == 0 { break }  // The file shrank under us; the hash check reports it.
                count += n
            }
        }
        if failure != 0 { throw .io(operation: "read", path: path, errno: failure) }
        return bytes
    }

    /// The size in bytes of the regular file at `path`, or nil when it does not exist.
    static func fileSize(_ path: String) throws(StoreError) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw .io(operation: "stat", path: path, errno: code)
        }
        return Int(info.st_size)
    }

    /// Removes the file at `path`; returns false when it did not exist.
    @discardableResult
    static func remove(_ path: String) throws(StoreError) -> Bool {
        guard unlink(path) == 0 else {
            let code = errno
            if code == ENOENT { return false }
            throw .io(operation: "unlink", path: path, errno: code)
        }
        return true
    }

    /// Creates the directory at `path` unless it already exists.
    static func makeDirectory(_ path: String) throws(StoreError) {
        guard mkdir(path, directoryMode) == 0 else {
            let code = errno
            if code == EEXIST { return }
            throw .io(operation: "mkdir", path: path, errno: code)
        }
    }

    /// Atomically renames `source` to `destination` (same file system).
    static func rename(_ source: String, to destination: String) throws(StoreError) {
        guard Foundation.rename(source, destination) == 0 else {
            throw .io(operation: "rename", path: "\(source) -> \(destination)", errno: errno)
        }
    }

    /// Opens `path` (a file or directory) read-only and calls `fsync(2)` on it.
    static func fsyncPath(_ path: String) throws(StoreError) {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    /// Flushes every dirty page and inode of the file system holding `path` with one `syncfs(2)`.
    /// Returns false when the platform has no `syncfs`, so the caller must fsync file by file.
    static func syncFileSystem(containing path: String) throws(StoreError) -> Bool {
        #if os(Linux)
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard let syncfs = linuxSyncfs else { return false }
        guard syncfs(fd) == 0 else {
            let code = errno
            if code == ENOSYS { return false }
            throw .io(operation: "syncfs", path: path, errno: code)
        }
        return true
        #else
        return false
        #endif
    }

    #if os(Linux)
    /// `syncfs(2)`, looked up at run time because Glibc declares it only under `_GNU_SOURCE`, which the
    /// Swift Glibc module does not define; nil when the C library lacks it. An immutable constant.
    private static let linuxSyncfs: (@convention(c) (Int32) -> Int32)? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()
    #endif

    /// One directory entry: its name and whether it is a directory.
    struct Entry {
        /// The entry's name (no path).
        var name: String
        /// True for directories (symlinks and others count as files).
        var isDirectory: Bool
    }

    /// Lists the entries of the directory at `path`, without `.` and `..`; nil when it does not exist.
    static func list(_ path: String) throws(StoreError) -> [Entry]? {
        guard let dir = opendir(path) else {
            let code = errno
            if code == ENOENT { return nil }
            throw .io(operation: "opendir", path: path, errno: code)
        }
        defer { closedir(dir) }
        var entries: [Entry] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var isDirectory = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                var info = stat()
                isDirectory = stat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            entries.append(Entry(name: name, isDirectory: isDirectory))
        }
        return entries
    }

    /// Calls `body` until it stops failing with `EINTR`.
    static func retryingOnInterrupt<T: BinaryInteger>(_ body: () -> T) -> T {
        while true {
            let result = body()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }
}
