import Crypto
import Foundation

/// Seals and opens the segments of one private file with AES-256-GCM.
///
/// - Nonce: 4 zero bytes ‖ the segment index as a 64-bit big-endian integer. A key seals exactly one file
///   (fresh random keys; convergent keys are bound to the plaintext and layout), and each index is sealed
///   once, so no nonce repeats under a key.
/// - Associated data: `HashTag.segmentAssociatedData` over (file ID, index, count): a segment moved to
///   another position, another file, or a file cut short or extended fails authentication.
public struct SegmentCipher: Sendable {
    /// The AES-GCM tag length appended to every sealed segment.
    public static let tagByteCount = 16
    /// The most segments one file may have (bounds the index in the nonce and any count read from input).
    public static let maximumSegmentCount = 1 << 40

    let key: FileKey
    /// The file's identity, bound into every segment.
    public let fileID: [UInt8]
    /// The number of segments in the file.
    public let segmentCount: Int

    /// A cipher for the file `fileID` of `segmentCount` segments under `key`.
    /// - Throws: `.segmentOutOfRange` for a count outside `1...maximumSegmentCount`.
    public init(key: FileKey, fileID: [UInt8], segmentCount: Int) throws(PrivateFileError) {
        guard (1...Self.maximumSegmentCount).contains(segmentCount) else {
            throw .segmentOutOfRange(index: 0, count: segmentCount)
        }
        self.key = key
        self.fileID = fileID
        self.segmentCount = segmentCount
    }

    /// `plaintext` sealed as segment `index`: ciphertext ‖ 16-byte tag.
    public func seal(_ plaintext: [UInt8], index: Int) throws(PrivateFileError) -> [UInt8] {
        var sealed = [UInt8](repeating: 0, count: plaintext.count + Self.tagByteCount)
        let outcome = plaintext.withUnsafeBytes { source in
            sealed.withUnsafeMutableBytes { destination in
                Result { () throws(PrivateFileError) in try seal(source, index: index, into: destination) }
            }
        }
        try outcome.get()
        return sealed
    }

    /// The plaintext of sealed segment `index`.
    /// - Throws: `.truncatedSegment`, `.segmentAuthenticationFailed` (wrong key, any changed bit, a segment
    ///   from elsewhere).
    public func open(_ sealed: [UInt8], index: Int) throws(PrivateFileError) -> [UInt8] {
        try sealed.withUnsafeBytes { buffer in Result { () throws(PrivateFileError) in try open(buffer, index: index) } }.get()
    }

    func nonce(for index: Int) throws(PrivateFileError) -> AES.GCM.Nonce {
        guard (0..<segmentCount).contains(index) else { throw .segmentOutOfRange(index: index, count: segmentCount) }
        var bytes = [UInt8](repeating: 0, count: 12)
        var value = UInt64(index).bigEndian
        withUnsafeBytes(of: &value) { bytes.replaceSubrange(4..<12, with: $0) }
        do {
            return try AES.GCM.Nonce(data: bytes)
        } catch {
            throw .segmentOutOfRange(index: index, count: segmentCount)
        }
    }

    func associatedData(for index: Int) -> [UInt8] {
        HashTag.segmentAssociatedData.hash([fileID, Self.uint64(index), Self.uint64(segmentCount)])
    }

    static func uint64(_ value: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(value).bigEndian) { Array($0) }
    }
}

extension SegmentCipher {
    /// Seals `plaintext` as segment `index` straight into `destination` (ciphertext ‖ tag, which must
    /// hold `plaintext.count + tagByteCount` bytes), avoiding the array copies of ``seal(_:index:)``.
    public func seal(_ plaintext: UnsafeRawBufferPointer, index: Int, into destination: UnsafeMutableRawBufferPointer) throws(PrivateFileError) {
        precondition(destination.count >= plaintext.count + Self.tagByteCount, "destination too small")
        let nonce = try nonce(for: index)
        do {
            let box = try AES.GCM.seal(plaintext, using: key.symmetricKey, nonce: nonce, authenticating: associatedData(for: index))
            box.ciphertext.withUnsafeBytes { destination.copyMemory(from: $0) }
            box.tag.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: destination[plaintext.count...]).copyMemory(from: $0) }
        } catch {
            // AES-GCM sealing fails only for invalid parameters, which the nonce check excludes.
            throw .segmentAuthenticationFailed(index: index)
        }
    }

    /// Opens sealed segment `index` (ciphertext ‖ tag) and returns its plaintext.
    /// - Throws: `.truncatedSegment`, `.segmentAuthenticationFailed`.
    public func open(_ sealed: UnsafeRawBufferPointer, index: Int) throws(PrivateFileError) -> [UInt8] {
        let nonce = try nonce(for: index)
        guard sealed.count >= Self.tagByteCount else { throw .truncatedSegment(index: index, byteCount: sealed.count) }
        let split = sealed.count - Self.tagByteCount
        do {
            let box = try AES.GCM.SealedBox(nonce: nonce, ciphertext: UnsafeRawBufferPointer(rebasing: sealed[..<split]),
                                            tag: UnsafeRawBufferPointer(rebasing: sealed[split...]))
            let opened = try AES.GCM.open(box, using: key.symmetricKey, authenticating: associatedData(for: index))
            return [UInt8](unsafeUninitializedCapacity: opened.count) { buffer, count in
                count = opened.copyBytes(to: buffer)
            }
        } catch {
            throw .segmentAuthenticationFailed(index: index)
        }
    }
}
