#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Saves and loads a node's ``PrivateKey`` (its protobuf form) with owner-only permissions.
///
/// `save` writes a temporary file created with `O_CREAT | O_EXCL` and mode `0600` in the same
/// directory, fsyncs it and renames it over the destination, so the key is never visible with
/// wider permissions or half-written. `load` refuses a file that group or others can access,
/// as OpenSSH does for private keys.
public enum KeyFile {
    /// The permission bits a key file is created with (owner read and write).
    public static let mode: mode_t = 0o600
    /// The largest key file `load` reads, in bytes; a serialized Ed25519 key is 68.
    public static let maximumByteCount = 16 * 1024

    /// Writes `key` to `path` atomically with mode `0600`, replacing any existing file.
    /// - Throws: `.keyFileSystemCall` naming the failing call and its errno.
    public static func save(_ key: PrivateKey, to path: String) throws(CryptoError) {
        let temporaryPath = path + ".tmp-\(UInt64.random(in: .min ... .max))"
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .keyFileSystemCall(path: temporaryPath, operation: "open", errno: errno) }
        var succeeded = false
        defer {
            if !succeeded { unlink(temporaryPath) }
        }
        do {
            defer { close(fd) }
            try writeAll(key.protobufBytes, to: fd, path: temporaryPath)
            guard fsync(fd) == 0 else { throw .keyFileSystemCall(path: temporaryPath, operation: "fsync", errno: errno) }
        }
        guard rename(temporaryPath, path) == 0 else {
            throw .keyFileSystemCall(path: path, operation: "rename", errno: errno)
        }
        succeeded = true
    }

    /// Reads the private key stored at `path`.
    /// - Throws: `.insecureKeyFilePermissions` when group or others have any access,
    ///   `.keyFileSystemCall` for I/O failures, `.tooLarge` over `maximumByteCount`, and the
    ///   decoding errors of ``PrivateKey/init(protobufBytes:)``.
    public static func load(from path: String) throws(CryptoError) -> PrivateKey {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .keyFileSystemCall(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .keyFileSystemCall(path: path, operation: "fstat", errno: errno) }
        let permissions = UInt32(status.st_mode) & 0o777
        guard permissions & 0o077 == 0 else { throw .insecureKeyFilePermissions(path: path, mode: permissions) }
        guard status.st_size <= maximumByteCount else {
            throw .tooLarge(context: "key file \(path)", byteCount: Int(status.st_size), limit: maximumByteCount)
        }
        let bytes = try readAll(fd: fd, path: path)
        return try PrivateKey(protobufBytes: bytes)
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(CryptoError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .keyFileSystemCall(path: path, operation: "write", errno: errno)
            }
            offset += written
        }
    }

    private static func readAll(fd: Int32, path: String) throws(CryptoError) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .keyFileSystemCall(path: path, operation: "read", errno: errno)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
            guard result.count <= maximumByteCount else {
                throw .tooLarge(context: "key file \(path)", byteCount: result.count, limit: maximumByteCount)
            }
        }
    }
}
