import CairnCore
import CairnTestSupport
import Testing
@testable import CairnPrivate

/// The building blocks of the private-file format: tagged hashes, keys, segment sealing, padding.
@Suite("Private file primitives")
struct SegmentCipherTests {
    static func key(_ seed: UInt64) -> FileKey {
        var generator = SeededRandom(seed: seed)
        return FileKey.random(using: &generator)
    }

    static let fileID = HashTag.fileID.hash([Array("file one".utf8)])

    @Test("segments round-trip; any flipped bit, wrong key, wrong position, other file or other count fails")
    func sealAndOpen() throws {
        let cipher = try SegmentCipher(key: Self.key(1), fileID: Self.fileID, segmentCount: 3)
        let plaintexts = [TestData.pattern(count: 1000), [], TestData.pattern(count: 65_537)]
        let sealed = try plaintexts.enumerated().map { try cipher.seal($0.element, index: $0.offset) }
        for (index, segment) in sealed.enumerated() {
            #expect(segment.count == plaintexts[index].count + SegmentCipher.tagByteCount)
            #expect(try cipher.open(segment, index: index) == plaintexts[index])
        }
        // Every bit of a sealed segment matters.
        for bit in stride(from: 0, to: sealed[0].count * 8, by: 97) {
            var damaged = sealed[0]
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(throws: PrivateFileError.segmentAuthenticationFailed(index: 0)) { try cipher.open(damaged, index: 0) }
        }
        #expect(throws: PrivateFileError.segmentAuthenticationFailed(index: 1)) { try cipher.open(sealed[0], index: 1) }
        let wrongKey = try SegmentCipher(key: Self.key(2), fileID: Self.fileID, segmentCount: 3)
        #expect(throws: PrivateFileError.segmentAuthenticationFailed(index: 0)) { try wrongKey.open(sealed[0], index: 0) }
        let otherFile = try SegmentCipher(key: Self.key(1), fileID: HashTag.fileID.hash([Array("file two".utf8)]), segmentCount: 3)
        #expect(throws: PrivateFileError.segmentAuthenticationFailed(index: 0)) { try otherFile.open(sealed[0], index: 0) }
        // A file cut to two segments (or claimed to have four) fails: the count is authenticated.
        let truncatedFile = try SegmentCipher(key: Self.key(1), fileID: Self.fileID, segmentCount: 2)
        #expect(throws: PrivateFileError.segmentAuthenticationFailed(index: 0)) { try truncatedFile.open(sealed[0], index: 0) }
        #expect(throws: PrivateFileError.truncatedSegment(index: 0, byteCount: 15)) { try cipher.open(Array(sealed[0].prefix(15)), index: 0) }
        #expect(throws: PrivateFileError.segmentAuthenticationFailed(index: 2)) { try cipher.open(Array(sealed[2].dropLast()), index: 2) }
        #expect(throws: PrivateFileError.segmentOutOfRange(index: 3, count: 3)) { try cipher.seal([], index: 3) }
        #expect(throws: PrivateFileError.segmentOutOfRange(index: 0, count: 0)) {
            _ = try SegmentCipher(key: Self.key(1), fileID: Self.fileID, segmentCount: 0)
        }
    }

    @Test("nonces differ per segment: equal plaintexts seal to different ciphertexts")
    func noncePerSegment() throws {
        let cipher = try SegmentCipher(key: Self.key(3), fileID: Self.fileID, segmentCount: 2)
        let block = [UInt8](repeating: 0x41, count: 4096)
        #expect(try cipher.seal(block, index: 0) != cipher.seal(block, index: 1))
    }

    @Test("convergent keys: same owner + bytes + parameters → same key; other owner or parameters → another")
    func convergentKeys() throws {
        let owner = try ConvergenceSecret(bytes: [UInt8](repeating: 7, count: 32))
        let stranger = try ConvergenceSecret(bytes: [UInt8](repeating: 8, count: 32))
        let hash = HashTag.plaintext.hash([Array("the same file".utf8)])
        let parameters = Array("v1 segment=1MiB".utf8)
        let first = FileKey.convergent(plaintextHash: hash, parameters: parameters, convergenceSecret: owner)
        #expect(first == FileKey.convergent(plaintextHash: hash, parameters: parameters, convergenceSecret: owner))
        #expect(first != FileKey.convergent(plaintextHash: hash, parameters: parameters, convergenceSecret: stranger))
        #expect(first != FileKey.convergent(plaintextHash: hash, parameters: Array("v1 segment=2MiB".utf8), convergenceSecret: owner))
        #expect(first != FileKey.convergent(plaintextHash: HashTag.plaintext.hash([Array("another file".utf8)]),
                                            parameters: parameters, convergenceSecret: owner))
    }

    @Test("key material never appears in descriptions; bad key lengths are typed errors")
    func redaction() throws {
        let key = try FileKey(bytes: [UInt8](repeating: 0xAB, count: 32))
        let secret = try ConvergenceSecret(bytes: [UInt8](repeating: 0xCD, count: 32))
        for text in ["\(key)", String(reflecting: key), "\(secret)", String(reflecting: secret)] {
            #expect(!text.lowercased().contains("ab") || text.contains("redacted"))
            #expect(text.contains("redacted"))
            #expect(!text.contains("171"))
        }
        #expect(throws: PrivateFileError.invalidKey(byteCount: 31)) { _ = try FileKey(bytes: [UInt8](repeating: 0, count: 31)) }
    }

    @Test("tagged hashes separate purposes and part boundaries; streaming equals one-shot")
    func taggedHashes() {
        let data = TestData.pattern(count: 10_000)
        #expect(HashTag.plaintext.hash([data]) != HashTag.ciphertext.hash([data]))
        #expect(HashTag.fileID.hash([[1, 2], [3]]) != HashTag.fileID.hash([[1], [2, 3]]))
        var streaming = HashTag.plaintext.streamingHasher(partByteCount: UInt64(data.count))
        for chunk in stride(from: 0, to: data.count, by: 3333) { streaming.update(Array(data[chunk..<min(chunk + 3333, data.count)])) }
        #expect(streaming.finalize() == HashTag.plaintext.hash([data]))
    }

    @Test("padding hides the size within a bucket and round-trips; malformed padding is an error")
    func padding() throws {
        for size in [0, 1, 4094, 4095, 4096, 100_000, 1 << 20, (1 << 20) + 1, 10_000_019] {
            let padded = Padding.paddedByteCount(for: size)
            #expect(padded > size)
            #expect(padded % Padding.minimumBucketByteCount == 0)
            #expect(Double(padded - size) <= max(4096, Double(size) / 16) + 1)
            let bytes = TestData.pattern(count: size)
            #expect(try Padding.unpad(Padding.pad(bytes)) == bytes)
        }
        // Sizes in one bucket are indistinguishable.
        #expect(Padding.paddedByteCount(for: 1_000_000) == Padding.paddedByteCount(for: 1_010_000))
        #expect(throws: PrivateFileError.invalidPadding) { try Padding.unpad([1, 2, 3, 0]) }
        #expect(throws: PrivateFileError.invalidPadding) { try Padding.unpad([0, 0]) }
    }
}
