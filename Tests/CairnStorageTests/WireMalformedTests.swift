import CairnCore
import CairnCrypto
import CairnPrivate
@testable import CairnStorage
import CairnTestSupport
import Testing

/// Hostile input: every decoder fails with a typed error, never a crash, and rejects sizes before
/// allocating them.
@Suite("Storage wire malformed input")
struct WireMalformedTests {
    static func varint(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        ProtobufWriter.appendVarint(value, to: &out)
        return out
    }

    static func field(_ number: UInt64, _ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        ProtobufWriter.appendBytes(field: number, bytes, to: &out)
        return out
    }

    static func error(_ body: () throws -> Any) -> StorageWireError? {
        do {
            _ = try body()
            return nil
        } catch let error as StorageWireError {
            return error
        } catch {
            Issue.record("not a StorageWireError: \(error)")
            return nil
        }
    }

    @Test("every truncation of every message fails")
    func truncations() {
        for (name, bytes, decode) in WireFixtures.encodings() {
            for count in 0..<bytes.count {
                #expect(Self.error { try decode(Array(bytes.prefix(count))) } != nil, "\(name) cut to \(count) of \(bytes.count)")
            }
        }
    }

    @Test("500 random byte strings never crash any decoder")
    func randomBytes() {
        var random = SeededRandom(seed: 0x5354_4f52)
        let decoders = WireFixtures.encodings().map(\.decode)
        let prefixes: [[UInt8]] = [[], [0x0a], [0x12], [0x1a], [0x22], [0x42], [0x4a]]
        for round in 0..<500 {
            let count = Int(random.next() % 300)
            let prefix = prefixes[round % prefixes.count]
            let bytes = prefix + (prefix.isEmpty ? [] : Self.varint(UInt64(count))) + random.bytes(count)
            for decode in decoders { _ = Self.error { try decode(bytes) } }
        }
    }

    @Test("500 single-bit flips of valid messages never crash, and whatever still decodes re-encodes to itself")
    func bitFlips() {
        var random = SeededRandom(seed: 0x464c_4950)
        let all = WireFixtures.encodings()
        for _ in 0..<500 {
            let (name, bytes, decode) = all[Int(random.next() % UInt64(all.count))]
            var flipped = bytes
            let bit = Int(random.next() % UInt64(bytes.count * 8))
            flipped[bit / 8] ^= UInt8(1 << (bit % 8))
            guard let value = try? decode(flipped) else { continue }
            let reencoded: [UInt8]? = switch value {
            case let request as StorageRequest: request.encoded()
            case let response as StorageResponse: response.encoded()
            case let offer as StorageOffer: offer.encoded()
            case let contract as StorageContract: contract.encoded()
            case let renewal as ContractRenewal: renewal.encoded()
            case let cancellation as ContractCancellation: cancellation.encoded()
            case let location as ShareLocation: location.encoded()
            case let delegation as RepairDelegation: delegation.encoded()
            case let revocation as DelegationRevocation: revocation.encoded()
            case let refusal as StorageRefusal: refusal.encoded()
            default: nil
            }
            #expect(reencoded == flipped, "\(name) bit \(bit) decoded to a non-canonical value")
        }
    }

    @Test("a length prefix near 2^63 is refused before allocating")
    func hugeLengths() {
        for length: UInt64 in [1 << 63 - 1, 1 << 62, UInt64(StorageWire.maximumMessageByteCount) + 1] {
            let request = [0x12] + Self.varint(length) + [1, 2, 3]
            #expect(Self.error { try StorageRequest(decoding: request) } == .tooLarge("StorageRequest.message 2", byteCount: Int(length), limit: StorageWire.maximumMessageByteCount))
            let offer = [0x0a] + Self.varint(length) + [1, 2, 3]
            #expect(Self.error { try StorageOffer(decoding: offer) } == .tooLarge("StorageOffer.provider", byteCount: Int(length), limit: PublicKey.maximumProtobufByteCount))
        }
        // Within the limit but past the end: truncated.
        #expect(Self.error { try StorageRequest(decoding: [0x12, 0x80, 0x01, 0]) } == .truncated("StorageRequest.message 2"))
        // An 11-byte varint is not a varint.
        #expect(Self.error { try StorageRequest(decoding: [0x12] + [UInt8](repeating: 0xff, count: 10) + [0x01]) } != nil)
        let tooBig = [UInt8](repeating: 0, count: StorageWire.maximumMessageByteCount + 1)
        #expect(Self.error { try StorageResponse(decoding: tooBig) } == .tooLarge("StorageResponse", byteCount: tooBig.count, limit: StorageWire.maximumMessageByteCount))
    }

