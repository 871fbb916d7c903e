import CairnCore
import Testing
@testable import CairnPrivate

/// Read-caps and verify-caps: stable text forms, typo detection, no key in descriptions or verify-caps.
@Suite("Capabilities")
struct CapabilityTests {
    static let manifest = CID(v1: .raw, .sha256(Array("a manifest".utf8)))

    @Test("read-cap and verify-cap round-trip; the verify-cap carries no key")
    func roundTrip() throws {
        let key = try FileKey(bytes: (0..<32).map { UInt8($0) })
        let read = Capability.read(manifest: Self.manifest, key: key)
        #expect(read.text.hasPrefix("cairn-read-v1-"))
        #expect(try Capability(read.text) == read)
        #expect(try Capability(read.text.uppercased().replacingOccurrences(of: "CAIRN-READ-V1-", with: "cairn-read-v1-")) == read)
        let verify = read.verifyCap
        #expect(verify == .verify(manifest: Self.manifest))
        #expect(verify.text.hasPrefix("cairn-verify-v1-"))
        #expect(try Capability(verify.text) == verify)
        #expect(verify.text.count < read.text.count)
        #expect(!read.description.contains(Multibase.base32.encodeWithoutPrefix(key.rawBytes)))
        #expect(read.description.contains("redacted"))
    }

    @Test("every single-character typo and every truncation is caught")
    func typos() throws {
        let text = Capability.read(manifest: Self.manifest, key: FileKey.random()).text
        let prefixLength = "cairn-read-v1-".count
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        for position in prefixLength..<text.count {
            var characters = Array(text)
            let original = characters[position]
            characters[position] = alphabet.first { $0 != original } ?? "a"
            #expect(throws: CapabilityError.self) { try Capability(String(characters)) }
        }
        for length in prefixLength..<text.count {
            #expect(throws: CapabilityError.self) { try Capability(String(text.prefix(length))) }
        }
        #expect(throws: CapabilityError.unknownPrefix) { try Capability("cairn-write-v1-abc") }
        #expect(throws: CapabilityError.unknownPrefix) { try Capability("QmSomethingElse") }
    }
}
