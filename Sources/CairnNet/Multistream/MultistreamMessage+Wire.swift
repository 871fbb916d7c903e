import CairnCore

extension MultistreamMessage {
    /// Appends the wire form (`uvarint(len) | text | \n`) to `buffer`.
    public func encode(into buffer: inout [UInt8]) {
        Varint.encode(UInt64(encodedTextByteCount), into: &buffer)
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0a)
    }

    /// The wire form of this message (`uvarint(len) | text | \n`).
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedTextByteCount + 2)
        encode(into: &out)
        return out
    }

    /// Decodes one message at the start of `bytes`, or returns `nil` when more bytes are needed.
    ///
    /// The length prefix is checked against `maximumMessageByteCount` as soon as it is readable, so an
    /// oversized message is rejected before its body arrives.
    /// - Returns: the message and the number of bytes it occupied, or `nil` if `bytes` holds only part of it.
    /// - Throws: `MultistreamError` for a malformed prefix, an oversized or empty message, a missing or
    ///   embedded newline, or invalid UTF-8.
    public static func decode(
        prefixOf bytes: ArraySlice<UInt8>,
        maximumMessageByteCount: Int
    ) throws(MultistreamError) -> (message: MultistreamMessage, byteCount: Int)? {
        let length: UInt64
        let prefixCount: Int
        do {
            (length, prefixCount) = try Varint.decode(bytes)
        } catch .truncated {
            let maximumPrefix = Varint.byteCount(UInt64(maximumMessageByteCount))
            if bytes.count >= maximumPrefix {
                throw .lengthPrefixTooLong(prefixByteCount: bytes.count, limit: maximumMessageByteCount)
            }
            return nil
        } catch {
            throw .invalidLengthPrefix(error)
        }
        guard length <= UInt64(maximumMessageByteCount) else {
            throw .messageTooLarge(byteCount: Int(clamping: length), limit: maximumMessageByteCount)
        }
        let bodyCount = Int(length)
        guard bodyCount > 0 else { throw .emptyMessage }
        guard bytes.count - prefixCount >= bodyCount else { return nil }
        let bodyStart = bytes.startIndex + prefixCount
        let body = bytes[bodyStart..<bodyStart + bodyCount]
        guard body.last == 0x0a else { throw .missingNewline }
        let textBytes = body.dropLast()
        guard !textBytes.contains(0x0a) else { throw .embeddedNewline }
        guard let text = String(validating: textBytes, as: UTF8.self) else { throw .invalidUTF8 }
        return (MultistreamMessage(uncheckedText: text), prefixCount + bodyCount)
    }
}
