#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Plaintext to encrypt, readable at any offset from several threads at once (so segments can be
/// sealed in parallel without a shared cursor).
public protocol PlaintextInput: Sendable {
    /// The plaintext length.
    var byteCount: Int { get }
    /// Fills `buffer` with the bytes at `offset ..< offset + buffer.count` (all within `byteCount`).
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(PrivateFileError)
}

/// A regular file read with `pread`. The size is taken when it is opened; a file that shrinks while
/// being read is an error, never silently short data.
public final class FilePlaintextInput: PlaintextInput {
    /// The file's length when opened.
    public let byteCount: Int
    private let descriptor: Int32
    private let path: String

    /// Opens `path` for reading.
    /// - Throws: `.input` when it cannot be opened or is not a regular file.
    public init(path: String) throws(PrivateFileError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .input("\(path): \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(descriptor)
            throw .input("\(path) is not a regular file (a private add needs the size up front; save the data to a file first)")
        }
        self.descriptor = descriptor
        self.byteCount = Int(status.st_size)
        self.path = path
    }

    deinit { Glibc.close(descriptor) }

    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(PrivateFileError) {
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress?.advanced(by: done), buffer.count - done, off_t(offset + done))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw .input(count == 0 ? "\(path) became shorter while it was read" : "\(path): \(String(cString: strerror(errno)))")
            }
            done += count
        }
    }
}

/// Plaintext held in memory (tests, small inputs).
public struct MemoryPlaintextInput: PlaintextInput {
    /// The bytes.
    public let bytes: [UInt8]
    /// Wraps `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var byteCount: Int { bytes.count }

    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(PrivateFileError) {
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + buffer.count)]))
        }
    }
}
