import CairnCore
import CairnCrypto
@testable import CairnStorage
import Testing

/// The published vector (docs/specs/storage.md, "Golden vectors"): the fixture contract built from fixed
/// Ed25519 seeds (owner 32 × 0x11, provider 32 × 0x22). A change here is a change of the wire format or of
/// what the parties sign. The encoding's SHA-256 and the owner's signature were checked once with Python
/// (hashlib, pyca/cryptography Ed25519) from the signing bytes below.
@Suite("Storage wire golden vectors")
struct WireGoldenTests {
    static let ownerPublicKey = "08011220d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737"
    static let providerPublicKey = "08011220a09aa5f47a6759802ff955f8dc2d2a14a5c99d23be97f864127ff9383455a4f0"
    static let shareCIDs = [
        "bafkydggaaeqf5jr57jbxwl62hilwjj7xkgzxctrggrqxhfrqcqdamgsidisnjui",
        "bafkydggaaeqgepcfm2bxd42yzglx4xzv7qbkbfwausapr2kmp6nnbtycrs2ob6y",
        "bafkydggaaeqdgtmb2c35ykw574fnkfytkiwfrumuxu5forc7d3mpema2nf3el3q",
    ]
    static let manifest = "bafybeif26xa2uu6xpewekgffwriv6eqltxcordsltfrsaxpjyxuv535kva"
    /// `uvarint(17) ‖ "cairn/contract/v1" ‖` fields 1–10 (312 bytes).
    static let signingBytes = "11636169726e2f636f6e74726163742f7631"  // tag
        + "0801" + "1210000102030405060708090a0b0c0d0e0f"  // version 1, id 00…0f
        + "1a2408011220d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737"  // owner
        + "222408011220a09aa5f47a6759802ff955f8dc2d2a14a5c99d23be97f864127ff9383455a4f0"  // provider
        + "2a2401701220baf5c1aa53d7792c4518a5b4515f120b9dc4e88e4b9963205de9c5e95eefaaa8"  // manifest
        + "322c0a2701558198c001205ea63dfa437b2fda3a1764a7f751b3714e2634617396301406061a481a24d4d110b020"  // share 1, 4144 bytes
        + "322c0a2701558198c00120623c45668371f358c9977e5f35fc02a096c0a480f8e94c7f9ad0cf028cb4e0fb10a846"  // share 2, 9000 bytes
        + "322c0a2701558198c00120334d81d0b7dc2addff0ad51713522c58d194bd3a57445f1ed8f2301a697645ee10e807"  // share 3, 1000 bytes
        + "3880f2d6ca06" + "40809a9e01" + "48c0843d"  // start 1767225600, duration 2592000, price 1000000
        + "52050890" + "1c1004"  // audit plan: every 3600 s, 4 ranges
    static let ownerSignature = "76d9fdcadf7a67622c193124825daabf88a946dfce679cdbbfe74e09161b5269"
        + "bbaf4cc0bd6297ed994c78589be8342b7c96ee235d0dc25b307cbca589472e06"
    static let providerSignature = "417b3337e0562b9e5510ca030150b4e22777f8592221797308652077f79cd2cf"
        + "859e672fcbcb0a64a01c4b9bf91cbcd3e4cd3b35deb535d76db3e99aaf8a0c04"
    /// SHA-256 of `encoded()`: the signing body, then `5a 40 <owner signature> 62 40 <provider signature>`.
    static let encodedSHA256 = "1e0054d63ed531dc7a3ef1bb75ac3e3a955e2a5056c60f4d48e7f6322a984b21"

    @Test("the fixture contract's keys, CIDs, signing bytes, signatures and encoding")
    func contract() throws {
        let contract = WireFixtures.contract()
        #expect(WireFixtures.hex(WireFixtures.owner.publicKey.protobufBytes) == Self.ownerPublicKey)
        #expect(WireFixtures.hex(WireFixtures.provider.publicKey.protobufBytes) == Self.providerPublicKey)
        #expect(contract.shares.map(\.cid.description) == Self.shareCIDs)
        #expect(contract.manifest.description == Self.manifest)
        #expect(WireFixtures.hex(contract.signingBytes()) == Self.signingBytes)
        #expect(WireFixtures.hex(contract.ownerSignature) == Self.ownerSignature)
        #expect(WireFixtures.hex(contract.providerSignature) == Self.providerSignature)
        let encoded = contract.encoded()
        #expect(WireFixtures.hex(Multihash.sha256(encoded).digest) == Self.encodedSHA256)
        #expect(WireFixtures.hex(encoded) == String(Self.signingBytes.dropFirst(36)) + "5a40" + Self.ownerSignature + "6240" + Self.providerSignature)
        #expect(try StorageContract(decoding: encoded).isFullySigned)
    }

    /// The fixture revocation: `uvarint(15) ‖ "cairn/revoke/v1"`, then manifest (field 1), the owner's key
    /// (field 2) and `at` = 1,767,229,200 (field 3); the encoding adds the signature as field 4.
    /// Checked independently: Python `cryptography`'s Ed25519 with the seed 32 × 0x11 signs these bytes to
    /// the same signature.
    static let revocationSigningBytes = "0f636169726e2f7265766f6b652f7631"
        + "0a2401701220baf5c1aa53d7792c4518a5b4515f120b9dc4e88e4b9963205de9c5e95eefaaa8"
        + "122408011220d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737"
        + "18908ed7ca06"
    static let revocationSignature = "0e288a6e5302b44e999084238e38f52d80f2b59f814f75078077a2fabe766c1c"
        + "56062246a78b1ee979a39f5692475c0d10d02a2ca79d27e1a191d3e20b17f009"

    @Test("the fixture revocation's signing bytes, signature and encoding")
    func revocation() throws {
        let revocation = WireFixtures.revocation()
        let signing = WireFixtures.hex(revocation.signingBytes())
        #expect(signing == Self.revocationSigningBytes)
        #expect(signing.hasPrefix("0f" + WireFixtures.hex(Array("cairn/revoke/v1".utf8)) + "0a24" + WireFixtures.hex(WireFixtures.manifest.bytes)
                                  + "1224" + Self.ownerPublicKey + "18"))
        #expect(WireFixtures.hex(revocation.signature) == Self.revocationSignature)
        #expect(WireFixtures.hex(revocation.encoded()) == String(signing.dropFirst(32)) + "2240" + Self.revocationSignature)
        #expect(try DelegationRevocation(decoding: revocation.encoded()).hasValidSignature)
    }
}
