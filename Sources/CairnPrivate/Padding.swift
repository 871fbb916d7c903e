/// Hides a file's exact size: the plaintext is padded (ISO/IEC 7816-4: one 0x80 byte, then zeros) up to
/// the next multiple of a bucket that grows with the size — 4 KiB at least, otherwise 1/16 of the largest
/// power of two not above the size — so a storage node learns the size only within about 6 %.
public enum Padding {
    /// The smallest bucket.
    public static let minimumBucketByteCount = 4096
    /// The byte that marks where padding starts.
    public static let marker: UInt8 = 0x80

    /// The padded length of a `byteCount`-byte plaintext (always more than `byteCount`: the marker byte).
    public static func paddedByteCount(for byteCount: Int) -> Int {
        let needed = byteCount + 1
        var bucket = minimumBucketByteCount
        if needed > 0 {
            let power = 1 << (Int.bitWidth - 1 - needed.leadingZeroBitCount)
            bucket = max(minimumBucketByteCount, power / 16)
        }
        return (needed + bucket - 1) / bucket * bucket
    }

    /// `plaintext` with its padding.
    public static func pad(_ plaintext: [UInt8]) -> [UInt8] {
        var padded = plaintext
        padded.reserveCapacity(paddedByteCount(for: plaintext.count))
        padded.append(0x80)
        padded.append(contentsOf: repeatElement(0, count: paddedByteCount(for: plaintext.count) - plaintext.count - 1))
        return padded
    }

    /// The plaintext inside `padded`.
    /// - Throws: `.invalidPadding` when the bytes after the last 0x80 are not all zero or there is no 0x80.
    public static func unpad(_ padded: [UInt8]) throws(PrivateFileError) -> [UInt8] {
        guard let marker = padded.lastIndex(where: { $0 != 0 }), padded[marker] == 0x80 else { throw .invalidPadding }
        return Array(padded[..<marker])
    }
}
