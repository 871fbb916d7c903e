import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-seekable input (stdin, a pipe, a socket) read sequentially with `read(2)`.
///
/// The importer sees `supportsConcurrentReads == false` and asks for chunks strictly in order from
/// one worker; a request for any other offset throws, so a misuse can never reorder file bytes.
/// The descriptor is not closed (the caller owns it).
public final class StreamChunkInput: ChunkInput {
    // Sendable: `descriptor` and `name` are immutable; the read position is guarded by a Mutex.
    private let descriptor: Int32
    private let name: String
    private let position = Mutex<UInt64>(0)

    /// Wraps `fileDescriptor` (for example `STDIN_FILENO`); `name` is used in error messages.
    public init(fileDescriptor: Int32, name: String = "<stdin>") {
        self.descriptor = fileDescriptor
        self.name = name
    }

    /// Streams cannot be read from two workers.
    public var supportsConcurrentReads: Bool { false }

    /// Reads the next bytes, which must start at `offset` (the current stream position).
    /// - Throws: `DAGError.io` on read errors or an out-of-order offset.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(DAGError) -> Int {
        let result: Result<Int, DAGError> = position.withLock { current in
            guard offset == current else {
                return .failure(.io(path: name, operation: "read", reason: "out-of-order read at \(offset), stream is at \(current)"))
            }
            var done = 0
            while done < buffer.count {
                guard let base = buffer.baseAddress else { break }
                let n = readDescriptor(descriptor, base + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return .failure(.io(path: name, operation: "read", reason: String(cString: strerror(errno))))
                }
                if n == 0 { break }
                done += n
            }
            current += UInt64(done)
            return .success(done)
        }
        return try result.get()
    }
}

@inline(__always)
private func readDescriptor(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
