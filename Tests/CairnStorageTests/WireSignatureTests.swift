import CairnCore
import CairnCrypto
import CairnPrivate
@testable import CairnStorage
import Testing

/// Signatures over storage messages: they verify, any changed byte breaks them (or the message no longer
/// decodes), keys cannot stand in for each other, and each domain tag keeps one kind of signature from
/// passing for another.
@Suite("Storage wire signatures")
struct WireSignatureTests {
    /// Flips each bit 0 of every byte of `bytes`; each variant must fail to decode or fail `isValid`.
    static func everyFlipInvalidates<T>(_ bytes: [UInt8], decode: ([UInt8]) throws -> T, isValid: (T) -> Bool) -> Int {
        var decodedFlips = 0
        for position in bytes.indices {
            var flipped = bytes
            flipped[position] ^= 0x01
            guard let value = try? decode(flipped) else { continue }
            decodedFlips += 1
            #expect(!isValid(value), "flip at byte \(position) of \(bytes.count) kept a valid signature")
        }
        return decodedFlips
    }

    @Test("offer: signs, verifies, and a flipped byte anywhere invalidates it")
    func offer() {
        let offer = WireFixtures.offer()
        #expect(offer.hasValidSignature)
        #expect(offer.signingBytes().starts(with: [14] + Array("cairn/offer/v1".utf8)))
        let decoded = Self.everyFlipInvalidates(offer.encoded(), decode: StorageOffer.init(decoding:), isValid: \.hasValidSignature)
        #expect(decoded > 0)
        var other = offer
        other.provider = WireFixtures.owner.publicKey
        #expect(!other.hasValidSignature)
    }

    @Test("contract: both sign, and a flipped byte anywhere leaves it not fully signed (or not decodable)")
    func contract() throws {
        let contract = WireFixtures.contract()
        #expect(contract.hasValidOwnerSignature && contract.hasValidProviderSignature && contract.isFullySigned)
        let decoded = Self.everyFlipInvalidates(contract.encoded(), decode: StorageContract.init(decoding:)) {
            $0.hasValidOwnerSignature && $0.hasValidProviderSignature
        }
        #expect(decoded > 0)
        var ownerOnly = WireFixtures.contract(signed: false)
        #expect(!ownerOnly.hasValidOwnerSignature && !ownerOnly.isFullySigned)
        try ownerOnly.signAsOwner(with: WireFixtures.owner)
        #expect(ownerOnly.hasValidOwnerSignature && !ownerOnly.hasValidProviderSignature && !ownerOnly.isFullySigned)
    }

    @Test("contract: signing with the wrong key throws; swapped or replaced parties fail")
    func contractKeys() throws {
        var contract = WireFixtures.contract(signed: false)
        #expect(throws: StorageWireError.wrongSigningKey(role: "owner")) { try contract.signAsOwner(with: WireFixtures.provider) }
        #expect(throws: StorageWireError.wrongSigningKey(role: "provider")) { try contract.signAsProvider(with: WireFixtures.owner) }
        #expect(throws: StorageWireError.wrongSigningKey(role: "owner")) { try contract.signAsOwner(with: WireFixtures.repairer) }
        #expect(contract.ownerSignature.isEmpty && contract.providerSignature.isEmpty)

        var swapped = WireFixtures.contract()
        swap(&swapped.owner, &swapped.provider)
        #expect(!swapped.hasValidOwnerSignature && !swapped.hasValidProviderSignature)
        var swappedSignatures = WireFixtures.contract()
        swap(&swappedSignatures.ownerSignature, &swappedSignatures.providerSignature)
        #expect(!swappedSignatures.hasValidOwnerSignature && !swappedSignatures.hasValidProviderSignature)
        var replaced = WireFixtures.contract()
        replaced.provider = WireFixtures.repairer.publicKey
        #expect(!replaced.isFullySigned)
        // Every field is covered: changing any one breaks the signatures.
        var changes: [(inout StorageContract) -> Void] = [
            { $0.id[0] ^= 1 }, { $0.manifest = WireFixtures.shares[0].cid }, { $0.shares.removeLast() },
            { $0.shares[0].byteCount += 1 }, { $0.start += 1 }, { $0.duration += 1 }, { $0.pricePerGiBMonth += 1 },
            { $0.auditPlan.intervalSeconds += 1 }, { $0.auditPlan.rangesPerAudit += 1 }, { $0.version += 1 },
        ]
        changes.append { $0.shares.swapAt(0, 1) }
        for (index, change) in changes.enumerated() {
            var changed = WireFixtures.contract()
            change(&changed)
            #expect(!changed.hasValidOwnerSignature && !changed.hasValidProviderSignature, "change \(index)")
        }
    }

