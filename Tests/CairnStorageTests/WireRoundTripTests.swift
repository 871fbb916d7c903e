import CairnCore
import CairnCrypto
@testable import CairnStorage
import Testing

/// Every storage message survives encode → decode unchanged, and decoding is canonical: re-encoding a
/// decoded message gives back the exact input.
@Suite("Storage wire round trips")
struct WireRoundTripTests {
    @Test("offer")
    func offer() throws {
        let offer = WireFixtures.offer()
        let decoded = try StorageOffer(decoding: offer.encoded())
        #expect(decoded == offer)
        #expect(decoded.encoded() == offer.encoded())
        #expect(decoded.freeByteCount == (1 << 40) - (3 << 30))
        #expect(decoded.providerPeerID == WireFixtures.provider.peerID)
        #expect(decoded.protocolVersion == CairnStorage.protocolVersion)
        var over = offer
        over.committedByteCount = over.capacityByteCount + 1
        #expect(over.freeByteCount == 0)
    }

    @Test("contract, with its derived values")
    func contract() throws {
        let contract = WireFixtures.contract()
        let decoded = try StorageContract(decoding: contract.encoded())
        #expect(decoded == contract)
        #expect(decoded.encoded() == contract.encoded())
        #expect(decoded.byteCount == UInt64(4144 + 9000 + 1000))
        #expect(decoded.end == 1_767_225_600 + 2_592_000)
        #expect(decoded.idText == "000102030405060708090a0b0c0d0e0f")
        #expect(decoded.isLive(at: 1_767_225_600))
        #expect(decoded.isLive(at: decoded.end - 1))
        #expect(!decoded.isLive(at: decoded.end))
        #expect(!decoded.isLive(at: 1_767_225_599))
        try contract.validate()
        let unsigned = WireFixtures.contract(signed: false)
        #expect(try StorageContract(decoding: unsigned.encoded()) == unsigned)
    }

    @Test("renewal, cancellation, location, delegation, refusal and range read")
    func others() throws {
        let renewal = WireFixtures.renewal()
        #expect(try ContractRenewal(decoding: renewal.encoded()) == renewal)
        let cancellation = WireFixtures.cancellation()
        #expect(try ContractCancellation(decoding: cancellation.encoded()) == cancellation)
        for location in WireFixtures.locations() {
            #expect(try ShareLocation(decoding: location.encoded()) == location)
        }
        let delegation = WireFixtures.delegation()
        #expect(try RepairDelegation(decoding: delegation.encoded()) == delegation)
        let revocation = WireFixtures.revocation()
        #expect(try DelegationRevocation(decoding: revocation.encoded()) == revocation)
        for code in StorageRefusalCode.allCases {
            let refusal = StorageRefusal(code: code, message: "refused: \(code) ✓")
            #expect(try StorageRefusal(decoding: refusal.encoded()) == refusal)
        }
        let result = WireFixtures.readResult()
        #expect(try RangeReadResult(decoding: result.encoded()) == result)
        let emptyProof = RangeReadResult(shareByteCount: 1000, firstChunk: 0, data: WireFixtures.shareBytes[2], proof: [])
        #expect(try RangeReadResult(decoding: emptyProof.encoded()) == emptyProof)
    }

    @Test("every request")
    func requests() throws {
        for request in WireFixtures.requests() {
            let bytes = request.encoded()
            let decoded = try StorageRequest(decoding: bytes)
            #expect(decoded == request)
            #expect(decoded.encoded() == bytes)
        }
    }

    @Test("every response")
    func responses() throws {
        for response in WireFixtures.responses() {
            let bytes = response.encoded()
            let decoded = try StorageResponse(decoding: bytes)
            #expect(decoded == response)
            #expect(decoded.encoded() == bytes)
        }
    }

    @Test("a largest share uploads and reads back whole")
    func largestShare() throws {
        let bytes = [UInt8](repeating: 0xa5, count: StorageWire.maximumShareByteCount)
        let cid = WireFixtures.shareCID(bytes)
        let request = StorageRequest.store(contractID: Array(0..<16), share: cid, bytes: bytes)
        #expect(try StorageRequest(decoding: request.encoded()) == request)
        let chunks = ShareTree.leafCount(forByteCount: bytes.count)
        #expect(chunks == StorageWire.maximumChunksPerRead)
        let result = RangeReadResult(shareByteCount: UInt32(bytes.count), firstChunk: 0, data: bytes, proof: try ShareTree.rangeProof(bytes, chunks: 0..<chunks))
        let response = StorageResponse.data(result)
        guard case .data(let decoded) = try StorageResponse(decoding: response.encoded()) else {
            Issue.record("not a data response")
            return
        }
        #expect(decoded.verify(share: cid, chunkCount: UInt32(chunks)))
        #expect(StorageWire.maximumShareByteCount == (1 << 20) + 4096 + 48)
    }

    @Test("a refusal message over the limit is cut at a character boundary")
    func longRefusal() throws {
        let refusal = StorageRefusal(code: .invalid, message: String(repeating: "é", count: 600))
        let decoded = try StorageRefusal(decoding: refusal.encoded())
        #expect(decoded.message == String(repeating: "é", count: 512))
    }

    @Test("range reads verify against the share CID and nothing else")
    func rangeReadVerifies() throws {
        let result = WireFixtures.readResult()
        let share = WireFixtures.shares[1].cid
        #expect(result.verify(share: share, chunkCount: 2))
        #expect(!result.verify(share: share, chunkCount: 1))
        #expect(!result.verify(share: share, chunkCount: 3))
        #expect(!result.verify(share: share, chunkCount: 0))
        #expect(!result.verify(share: WireFixtures.shares[0].cid, chunkCount: 2))
        #expect(!result.verify(share: WireFixtures.manifest, chunkCount: 2))
        // A non-share CID with the right digest is still refused.
        let raw = CID(v1: .raw, try Multihash(function: .sha2_256, digest: share.multihash.digest))
        #expect(!result.verify(share: raw, chunkCount: 2))
        var lying = result
        lying.shareByteCount += 1
        #expect(!lying.verify(share: share, chunkCount: 2))
        var shifted = result
        shifted.firstChunk = 0
        #expect(!shifted.verify(share: share, chunkCount: 2))
        var tampered = result
        tampered.data[100] ^= 1
        #expect(!tampered.verify(share: share, chunkCount: 2))
        // A proof cut at a hash boundary is a well-formed message but does not verify.
        var short = result
        short.proof.removeLast()
        #expect(try RangeReadResult(decoding: short.encoded()) == short)
        #expect(!short.verify(share: share, chunkCount: 2))
    }
}
