import CairnCore

extension PBNode {
    /// The canonical encoding: links first (each with Hash, Name — even empty — and Tsize), then Data.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(links.count * 48 + (data?.count ?? 0) + 8)
        for link in links { PBNode.appendLink(link, to: &out) }
        if let data { ProtobufWriter.appendBytes(field: 1, data, to: &out) }
        return out
    }

    /// Appends one encoded `Links` entry (key, length and body) to `out`.
    static func appendLink(_ link: PBLink, to out: inout [UInt8]) {
        let cidBytes = link.cid.bytes
        let nameCount = link.name.utf8.count
        var bodyCount = 1 + ProtobufWriter.varintByteCount(UInt64(cidBytes.count)) + cidBytes.count
        bodyCount += 1 + ProtobufWriter.varintByteCount(UInt64(nameCount)) + nameCount
        if let tsize = link.tsize { bodyCount += 1 + ProtobufWriter.varintByteCount(tsize) }
        out.append(0x12)
        ProtobufWriter.appendVarint(UInt64(bodyCount), to: &out)
        ProtobufWriter.appendBytes(field: 1, cidBytes, to: &out)
        ProtobufWriter.appendBytes(field: 2, link.name.utf8, to: &out)
        if let tsize = link.tsize {
            out.append(0x18)
            ProtobufWriter.appendVarint(tsize, to: &out)
        }
    }

    /// Decodes a dag-pb block strictly, following the ipld dag-pb spec.
    ///
    /// Rejected: blocks over `DAGLimits.maximumBlockByteCount`; wire types other than those in the schema;
    /// field numbers other than 1 and 2 (node) or 1, 2, 3 (link); duplicate Data, Hash, Name or Tsize;
    /// Data before or between Links; link fields out of order; a link without Hash; names that are
    /// not UTF-8; malformed CIDs; truncated input.
    /// - Throws: `DAGError` naming the field at fault.
    public init(decoding bytes: [UInt8]) throws(DAGError) {
        guard bytes.count <= DAGLimits.maximumBlockByteCount else {
            throw .tooLarge(context: "dag-pb block", byteCount: bytes.count, limit: DAGLimits.maximumBlockByteCount)
        }
        var reader = DAGWireReader(bytes, context: "PBNode")
        var links: [PBLink] = []
        var data: [UInt8]?
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            guard field == 1 || field == 2 else { throw .unknownField(context: "PBNode", field: field) }
            guard wireType == ProtobufReader.lengthDelimited else {
                throw .wrongWireType(context: "PBNode", field: field, wireType: wireType)
            }
            if field == 1 {
                guard data == nil else { throw .duplicateField(context: "PBNode", field: 1) }
                data = Array(bytes[try reader.readLengthDelimited("Data")])
            } else {
                guard data == nil else { throw .fieldOrder(context: "PBNode", reason: "Data before Links") }
                guard links.count < DAGLimits.maximumLinkCount else {
                    throw .tooLarge(context: "PBNode link count", byteCount: links.count + 1, limit: DAGLimits.maximumLinkCount)
                }
                let range = try reader.readLengthDelimited("Links")
                links.append(try PBNode.decodeLink(bytes, range: range, index: links.count))
            }
        }
        self.init(links: links, data: data)
    }

    private static func decodeLink(_ bytes: [UInt8], range: Range<Int>, index: Int) throws(DAGError) -> PBLink {
        let context = "PBLink[\(index)]"
        var reader = DAGWireReader(bytes, range: range, context: context)
        var cid: CID?
        var name: String?
        var tsize: UInt64?
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            switch field {
            case 1:
                guard cid == nil else { throw .duplicateField(context: context, field: 1) }
                guard name == nil, tsize == nil else { throw .fieldOrder(context: context, reason: "Hash after Name or Tsize") }
                guard wireType == ProtobufReader.lengthDelimited else { throw .wrongWireType(context: context, field: 1, wireType: wireType) }
                let r = try reader.readLengthDelimited("Hash")
                do {
                    cid = try CID(bytes: Array(bytes[r]))
                } catch {
                    throw .invalidCID(context: context, reason: error.description)
                }
            case 2:
                guard name == nil else { throw .duplicateField(context: context, field: 2) }
                guard tsize == nil else { throw .fieldOrder(context: context, reason: "Name after Tsize") }
                guard wireType == ProtobufReader.lengthDelimited else { throw .wrongWireType(context: context, field: 2, wireType: wireType) }
                let r = try reader.readLengthDelimited("Name")
                guard let s = String(validating: bytes[r], as: UTF8.self) else { throw .invalidName(context: context) }
                name = s
            case 3:
                guard tsize == nil else { throw .duplicateField(context: context, field: 3) }
                guard wireType == ProtobufReader.varint else { throw .wrongWireType(context: context, field: 3, wireType: wireType) }
                tsize = try reader.readVarint("Tsize")
            default:
                throw .unknownField(context: context, field: field)
            }
        }
        guard let cid else { throw .missingField(context: context, field: "Hash") }
        return PBLink(cid: cid, name: name ?? "", tsize: tsize)
    }
}