    @Test("renewal and cancellation")
    func renewalAndCancellation() {
        let owner = WireFixtures.owner.publicKey, provider = WireFixtures.provider.publicKey
        let renewal = WireFixtures.renewal()
        #expect(renewal.hasValidOwnerSignature(owner) && renewal.hasValidProviderSignature(provider))
        #expect(!renewal.hasValidOwnerSignature(provider) && !renewal.hasValidProviderSignature(owner))
        _ = Self.everyFlipInvalidates(renewal.encoded(), decode: ContractRenewal.init(decoding:)) {
            $0.hasValidOwnerSignature(owner) && $0.hasValidProviderSignature(provider)
        }
        let cancellation = WireFixtures.cancellation()
        #expect(cancellation.hasValidSignature(owner) && !cancellation.hasValidSignature(provider))
        _ = Self.everyFlipInvalidates(cancellation.encoded(), decode: ContractCancellation.init(decoding:)) { $0.hasValidSignature(owner) }
        #expect(!ContractRenewal(contractID: Array(0..<16), newEnd: 5).hasValidOwnerSignature(owner))
    }

    @Test("delegation: signs with a verify-cap only, and a flipped byte anywhere invalidates it")
    func delegation() throws {
        let delegation = WireFixtures.delegation()
        #expect(delegation.hasValidSignature)
        _ = Self.everyFlipInvalidates(delegation.encoded(), decode: RepairDelegation.init(decoding:), isValid: \.hasValidSignature)
        var wrongKey = delegation
        #expect(throws: StorageWireError.wrongSigningKey(role: "owner")) { try wrongKey.sign(with: WireFixtures.repairer) }
        // A read-cap carries the file key: it must never be signed or sent.
        var leaking = delegation
        leaking.verifyCap = Capability.read(manifest: WireFixtures.manifest, key: try FileKey(bytes: [UInt8](repeating: 7, count: 32))).text
        #expect(throws: StorageWireError.self) { try leaking.sign(with: WireFixtures.owner) }
        var otherFile = delegation
        otherFile.verifyCap = Capability.verify(manifest: WireFixtures.shares[0].cid).text
        #expect(throws: StorageWireError.self) { try otherFile.sign(with: WireFixtures.owner) }
    }

    @Test("revocation: signed by the delegation's owner only, and a flipped byte anywhere invalidates it")
    func revocation() {
        let revocation = WireFixtures.revocation()
        #expect(revocation.hasValidSignature)
        _ = Self.everyFlipInvalidates(revocation.encoded(), decode: DelegationRevocation.init(decoding:), isValid: \.hasValidSignature)
        var wrongKey = revocation
        #expect(throws: StorageWireError.wrongSigningKey(role: "owner")) { try wrongKey.sign(with: WireFixtures.repairer) }
        var otherOwner = revocation
        otherOwner.owner = WireFixtures.repairer.publicKey
        #expect(!otherOwner.hasValidSignature)
        // A request to revoke must carry the signature.
        var unsigned = revocation
        unsigned.signature = []
        #expect(throws: StorageWireError.self) { try StorageRequest(decoding: StorageRequest.revoke(unsigned).encoded()) }
    }

    @Test("a signature made in one domain does not verify in another")
    func domainsAreSeparate() {
        let contract = WireFixtures.contract()
        let renewal = WireFixtures.renewal()
        var cancellation = ContractCancellation(contractID: renewal.contractID, at: renewal.newEnd)
        cancellation.ownerSignature = renewal.ownerSignature
        #expect(!cancellation.hasValidSignature(WireFixtures.owner.publicKey))
        var offer = WireFixtures.offer()
        offer.signature = contract.providerSignature
        #expect(!offer.hasValidSignature)
        let tags = [WireFixtures.offer().signingBytes(), contract.signingBytes(), renewal.signingBytes(), cancellation.signingBytes(),
                    WireFixtures.delegation().signingBytes(), WireFixtures.revocation().signingBytes()].map { Array($0.prefix(20)) }
        #expect(Set(tags).count == tags.count)
    }
}
