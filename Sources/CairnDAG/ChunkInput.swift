#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A positional byte source for the importer: the edge where file I/O happens.
///
/// `read(into:at:)` may be called concurrently from several workers with different offsets.
public protocol ChunkInput: Sendable {
    /// Fills `buffer` with the bytes starting at `offset`; returns fewer bytes than `buffer.count`
    /// only at end of input (0 at or past the end). Safe to call concurrently.
    /// - Throws: `DAGError.io` when the underlying read fails.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DAGError) -> Int
    /// The expected total size, when known up front; used only to size batches, never for correctness.
    var byteCountHint: UInt64? { get }
    /// Whether reads at different offsets may run concurrently; when false the importer reads
    /// chunks strictly in order from one worker (pipes, stdin).
    var supportsConcurrentReads: Bool { get }
}

extension ChunkInput {
    /// No hint by default.
    public var byteCountHint: UInt64? { nil }
    /// Positional inputs support concurrent reads by default.
    public var supportsConcurrentReads: Bool { true }
}

/// In-memory input, used by tests and for small payloads.
public struct MemoryChunkInput: ChunkInput {
    /// The bytes served.
    public let bytes: [UInt8]
    /// Wraps `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The number of bytes held.
    public var byteCountHint: UInt64? { UInt64(bytes.count) }

    /// Copies the bytes at `offset` into `buffer`; returns 0 past the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DAGError) -> Int {
        guard offset < UInt64(bytes.count) else { return 0 }
        let start = Int(offset)
        let n = min(buffer.count, bytes.count - start)
        bytes.withUnsafeBytes { source in
            guard let dst = buffer.baseAddress, let src = source.baseAddress else { return }
            dst.copyMemory(from: src + start, byteCount: n)
        }
        return n
    }
}

/// A regular file read with `pread`; owns its descriptor and closes it when released.
public final class FileChunkInput: ChunkInput {
    // Safety of Sendable: `descriptor` and `path` are immutable after init; `pread` is thread-safe on
    // one descriptor because it does not use the shared file offset.
    private let descriptor: Int32
    /// The path opened.
    public let path: String

    /// Opens `path` read-only.
    /// - Throws: `DAGError.io` when the file cannot be opened.
    public init(path: String) throws(DAGError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "open", reason: String(cString: strerror(errno))) }
        self.descriptor = fd
        self.path = path
        var info = stat()
        self.byteCountHint = fstat(fd, &info) == 0 ? UInt64(clamping: info.st_size) : nil
    }

    /// The file size at open time.
    public let byteCountHint: UInt64?

    deinit { _ = closeDescriptor(descriptor) }

    /// Fills `buffer` with `pread` from `offset`, retrying short reads until end of file.
    /// - Throws: `DAGError.io` with the `errno` text.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DAGError) -> Int {
        var done = 0
        while done < buffer.count {
            guard let base = buffer.baseAddress else { return 0 }
            let n = pread(descriptor, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}

@inline(__always)
private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
