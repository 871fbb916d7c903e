import CairnCore
import CairnTestSupport
import Foundation
import Testing

@testable import CairnDHT

/// A test namespace `/v/`: values are `version byte ‖ payload`, the highest version wins.
struct VersionedNamespaceValidator: DHTNamespaceValidator {
    var namespace: String { "v" }

    func validate(_ record: DHTRecord) throws(DHTError) {
        guard let version = record.value.first, version > 0 else { throw .invalidRecord(namespace: "v", reason: "no version") }
    }

    func select(_ records: [DHTRecord]) -> Int {
        records.indices.max { (records[$0].value.first ?? 0) < (records[$1].value.first ?? 0) } ?? 0
    }
}

/// Namespace parsing, dispatch and selection, and a plugged-in namespace end to end in the simulator.
@Suite struct DHTRecordValidatorsTests {
    @Test func namespacesAreParsedAndDispatched() throws {
        #expect(try DHTRecordValidators.namespace(of: Array("/pk/abc".utf8)) == "pk")
        #expect(throws: DHTError.invalidRecordKey(reason: "no /<namespace>/ prefix")) {
            try DHTRecordValidators.namespace(of: Array("pk/abc".utf8))
        }
        #expect(throws: DHTError.invalidRecordKey(reason: "no /<namespace>/ prefix")) {
            try DHTRecordValidators.namespace(of: Array("//abc".utf8))
        }
        let validators = DHTRecordValidators([PublicKeyNamespaceValidator(), VersionedNamespaceValidator()])
        #expect(validators.namespaces == ["pk", "v"])
        try validators.validate(DHTRecord(key: Array("/v/name".utf8), value: [3, 1]))
        #expect(throws: DHTError.invalidRecord(namespace: "v", reason: "no version")) {
            try validators.validate(DHTRecord(key: Array("/v/name".utf8), value: [0]))
        }
        #expect(throws: DHTError.unsupportedRecordNamespace("/ipns/")) {
            try validators.validate(DHTRecord(key: Array("/ipns/x".utf8), value: [1]))
        }
        let oversized = DHTRecord(key: Array("/v/name".utf8), value: [1] + [UInt8](repeating: 0, count: 64 * 1024))
        #expect(throws: DHTError.tooLarge(context: "record value", byteCount: 64 * 1024 + 1, limit: 64 * 1024)) {
            try validators.validate(oversized)
        }
        let records = [2, 7, 4].map { DHTRecord(key: Array("/v/name".utf8), value: [UInt8($0)]) }
        #expect(validators.select(records)?.value == [7])
        #expect(validators.select([]) == nil)
    }

    @Test func pluggedInNamespaceWorksAcrossTheNetwork() async throws {
        let clock = ManualDHTClock()
        let network = SimulatedDHTNetwork(seed: 77, clock: clock)
        let peers = DHTTestPeers.many(12, seed: 77)
        let validators = DHTRecordValidators([PublicKeyNamespaceValidator(), VersionedNamespaceValidator()])
        let nodes = peers.enumerated().map { index, peer in
            let node = DHTService(localPeer: peer, configuration: DHTSimulation.configuration(),
                                  messenger: network.messenger(for: DHTPeer(id: peer, addresses: [DHTSimulation.address(index)])),
                                  clock: clock, validators: validators)
            network.add(node)
            return node
        }
        for node in nodes.dropFirst() { await node.bootstrap([DHTPeer(id: peers[0], addresses: [DHTSimulation.address(0)])]) }
        let key = Array("/v/name".utf8)
        #expect(try await nodes[3].putValue(DHTRecord(key: key, value: [5, 42])) == 11)
        #expect(await nodes[8].getValue(key)?.value == [5, 42])
    }
}
