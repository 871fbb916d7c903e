import CairnCore

/// The choices that shape a private file's stored form: k of n shares per segment and the plaintext
/// bytes per segment.
public struct ErasureParameters: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Shares needed to read a segment.
    public var dataShareCount: Int
    /// Shares stored per segment.
    public var totalShareCount: Int
    /// Plaintext bytes per segment (the last segment may be shorter).
    public var segmentByteCount: Int

    /// The default: 10 of 20 shares (any 10 rebuild a segment, 2× overhead), 1 MiB segments. At 2 %
    /// provider loss a day and daily repair this is the scheme the durability notes recommend for
    /// small objects (docs/specs/private.md).
    public static let standard = ErasureParameters(dataShareCount: 10, totalShareCount: 20, segmentByteCount: 1 << 20)

    /// The smallest and largest segment sizes.
    public static let segmentByteCountRange = 4096...(8 << 20)
    /// The largest share (a share is one block; blocks stay under the 2 MiB Bitswap limit).
    public static let maximumShareByteCount = (1 << 20) + 4096

    /// Creates parameters; call ``validate()`` before use.
    public init(dataShareCount: Int, totalShareCount: Int, segmentByteCount: Int) {
        self.dataShareCount = dataShareCount
        self.totalShareCount = totalShareCount
        self.segmentByteCount = segmentByteCount
    }

    /// Parses `K/N` (for example `10/20`), keeping this segment size.
    public init(shares text: String, segmentByteCount: Int = ErasureParameters.standard.segmentByteCount) throws(PrivateFileError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw .invalidParameters("shares must be written K/N, for example 10/20 (got \"\(text)\")")
        }
        self.init(dataShareCount: k, totalShareCount: n, segmentByteCount: segmentByteCount)
        try validate()
    }

    /// Checks 1 ≤ k < n ≤ 255, the segment size range, and that one share fits in a block.
    public func validate() throws(PrivateFileError) {
        guard dataShareCount >= 1, dataShareCount < totalShareCount, totalShareCount <= 255 else {
            throw .invalidParameters("shares \(dataShareCount)/\(totalShareCount): need 1 ≤ K < N ≤ 255")
        }
        guard Self.segmentByteCountRange.contains(segmentByteCount) else {
            throw .invalidParameters("segment size \(segmentByteCount) is outside \(Self.segmentByteCountRange)")
        }
        let share = (segmentByteCount + SegmentCipher.tagByteCount + dataShareCount - 1) / dataShareCount + ShareHeader.byteCount
        guard share <= Self.maximumShareByteCount else {
            throw .invalidParameters("a \(segmentByteCount)-byte segment in \(dataShareCount) shares makes \(share)-byte shares; "
                                     + "the limit is \(Self.maximumShareByteCount): use a smaller segment or a larger K")
        }
    }

    public var description: String { "\(dataShareCount)/\(totalShareCount), \(segmentByteCount)-byte segments" }
}

/// Where every byte of a private file goes: the padded plaintext split into segments, each sealed (16 more
/// bytes) and split into k equal data shares (the last zero-filled) plus n − k parity shares.
public struct PrivateLayout: Sendable, Equatable {
    /// The erasure parameters.
    public let parameters: ErasureParameters
    /// The padded plaintext length (a multiple of the padding bucket; the real length is inside).
    public let paddedByteCount: Int
    /// The number of segments.
    public let segmentCount: Int

    /// The largest padded file: 2^50 bytes (1 PiB).
    public static let maximumPaddedByteCount = 1 << 50

    /// The layout of a padded plaintext of `paddedByteCount` bytes.
    /// - Throws: `.invalidParameters` for bad parameters or an absurd size.
    public init(parameters: ErasureParameters, paddedByteCount: Int) throws(PrivateFileError) {
        try parameters.validate()
        guard paddedByteCount > 0, paddedByteCount <= Self.maximumPaddedByteCount else {
            throw .invalidParameters("padded size \(paddedByteCount) is outside 1...\(Self.maximumPaddedByteCount)")
        }
        self.parameters = parameters
        self.paddedByteCount = paddedByteCount
        self.segmentCount = (paddedByteCount + parameters.segmentByteCount - 1) / parameters.segmentByteCount
    }

