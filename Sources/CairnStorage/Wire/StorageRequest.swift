import CairnCore

/// One request on a storage stream: a protobuf with exactly one length-delimited field, whose number is
/// the case (docs/specs/storage.md, "Requests").
///
/// ```
/// 1 offer     {}                                                  ask for the provider's offer
/// 2 propose   StorageContract                                     owner-signed
/// 3 store     { 1 contractID bytes(16), 2 share CID, 3 bytes ≤ maximumShareByteCount }
/// 4 read      { 1 share CID, 2 firstChunk uint32, 3 chunkCount uint32 (1…maximumChunksPerRead) }
/// 5 renew     ContractRenewal                                     owner-signed
/// 6 cancel    ContractCancellation                                owner-signed
/// 7 held      { 1 manifest CID }
/// 8 delegate  RepairDelegation                                    owner-signed
/// 9 revoke    DelegationRevocation                                owner-signed
/// ```
public enum StorageRequest: Sendable, Equatable {
    /// Ask for the provider's current offer.
    case offer
    /// Propose an owner-signed contract.
    case propose(StorageContract)
    /// Upload one share under a contract.
    case store(contractID: [UInt8], share: CID, bytes: [UInt8])
    /// Read `chunkCount` chunks of a share from `firstChunk`, with a range proof (retrievals and audits).
    case read(share: CID, firstChunk: UInt32, chunkCount: UInt32)
    /// Extend a contract (owner-signed).
    case renew(ContractRenewal)
    /// End a contract early (owner-signed).
    case cancel(ContractCancellation)
    /// Which shares of this file does the provider hold?
    case held(manifest: CID)
    /// Hand a file's checking and repair to an always-on node (owner-signed).
    case delegate(RepairDelegation)
    /// Withdraw a delegation (owner-signed).
    case revoke(DelegationRevocation)

    /// The canonical encoding.
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        switch self {
        case .offer:
            writer.appendBytes(field: 1, [UInt8]())
        case .propose(let contract):
            writer.appendBytes(field: 2, contract.encoded())
        case .store(let contractID, let share, let bytes):
            var body = ProtobufWriter()
            body.appendBytes(field: 1, contractID)
            body.appendBytes(field: 2, share.bytes)
            body.appendBytes(field: 3, bytes)
            writer.appendBytes(field: 3, body.bytes)
        case .read(let share, let firstChunk, let chunkCount):
            var body = ProtobufWriter()
            body.appendBytes(field: 1, share.bytes)
            body.appendVarint(field: 2, UInt64(firstChunk))
            body.appendVarint(field: 3, UInt64(chunkCount))
            writer.appendBytes(field: 4, body.bytes)
        case .renew(let renewal):
            writer.appendBytes(field: 5, renewal.encoded())
        case .cancel(let cancellation):
            writer.appendBytes(field: 6, cancellation.encoded())
        case .held(let manifest):
            var body = ProtobufWriter()
            body.appendBytes(field: 1, manifest.bytes)
            writer.appendBytes(field: 7, body.bytes)
        case .delegate(let delegation):
            writer.appendBytes(field: 8, delegation.encoded())
        case .revoke(let revocation):
            writer.appendBytes(field: 9, revocation.encoded())
        }
        return writer.bytes
    }

    /// Decodes the canonical encoding: exactly one known field, every signed message carrying the
    /// signatures its case requires (checked for length, not validity).
    /// - Throws: `StorageWireError`; `.unknownMessage` for a field number this version does not know.
    public init(decoding bytes: [UInt8]) throws(StorageWireError) {
        let (number, body) = try Envelope.open(bytes, message: "StorageRequest", caseCount: 9)
        switch number {
        case 1:
            guard body.isEmpty else { throw .malformed(field: "StorageRequest.offer", reason: "must be empty") }
            self = .offer
        case 2:
            let contract = try StorageContract(decoding: body)
            guard !contract.ownerSignature.isEmpty else { throw .malformed(field: "StorageRequest.propose", reason: "not signed by the owner") }
            self = .propose(contract)
        case 3:
            var decoder = try WireDecoder(body, message: "StorageRequest.store", fieldCount: 3)
            let contractID = try decoder.contractID(1, "contractID")
            let share = try decoder.shareCID(2, "share")
            let data = try decoder.bytes(3, "bytes", limit: StorageWire.maximumShareByteCount)
            try decoder.finish()
            self = .store(contractID: contractID, share: share, bytes: data)
        case 4:
            var decoder = try WireDecoder(body, message: "StorageRequest.read", fieldCount: 3)
            let share = try decoder.shareCID(1, "share")
            let firstChunk = try decoder.uint32(2, "firstChunk")
            let chunkCount = try decoder.uint32(3, "chunkCount")
            try decoder.finish()
            guard chunkCount >= 1, chunkCount <= StorageWire.maximumChunksPerRead else {
                throw decoder.fail("chunkCount", "\(chunkCount) is outside 1...\(StorageWire.maximumChunksPerRead)")
            }
            self = .read(share: share, firstChunk: firstChunk, chunkCount: chunkCount)
        case 5:
            let renewal = try ContractRenewal(decoding: body)
            guard !renewal.ownerSignature.isEmpty else { throw .malformed(field: "StorageRequest.renew", reason: "not signed by the owner") }
            self = .renew(renewal)
        case 6:
            let cancellation = try ContractCancellation(decoding: body)
            guard !cancellation.ownerSignature.isEmpty else { throw .malformed(field: "StorageRequest.cancel", reason: "not signed by the owner") }
            self = .cancel(cancellation)
        case 7:
            var decoder = try WireDecoder(body, message: "StorageRequest.held", fieldCount: 1)
            let manifest = try decoder.cid(1, "manifest")
            try decoder.finish()
            self = .held(manifest: manifest)
        case 8:
            let delegation = try RepairDelegation(decoding: body)
            guard !delegation.signature.isEmpty else { throw .malformed(field: "StorageRequest.delegate", reason: "not signed by the owner") }
            self = .delegate(delegation)
        default:
            let revocation = try DelegationRevocation(decoding: body)
            guard !revocation.signature.isEmpty else { throw .malformed(field: "StorageRequest.revoke", reason: "not signed by the owner") }
            self = .revoke(revocation)
        }
    }
}

/// The request and response envelope: one length-delimited field whose number names the case.
enum Envelope {
    /// The case number (1…caseCount) and its body.
    /// - Throws: `.tooLarge` over the message limit, `.truncated`, `.unknownMessage`, or `.malformed` for
    ///   no field, another wire type, or anything after the one field.
    static func open(_ bytes: [UInt8], message: String, caseCount: UInt64) throws(StorageWireError) -> (UInt64, [UInt8]) {
        guard bytes.count <= StorageWire.maximumMessageByteCount else {
            throw .tooLarge(message, byteCount: bytes.count, limit: StorageWire.maximumMessageByteCount)
        }
        guard !bytes.isEmpty else { throw .truncated(message) }
        var reader = ProtobufReader(bytes)
        let key: UInt64
        do {
            key = try reader.readVarint("key")
        } catch {
            throw .malformed(field: message, reason: error.description)
        }
        let number = key >> 3
        guard number >= 1, number <= caseCount else { throw .unknownMessage(number) }
        guard key & 7 == ProtobufReader.lengthDelimited else {
            throw .malformed(field: message, reason: "message \(number) has wire type \(key & 7), expected 2")
        }
        var decoder = try WireDecoder(bytes, message: message, fieldCount: caseCount)
        let body = try decoder.bytes(number, "message \(number)", limit: StorageWire.maximumMessageByteCount)
        try decoder.finish()
        return (number, body)
    }
}
