import Foundation
import CairnCore
import Testing

/// Runs the published multiformats/multibase `tests/*.csv` vectors.
@Suite struct MultibaseVectorTests {
    /// Bases in the published vectors that Cairn deliberately does not implement: base256emoji is not
    /// ASCII and has no use in CIDs or peer IDs. Every other base in the files must be supported.
    static let skippedBases: Set<String> = ["base256emoji"]

    /// One parsed CSV file: the decoded input and `(base name, encoded string)` rows.
    struct VectorFile {
        let input: [UInt8]
        let rows: [(base: String, encoded: String)]
    }

    static func load(_ name: String) throws -> VectorFile {
        let lines = try VectorFiles.text("multibase/\(name)").split(whereSeparator: \.isNewline)
        var parsed: [(String, String)] = []
        for line in lines {
            guard let comma = line.firstIndex(of: ",") else { continue }
            let key = line[..<comma].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: comma)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            parsed.append((key, value))
        }
        guard let first = parsed.first, first.0.hasSuffix("encoding") else { throw VectorFileError.missingResources }
        return VectorFile(input: unescape(first.1), rows: parsed.dropFirst().map { (base: $0.0, encoded: $0.1) })
    }

    /// Decodes the `\xNN` escapes used in the vector headers.
    static func unescape(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count, utf8[i + 1] == UInt8(ascii: "x") {
                out.append(contentsOf: VectorFiles.hex(String(decoding: utf8[(i + 2)...(i + 3)], as: UTF8.self)))
                i += 4
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        return out
    }

    @Test(arguments: ["basic.csv", "leading_zero.csv", "two_leading_zeros.csv"])
    func encodesAndDecodesEveryBase(file: String) throws {
        let vectors = try Self.load(file)
        #expect(vectors.rows.count >= 20)
        for row in vectors.rows {
            guard let base = Multibase(name: row.base) else {
                #expect(Self.skippedBases.contains(row.base), "\(file): base \(row.base) is neither supported nor skipped")
                continue
            }
            #expect(base.encode(vectors.input) == row.encoded, "\(file) \(row.base) encode")
            let decoded = try Multibase.decode(row.encoded)
            #expect(decoded.base == base, "\(file) \(row.base) prefix")
            #expect(decoded.bytes == vectors.input, "\(file) \(row.base) decode")
        }
    }

    @Test func decodesMixedCaseForCaseInsensitiveBases() throws {
        let vectors = try Self.load("case_insensitivity.csv")
        #expect(vectors.input == Array("hello world".utf8))
        for row in vectors.rows {
            guard let base = Multibase(name: row.base) else {
                #expect(Self.skippedBases.contains(row.base), "base \(row.base) is neither supported nor skipped")
                continue
            }
            let decoded = try Multibase.decode(row.encoded)
            #expect(decoded.base == base)
            #expect(decoded.bytes == vectors.input, "\(row.base) decode of \(row.encoded)")
        }
    }

    @Test func everySupportedBaseAppearsInTheVectors() throws {
        let names = Set(try Self.load("basic.csv").rows.map(\.base))
        for base in Multibase.allCases { #expect(names.contains(base.name), "\(base.name) has no published vector") }
    }
}

/// Malformed multibase input: each case gives its specific error.
@Suite struct MultibaseErrorTests {
    @Test func emptyString() {
        #expect(throws: MultiformatError.empty(context: "multibase string")) { try Multibase.decode("") }
    }

    @Test func unknownPrefix() {
        #expect(throws: MultiformatError.unknownMultibasePrefix("x")) { try Multibase.decode("xabc") }
    }

    @Test(arguments: [
        ("bafy1", MultiformatError.invalidCharacter("1", base: "base32")),
        ("z0OIl", MultiformatError.invalidCharacter("0", base: "base58btc")),
        ("fabc", MultiformatError.invalidPadding(base: "base16")),
        ("f0g", MultiformatError.invalidCharacter("g", base: "base16")),
        ("mYQ=", MultiformatError.invalidCharacter("=", base: "base64")),
        ("bb", MultiformatError.invalidPadding(base: "base32")),
        ("bab", MultiformatError.invalidPadding(base: "base32")),
        ("MYQ", MultiformatError.invalidPadding(base: "base64pad")),
        ("MYR==", MultiformatError.invalidPadding(base: "base64pad")),
        ("cme=====", MultiformatError.invalidPadding(base: "base32pad")),
        ("bé", MultiformatError.invalidCharacter("\u{FFFD}", base: "base32")),
    ] as [(String, MultiformatError)])
    func malformedInput(text: String, error: MultiformatError) {
        #expect(throws: error) { try Multibase.decode(text) }
    }

    @Test func oversizedRadixInputIsRejectedBeforeDecoding() {
        let text = "z" + String(repeating: "2", count: Multibase.maximumRadixEncodedLength + 1)
        #expect(throws: MultiformatError.tooLarge(context: "base58btc string", byteCount: Multibase.maximumRadixEncodedLength + 1,
                                                  limit: Multibase.maximumRadixEncodedLength)) {
            try Multibase.decode(text)
        }
    }

    @Test func oversizedInputIsRejected() {
        let text = "b" + String(repeating: "a", count: Multibase.maximumEncodedLength + 1)
        #expect(throws: MultiformatError.tooLarge(context: "base32 string", byteCount: Multibase.maximumEncodedLength + 1,
                                                  limit: Multibase.maximumEncodedLength)) {
            try Multibase.decode(text)
        }
    }
}