    /// The layout for a plaintext of `plaintextByteCount` bytes (padded with ``Padding``).
    public init(parameters: ErasureParameters, plaintextByteCount: Int) throws(PrivateFileError) {
        guard plaintextByteCount >= 0, plaintextByteCount < Self.maximumPaddedByteCount else {
            throw .invalidParameters("file size \(plaintextByteCount) is outside 0..<\(Self.maximumPaddedByteCount)")
        }
        try self.init(parameters: parameters, paddedByteCount: Padding.paddedByteCount(for: plaintextByteCount))
    }

    /// k.
    public var dataShareCount: Int { parameters.dataShareCount }
    /// n.
    public var totalShareCount: Int { parameters.totalShareCount }

    /// The padded-plaintext offset where segment `index` starts.
    public func plaintextOffset(ofSegment index: Int) -> Int { index * parameters.segmentByteCount }

    /// The plaintext bytes in segment `index`.
    public func plaintextByteCount(ofSegment index: Int) -> Int {
        min(parameters.segmentByteCount, paddedByteCount - plaintextOffset(ofSegment: index))
    }

    /// The sealed bytes of segment `index` (plaintext plus the tag).
    public func sealedByteCount(ofSegment index: Int) -> Int {
        plaintextByteCount(ofSegment: index) + SegmentCipher.tagByteCount
    }

    /// The coded bytes in each share of segment `index` (after the share header).
    public func payloadByteCount(ofSegment index: Int) -> Int {
        (sealedByteCount(ofSegment: index) + dataShareCount - 1) / dataShareCount
    }

    /// The bytes of each share block of segment `index`: header and payload.
    public func shareByteCount(ofSegment index: Int) -> Int {
        ShareHeader.byteCount + payloadByteCount(ofSegment: index)
    }

    /// The total bytes of all shares of all segments (what the file costs to store).
    public var storedByteCount: Int {
        guard segmentCount > 1 else { return shareByteCount(ofSegment: 0) * totalShareCount }
        return shareByteCount(ofSegment: 0) * totalShareCount * (segmentCount - 1)
            + shareByteCount(ofSegment: segmentCount - 1) * totalShareCount
    }

    /// An encoding of every layout choice (bound into the file ID and the convergent key).
    var encodedParameters: [UInt8] {
        [PrivateManifest.formatVersion, PrivateManifest.Cipher.aes256GCM.rawValue, UInt8(dataShareCount), UInt8(totalShareCount)]
            + SegmentCipher.uint64(parameters.segmentByteCount) + SegmentCipher.uint64(paddedByteCount)
    }
}

/// The 48 bytes in front of every share's coded payload, binding the share to its file, segment and
/// index, so a share served in another place is recognised (and two shares never have equal bytes, so
/// never one CID): `"CSH"` ‖ version u8 ‖ share index u8 ‖ n u8 ‖ k u8 ‖ 0 ‖ segment u64be ‖ file ID (32).
public struct ShareHeader: Sendable, Equatable {
    /// The header length.
    public static let byteCount = 48
    static let magic = Array("CSH".utf8)

    /// The file ID.
    public var fileID: [UInt8]
    /// The segment index.
    public var segment: Int
    /// The share index.
    public var share: Int
    /// k.
    public var dataShareCount: Int
    /// n.
    public var totalShareCount: Int

    /// Creates a header.
    public init(fileID: [UInt8], segment: Int, share: Int, dataShareCount: Int, totalShareCount: Int) {
        self.fileID = fileID
        self.segment = segment
        self.share = share
        self.dataShareCount = dataShareCount
        self.totalShareCount = totalShareCount
    }

    /// The encoded header.
    public var bytes: [UInt8] {
        Self.magic + [PrivateManifest.formatVersion, UInt8(share), UInt8(totalShareCount), UInt8(dataShareCount), 0]
            + WireInteger.bytes(UInt64(segment)) + fileID
    }

    /// Writes the header into the first 48 bytes of `destination`.
    func write(into destination: UnsafeMutableRawBufferPointer) {
        bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: destination[..<Self.byteCount]).copyMemory(from: $0) }
    }

    /// Whether `share` starts with exactly this header.
    func matches(_ share: [UInt8]) -> Bool {
        share.count >= Self.byteCount && share.prefix(Self.byteCount).elementsEqual(bytes)
    }
}
