import CairnCore
import CairnCrypto
import CairnPrivate
@testable import CairnStorage
import CairnTestSupport

/// Fixed keys and realistic messages shared by the wire tests. Everything is deterministic (fixed Ed25519
/// seeds; Ed25519 signatures are deterministic), so the golden vectors can be recomputed anywhere.
enum WireFixtures {
    static func key(_ byte: UInt8) -> PrivateKey {
        do {
            return try PrivateKey(ed25519Seed: [UInt8](repeating: byte, count: 32))
        } catch {
            preconditionFailure("a 32-byte seed always makes a key: \(error)")
        }
    }

    /// Owner: seed 32 × 0x11. Provider: seed 32 × 0x22. Repairer: seed 32 × 0x33.
    static let owner = key(0x11)
    static let provider = key(0x22)
    static let repairer = key(0x33)

    /// The shares' bytes: 4,144, 9,000 and 1,000 bytes of `i % 251` patterns (rotated per share).
    static let shareBytes: [[UInt8]] = [4096 + 48, 9000, 1000].enumerated().map { index, count in
        TestData.pattern(count: count + index).dropFirst(index).map { $0 }
    }

    static func shareCID(_ bytes: [UInt8]) -> CID { ShareTable.shareCID(digest: ShareTree.root(bytes)) }

    static let shares = shareBytes.map { ContractShare(cid: shareCID($0), byteCount: UInt32($0.count)) }

    /// A dag-pb CIDv1 (sha2-256 of "cairn manifest fixture"), standing in for a private file's manifest.
    static let manifest = CID(v1: .dagPB, Multihash.sha256(Array("cairn manifest fixture".utf8)))

    /// The golden contract: ID 00…0f, the three shares, 2026-01-01T00:00:00Z for 30 days at 1,000,000
    /// micro-tokens per GiB-month, audited hourly with 4 ranges, signed by owner and provider.
    static func contract(signed: Bool = true) -> StorageContract {
        var contract = StorageContract(id: Array(0..<16), owner: owner.publicKey, provider: provider.publicKey, manifest: manifest,
                                       shares: shares, start: 1_767_225_600, duration: 2_592_000, pricePerGiBMonth: 1_000_000,
                                       auditPlan: AuditPlan(intervalSeconds: 3600, rangesPerAudit: 4))
        if signed {
            do {
                try contract.signAsOwner(with: owner)
                try contract.signAsProvider(with: provider)
            } catch {
                preconditionFailure("fixture keys sign: \(error)")
            }
        }
        return contract
    }

    static func offer() -> StorageOffer {
        do {
            return try StorageOffer.signed(by: provider, capacityByteCount: 1 << 40, committedByteCount: 3 << 30, storedByteCount: 2 << 30,
                                           pricePerGiBMonth: 1_000_000, issuedAt: 1_767_225_600_000)
        } catch {
            preconditionFailure("fixture keys sign: \(error)")
        }
    }

    static func renewal() -> ContractRenewal {
        var renewal = ContractRenewal(contractID: Array(0..<16), newEnd: 1_767_225_600 + 2 * 2_592_000)
        try? renewal.signAsOwner(with: owner)
        try? renewal.signAsProvider(with: provider)
        return renewal
    }

    static func cancellation() -> ContractCancellation {
        var cancellation = ContractCancellation(contractID: Array(0..<16), at: 1_767_225_600 + 86_400)
        try? cancellation.sign(with: owner)
        return cancellation
    }

    static let verifyCap = Capability.verify(manifest: manifest).text

    static func locations() -> [ShareLocation] {
        shares.enumerated().map { index, share in
            ShareLocation(segment: UInt32(index / 2), index: UInt16(index), share: share.cid, provider: provider.peerID, contractID: Array(0..<16))
        }
    }

    static func delegation() -> RepairDelegation {
        var delegation = RepairDelegation(verifyCap: verifyCap, manifest: manifest, locations: locations(), contracts: [contract()],
                                          owner: owner.publicKey, issuedAt: 1_767_225_600_123)
        do {
            try delegation.sign(with: owner)
        } catch {
            preconditionFailure("fixture delegation signs: \(error)")
        }
        return delegation
    }

    static func revocation() -> DelegationRevocation {
        var revocation = DelegationRevocation(manifest: manifest, owner: owner.publicKey, at: 1_767_225_600 + 3_600)
        try? revocation.sign(with: owner)
        return revocation
    }

    /// A read of chunks 1..<3 of the second share (9,000 bytes: chunks of 4096, 4096, 808).
    static func readResult() -> RangeReadResult {
        let bytes = shareBytes[1]
        let proof = (try? ShareTree.rangeProof(bytes, chunks: 1..<3)) ?? []
        return RangeReadResult(shareByteCount: UInt32(bytes.count), firstChunk: 1,
                               data: Array(bytes[ShareTree.byteRange(ofChunks: 1..<3, byteCount: bytes.count)]), proof: proof)
    }

    static func requests() -> [StorageRequest] {
        var proposal = contract(signed: false)
        try? proposal.signAsOwner(with: owner)
        var renewalRequest = ContractRenewal(contractID: Array(0..<16), newEnd: 1_767_225_600 + 2 * 2_592_000)
        try? renewalRequest.signAsOwner(with: owner)
        return [
            .offer,
            .propose(proposal),
            .store(contractID: Array(0..<16), share: shares[2].cid, bytes: shareBytes[2]),
            .read(share: shares[1].cid, firstChunk: 1, chunkCount: 2),
            .renew(renewalRequest),
            .cancel(cancellation()),
            .held(manifest: manifest),
            .delegate(delegation()),
            .revoke(revocation()),
        ]
    }

    static func responses() -> [StorageResponse] {
        [
            .offer(offer()),
            .accepted(contract()),
            .stored(share: shares[0].cid),
            .data(readResult()),
            .renewed(renewal()),
            .cancelled(contractID: Array(0..<16)),
            .held(shares.map(\.cid)),
            .held([]),
            .delegated,
            .refused(StorageRefusal(code: .noSpace, message: "only 1.2 GiB free; the contract needs 3 GiB — try another provider")),
            .revoked(manifest: manifest),
        ]
    }

    /// Every valid message's encoding, named, for the malformed-input tests.
    static func encodings() -> [(name: String, bytes: [UInt8], decode: ([UInt8]) throws -> Any)] {
        var all: [(String, [UInt8], ([UInt8]) throws -> Any)] = [
            ("offer", offer().encoded(), { try StorageOffer(decoding: $0) }),
            ("contract", contract().encoded(), { try StorageContract(decoding: $0) }),
            ("renewal", renewal().encoded(), { try ContractRenewal(decoding: $0) }),
            ("cancellation", cancellation().encoded(), { try ContractCancellation(decoding: $0) }),
            ("location", locations()[0].encoded(), { try ShareLocation(decoding: $0) }),
            ("delegation", delegation().encoded(), { try RepairDelegation(decoding: $0) }),
            ("revocation", revocation().encoded(), { try DelegationRevocation(decoding: $0) }),
            ("refusal", StorageRefusal(code: .busy, message: "later").encoded(), { try StorageRefusal(decoding: $0) }),
        ]
        for (index, request) in requests().enumerated() {
            all.append(("request \(index + 1)", request.encoded(), { try StorageRequest(decoding: $0) }))
        }
        for (index, response) in responses().enumerated() {
            all.append(("response \(index + 1)", response.encoded(), { try StorageResponse(decoding: $0) }))
        }
        return all
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.lowercaseHex }
}