    @Test("70,000 shares in a contract are refused at the 65,537th")
    func tooManyShares() {
        var contract = WireFixtures.contract()
        contract.shares = (0..<70_000).map { index in
            ContractShare(cid: ShareTable.shareCID(digest: Multihash.sha256(Self.varint(UInt64(index))).digest), byteCount: 4096)
        }
        let bytes = contract.encoded()
        #expect(bytes.count < StorageWire.maximumMessageByteCount)
        #expect(Self.error { try StorageContract(decoding: bytes) } == .tooLarge("StorageContract.shares", byteCount: 65_537, limit: 65_536))
        contract.shares.removeLast(70_000 - 65_536)
        #expect(Self.error { try StorageContract(decoding: contract.encoded()) } == nil)
    }

    @Test("share bytes over the limit and a 65-hash proof are refused")
    func oversizedFields() {
        let limit = StorageWire.maximumShareByteCount
        let store = StorageRequest.store(contractID: Array(0..<16), share: WireFixtures.shares[0].cid, bytes: [UInt8](repeating: 1, count: limit + 1))
        #expect(Self.error { try StorageRequest(decoding: store.encoded()) } == .tooLarge("StorageRequest.store.bytes", byteCount: limit + 1, limit: limit))
        var result = WireFixtures.readResult()
        result.proof = [[UInt8]](repeating: [UInt8](repeating: 9, count: 32), count: 65)
        #expect(Self.error { try RangeReadResult(decoding: result.encoded()) } == .tooLarge("RangeReadResult.proof", byteCount: 65, limit: 64))
        result.proof = [[UInt8](repeating: 9, count: 33)]
        #expect(Self.error { try RangeReadResult(decoding: result.encoded()) } == .tooLarge("RangeReadResult.proof", byteCount: 33, limit: 32))
        result.proof = [[UInt8](repeating: 9, count: 31)]
        #expect(Self.error { try RangeReadResult(decoding: result.encoded()) } != nil)
        result = WireFixtures.readResult()
        result.data = [UInt8](repeating: 0, count: limit + 1)
        #expect(Self.error { try RangeReadResult(decoding: result.encoded()) } == .tooLarge("RangeReadResult.data", byteCount: limit + 1, limit: limit))
        let refusal = Self.field(9, [0x08, 0x01] + Self.field(2, [UInt8](repeating: 0x61, count: 1025)))
        #expect(Self.error { try StorageResponse(decoding: refusal) } == .tooLarge("StorageRefusal.message", byteCount: 1025, limit: 1024))
        var delegation = WireFixtures.delegation()
        delegation.verifyCap += String(repeating: "a", count: 600)
        #expect(Self.error { try RepairDelegation(decoding: delegation.encoded()) } != nil)
        let read = StorageRequest.read(share: WireFixtures.shares[0].cid, firstChunk: 0, chunkCount: UInt32(StorageWire.maximumChunksPerRead + 1))
        #expect(Self.error { try StorageRequest(decoding: read.encoded()) } != nil)
        let zeroRead = StorageRequest.read(share: WireFixtures.shares[0].cid, firstChunk: 0, chunkCount: 0)
        #expect(Self.error { try StorageRequest(decoding: zeroRead.encoded()) } != nil)
    }

