import CairnCore

/// One response on a storage stream: a protobuf with exactly one length-delimited field, whose number
/// is the case (docs/specs/storage.md, "Responses").
///
/// ```
/// 1 offer      StorageOffer
/// 2 accepted   StorageContract                  both signatures present
/// 3 stored     { 1 share CID }
/// 4 data       RangeReadResult
/// 5 renewed    ContractRenewal                  both signatures present
/// 6 cancelled  { 1 contractID bytes(16) }
/// 7 held       { 1 share CID, repeated, ≤ maximumHeldShares }
/// 8 delegated  {}
/// 9 refused    StorageRefusal
/// 10 revoked   { 1 manifest CID }
/// ```
public enum StorageResponse: Sendable, Equatable {
    /// The provider's signed offer.
    case offer(StorageOffer)
    /// The contract, now signed by both.
    case accepted(StorageContract)
    /// The share was stored.
    case stored(share: CID)
    /// The chunks read, with their proof.
    case data(RangeReadResult)
    /// The renewal, now signed by both.
    case renewed(ContractRenewal)
    /// The contract was cancelled.
    case cancelled(contractID: [UInt8])
    /// The shares of the asked-for file that the provider holds.
    case held([CID])
    /// The delegation was taken on.
    case delegated
    /// The request was refused.
    case refused(StorageRefusal)
    /// The delegation of this file was withdrawn: the agent no longer looks after it.
    case revoked(manifest: CID)

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        switch self {
        case .offer(let offer):
            writer.appendBytes(field: 1, offer.encoded())
        case .accepted(let contract):
            writer.appendBytes(field: 2, contract.encoded())
        case .stored(let share):
            var body = ProtobufWriter()
            body.appendBytes(field: 1, share.bytes)
            writer.appendBytes(field: 3, body.bytes)
        case .data(let result):
            writer.appendBytes(field: 4, result.encoded())
        case .renewed(let renewal):
            writer.appendBytes(field: 5, renewal.encoded())
        case .cancelled(let contractID):
            var body = ProtobufWriter()
            body.appendBytes(field: 1, contractID)
            writer.appendBytes(field: 6, body.bytes)
        case .held(let shares):
            var body = ProtobufWriter()
            for share in shares { body.appendBytes(field: 1, share.bytes) }
            writer.appendBytes(field: 7, body.bytes)
        case .delegated:
            writer.appendBytes(field: 8, [UInt8]())
        case .refused(let refusal):
            writer.appendBytes(field: 9, refusal.encoded())
        case .revoked(let manifest):
            var body = ProtobufWriter()
            body.appendBytes(field: 1, manifest.bytes)
            writer.appendBytes(field: 10, body.bytes)
        }
        return writer.bytes
    }

    /// Decodes the canonical encoding: exactly one known field; an accepted contract or renewed renewal
    /// must carry both signatures (checked for length, not validity).
    /// - Throws: `StorageWireError`; `.unknownMessage` for a field number this version does not know.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        let (number, body) = try Envelope.open(bytes, message: "StorageResponse", caseCount: 10)
        switch number {
        case 1:
            self = .offer(try StorageOffer(decoding: body))
        case 2:
            let contract = try StorageContract(decoding: body)
            guard !contract.ownerSignature.isEmpty, !contract.providerSignature.isEmpty else {
                throw .malformed(field: "StorageResponse.accepted", reason: "not signed by both parties")
            }
            self = .accepted(contract)
        case 3:
            var decoder = try WireDecoder(body, message: "StorageResponse.stored", fieldCount: 1)
            let share = try decoder.shareCID(1, "share")
            try decoder.finish()
            self = .stored(share: share)
        case 4:
            self = .data(try RangeReadResult(decoding: body))
        case 5:
            let renewal = try ContractRenewal(decoding: body)
            guard !renewal.ownerSignature.isEmpty, !renewal.providerSignature.isEmpty else {
                throw .malformed(field: "StorageResponse.renewed", reason: "not signed by both parties")
            }
            self = .renewed(renewal)
        case 6:
            var decoder = try WireDecoder(body, message: "StorageResponse.cancelled", fieldCount: 1)
            let contractID = try decoder.contractID(1, "contractID")
            try decoder.finish()
            self = .cancelled(contractID: contractID)
        case 7:
            var decoder = try WireDecoder(body, message: "StorageResponse.held", fieldCount: 1)
            let shares = try decoder.repeated(1, "shares", limit: StorageWire.maximumHeldShares, elementLimit: CID.maximumByteCount) {
                (cid) throws(StorageWireError) in
                guard let share = try? CID(bytes: cid), share.isShareCID else {
                    throw .malformed(field: "StorageResponse.held.shares", reason: "not a share CID")
                }
                return share
            }
            try decoder.finish()
            self = .held(shares)
        case 8:
            guard body.isEmpty else { throw .malformed(field: "StorageResponse.delegated", reason: "must be empty") }
            self = .delegated
        case 9:
            self = .refused(try StorageRefusal(decoding: body))
        default:
            var decoder = try WireDecoder(body, message: "StorageResponse.revoked", fieldCount: 1)
            let manifest = try decoder.cid(1, "manifest")
            try decoder.finish()
            self = .revoked(manifest: manifest)
        }
    }
}
