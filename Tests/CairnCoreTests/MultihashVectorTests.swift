import CairnCore
import Testing

/// Runs multiformats/multihash `tests/values/test_cases.csv` (columns: algorithm, bits, input, multihash hex;
/// the input column is hashed as ASCII text, as `gen_multihashes.py` pipes it to the `multihash` tool).
@Suite struct MultihashVectorTests {
    /// Algorithms in the vectors that Cairn parses but does not compute: SHA-1 is broken for content
    /// addressing and SHA3-512 has no use in IPFS data. Their rows are still parsed and re-encoded.
    static let uncomputedAlgorithms: Set<String> = ["sha1", "sha3"]

    /// The multihash code of each algorithm name used in the file (`sha3` there means SHA3-512).
    static let codes: [String: Multihash.Function] = [
        "sha1": .sha1, "sha2-256": .sha2_256, "sha2-512": .sha2_512, "sha3": .sha3_512,
    ]

    struct Row {
        let algorithm: String
        let bits: Int
        let input: [UInt8]
        let multihash: [UInt8]
    }

    static func load() throws -> [Row] {
        let lines = try VectorFiles.text("multihash/test_cases.csv").split(whereSeparator: \.isNewline).dropFirst()
        return lines.compactMap { line in
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count == 4, let bits = Int(fields[1]) else { return nil }
            // The generator hashes the input column as text (the hex digits themselves), not as bytes.
            return Row(algorithm: fields[0], bits: bits, input: Array(fields[2].utf8), multihash: VectorFiles.hex(fields[3]))
        }
    }

    @Test func parsesAndReencodesEveryRow() throws {
        let rows = try Self.load()
        #expect(rows.count == 260)
        for row in rows {
            let function = try #require(Self.codes[row.algorithm], "unknown algorithm \(row.algorithm)")
            let multihash = try Multihash(bytes: row.multihash)
            #expect(multihash.function == function)
            #expect(multihash.digest.count * 8 == row.bits)
            #expect(multihash.bytes == row.multihash)
            #expect(multihash.isTruncated == (row.bits / 8 < (function.fixedDigestByteCount ?? 0)))
        }
    }

    @Test func computesSHA2RowsAndVerifiesTruncatedDigests() throws {
        var computed = 0
        for row in try Self.load() where !Self.uncomputedAlgorithms.contains(row.algorithm) {
            let multihash = try Multihash(bytes: row.multihash)
            let full = try Multihash.compute(multihash.function, of: row.input)
            #expect(Array(full.digest.prefix(row.bits / 8)) == multihash.digest, "\(row.algorithm) \(row.bits)")
            if multihash.digest.count >= Multihash.minimumVerifiableDigestByteCount {
                #expect(try multihash.matches(row.input))
                #expect(try !multihash.matches(row.input + [0]))
            } else {
                #expect(throws: MultiformatError.digestTooShort(code: multihash.function.rawValue, byteCount: multihash.digest.count,
                                                                minimum: Multihash.minimumVerifiableDigestByteCount)) {
                    try multihash.matches(row.input)
                }
            }
            computed += 1
        }
        #expect(computed == 140)
    }

    @Test func uncomputedFunctionsSayWhy() throws {
        let sha3 = try Multihash(bytes: VectorFiles.hex("14" + "40" + String(repeating: "00", count: 64)))
        #expect(throws: MultiformatError.unsupportedHashFunction(code: 0x14)) { try sha3.matches([1, 2, 3]) }
    }
}

private let zeros33: String = String(repeating: "00", count: 33)

@Suite struct MultihashErrorTests {
    @Test(arguments: [
        ("", MultiformatError.truncated(context: "multihash function code")),
        ("12", MultiformatError.truncated(context: "multihash digest length")),
        ("1220ab", MultiformatError.truncated(context: "multihash digest")),
        ("1221" + zeros33, .digestLengthMismatch(code: 0x12, expected: 32, actual: 33)),
        ("008101", MultiformatError.tooLarge(context: "multihash digest", byteCount: 129, limit: 128)),
        ("0001aa00", MultiformatError.trailingBytes(context: "multihash", count: 1)),
        ("920000", .varintNotMinimal),
    ] as [(String, MultiformatError)])
    func malformedMultihash(hex: String, error: MultiformatError) {
        #expect(throws: error) { try Multihash(bytes: VectorFiles.hex(hex)) }
    }

    @Test func identityMatchesOnlyItsContent() throws {
        let identity = try Multihash(bytes: VectorFiles.hex("0003616263"))
        #expect(try identity.matches(Array("abc".utf8)))
        #expect(try !identity.matches(Array("abd".utf8)))
        #expect(try !identity.matches(Array("abcd".utf8)))
    }
}