    @Test("unknown, duplicate, out-of-order and wrong-wire-type fields, trailing bytes and redundant varints are refused")
    func strictFields() throws {
        let contract = WireFixtures.contract().encoded()
        #expect(Self.error { try StorageContract(decoding: contract + [0x68, 0x01]) } == .malformed(field: "StorageContract field 13", reason: "unknown field"))
        #expect(Self.error { try StorageContract(decoding: contract + Self.field(12, [])) }
                == .malformed(field: "StorageContract field 12", reason: "duplicate or out of order"))
        #expect(Self.error { try StorageContract(decoding: [0x08, 0x01] + contract) }
                == .malformed(field: "StorageContract field 1", reason: "duplicate or out of order"))
        #expect(Self.error { try StorageContract(decoding: Self.field(1, [1]) + contract.dropFirst(2)) }
                == .malformed(field: "StorageContract.version", reason: "wire type 2, expected 0"))
        #expect(Self.error { try StorageContract(decoding: Array(contract.dropFirst(2))) }
                == .malformed(field: "StorageContract.version", reason: "missing (field 2 came first)"))
        #expect(Self.error { try StorageContract(decoding: [0x08, 0x81, 0x00] + contract.dropFirst(2)) }
                == .malformed(field: "StorageContract.version", reason: "varint is not minimally encoded"))
        #expect(Self.error { try StorageContract(decoding: contract + [0]) } != nil)

        for request in WireFixtures.requests() {
            let bytes = request.encoded()
            #expect(Self.error { try StorageRequest(decoding: bytes + [0]) } != nil)
            #expect(Self.error { try StorageRequest(decoding: bytes + Self.field(1, [])) } != nil, "two messages")
        }
        #expect(Self.error { try StorageRequest(decoding: Self.field(10, [])) } == .unknownMessage(10))
        #expect(Self.error { try StorageResponse(decoding: Self.field(11, [])) } == .unknownMessage(11))
        #expect(Self.error { try StorageResponse(decoding: [0x08, 0x01]) } == .malformed(field: "StorageResponse", reason: "message 1 has wire type 0, expected 2"))
        #expect(Self.error { try StorageRequest(decoding: []) } == .truncated("StorageRequest"))
        #expect(Self.error { try StorageRequest(decoding: Self.field(1, [0x08, 0x00])) } != nil, "offer request with a body")
        #expect(Self.error { try StorageResponse(decoding: Self.field(8, [0x08, 0x00])) } != nil, "delegated with a body")
        #expect(Self.error { try StorageResponse(decoding: Self.field(9, [0x08, 0x0a] + Self.field(2, []))) }
                == .malformed(field: "StorageRefusal.code", reason: "unknown refusal code 10"))
    }

    @Test("contract rules: share CIDs only, no duplicates, non-empty, duration ≥ 1, no overflow, version 1, sizes")
    func contractRules() {
        func rejects(_ change: (inout StorageContract) -> Void, _ comment: Comment) {
            var contract = WireFixtures.contract()
            change(&contract)
            #expect(Self.error { try StorageContract(decoding: contract.encoded()) } != nil, comment)
            #expect(Self.error { try contract.validate() } != nil, comment)
        }
        rejects({ $0.shares[1].cid = WireFixtures.manifest }, "a dag-pb CID as a share")
        rejects({ $0.shares[1].cid = CID(v1: .raw, Multihash.sha256([1])) }, "a raw sha2-256 CID as a share")
        rejects({ $0.shares.append($0.shares[0]) }, "a share twice")
        rejects({ $0.shares = [] }, "no shares")
        rejects({ $0.shares[0].byteCount = 0 }, "an empty share")
        rejects({ $0.shares[0].byteCount = UInt32(StorageWire.maximumShareByteCount + 1) }, "a share over the limit")
        rejects({ $0.duration = 0 }, "duration 0")
        rejects({ $0.start = .max - 5; $0.duration = 10 }, "start + duration overflows")
        rejects({ $0.version = 2 }, "version 2")
        rejects({ $0.id = Array(0..<15) }, "a 15-byte ID")
        rejects({ $0.ownerSignature = [1, 2, 3] }, "a 3-byte signature")
        rejects({ $0.auditPlan.intervalSeconds = 0 }, "audit interval 0")
        rejects({ $0.auditPlan.rangesPerAudit = 0 }, "no ranges per audit")
        rejects({ $0.auditPlan.rangesPerAudit = AuditPlan.maximumRangesPerAudit + 1 }, "too many ranges per audit")
        var edge = WireFixtures.contract()
        edge.start = .max - 10
        edge.duration = 10
        #expect(Self.error { try StorageContract(decoding: edge.encoded()) } == nil, "end exactly UInt64.max")
        #expect(Self.error { try StorageRequest(decoding: StorageRequest.propose(WireFixtures.contract(signed: false)).encoded()) } != nil,
                "an unsigned proposal")
        #expect(Self.error { try StorageResponse(decoding: StorageResponse.accepted(WireFixtures.requests().compactMap {
            if case .propose(let c) = $0 { c } else { nil } }[0]).encoded()) } != nil, "an acceptance without the provider's signature")
    }

    @Test("delegation rules: a verify-cap of its manifest, contracts of its owner, each once; share CIDs in locations")
    func delegationRules() throws {
        func rejects(_ change: (inout RepairDelegation) -> Void, _ comment: Comment) {
            var delegation = WireFixtures.delegation()
            change(&delegation)
            #expect(Self.error { try RepairDelegation(decoding: delegation.encoded()) } != nil, comment)
        }
        let readCap = Capability.read(manifest: WireFixtures.manifest, key: try FileKey(bytes: [UInt8](repeating: 7, count: 32))).text
        rejects({ $0.verifyCap = readCap }, "a read-cap")
        rejects({ $0.verifyCap = " " + $0.verifyCap }, "a padded verify-cap")
        rejects({ $0.verifyCap = "cairn-verify-v1-aaaa" }, "a broken verify-cap")
        rejects({ $0.manifest = WireFixtures.shares[0].cid }, "another manifest")
        rejects({ $0.contracts.append($0.contracts[0]) }, "a contract twice")
        rejects({ $0.contracts[0].owner = WireFixtures.repairer.publicKey }, "a contract of another owner")
        rejects({ $0.locations[0].share = WireFixtures.manifest }, "a location of a non-share")
        rejects({ $0.locations[0].contractID = [1] }, "a 1-byte contract ID")
        let held = Self.field(7, Self.field(1, WireFixtures.manifest.bytes))
        #expect(Self.error { try StorageResponse(decoding: held) } != nil, "held lists a non-share")
    }
}
