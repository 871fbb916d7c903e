import CairnCore
import Foundation
import Testing

@testable import CairnDHT

/// Server-side answers, with kubo's conventions (no ADD_PROVIDER reply, PUT_VALUE echoed, only `/pk/`).
@Suite struct DHTServerStateMachineTests {
    let peers = DHTTestPeers.many(60, seed: 31)
    let now = DHTTestPeers.epoch

    func makeServer() -> (DHTServerStateMachine, RoutingTable) {
        var table = RoutingTable(localPeer: peers[0])
        for peer in peers.dropFirst() { _ = table.insert(peer, now: now) }
        return (DHTServerStateMachine(localPeer: DHTPeer(id: peers[0])), table)
    }

    @Test func findNodeReturnsClosestButNotTheRequester() {
        var (server, table) = makeServer()
        let target = peers[5]
        let outcome = server.handle(.findNode(target), from: peers[1], routingTable: table, now: now)
        guard case .respond(let reply) = outcome else { Issue.record("expected a reply, got \(outcome)"); return }
        let expected = table.closest(to: target.kademliaKey, count: 21).map(\.peer).filter { $0 != peers[1] }.prefix(20)
        #expect(reply.type == .findNode)
        #expect(reply.closerPeers.map(\.id) == Array(expected))
        #expect(!reply.closerPeers.contains { $0.id == peers[1] })
        // Asked for our own ID, we include ourselves first.
        let own = server.handle(.findNode(peers[0]), from: peers[1], routingTable: table, now: now)
        guard case .respond(let ownReply) = own else { Issue.record("expected a reply"); return }
        #expect(ownReply.closerPeers.first?.id == peers[0])
        #expect(ownReply.closerPeers.count == 20)
    }

    @Test func providersAreStoredOnlyForTheSenderAndReturned() throws {
        var (server, table) = makeServer()
        let content = Multihash.sha256(Array("content".utf8))
        let address = try Multiaddr("/ip4/127.0.0.1/tcp/4001")
        expectEqual(server.handle(.addProvider(content, provider: DHTPeer(id: peers[2], addresses: [address])), from: peers[2], routingTable: table, now: now), .noResponse)
        // A provider entry naming someone else is ignored.
        expectEqual(server.handle(.addProvider(content, provider: DHTPeer(id: peers[3])), from: peers[4], routingTable: table, now: now), .noResponse)
        let outcome = server.handle(.getProviders(content), from: peers[7], routingTable: table, now: now + 60)
        guard case .respond(let reply) = outcome else { Issue.record("expected a reply"); return }
        #expect(reply.providerPeers == [DHTPeer(id: peers[2], addresses: [address])])
        #expect(reply.closerPeers.count == 20)
        #expect(reply.key == content.bytes)
        let later = server.handle(.getProviders(content), from: peers[7], routingTable: table, now: now + 49 * 3600)
        guard case .respond(let expired) = later else { Issue.record("expected a reply"); return }
        #expect(expired.providerPeers.isEmpty)
        let oversized = DHTMessage(type: .getProviders, key: [UInt8](repeating: 1, count: 81))
        expectEqual(server.handle(oversized, from: peers[7], routingTable: table, now: now), .reject(.tooLarge(context: "provider key", byteCount: 81, limit: 80)))
    }

    @Test func putValueIsValidatedStoredAndEchoed() throws {
        var (server, table) = makeServer()
        let value = RecordValidatorTests.ed25519PublicKey
        let key = Array("/pk/".utf8) + (try RecordValidator.peerIDBytes(fromPublicKey: value))
        let outcome = server.handle(.putValue(DHTRecord(key: key, value: value)), from: peers[1], routingTable: table, now: now)
        guard case .respond(let echo) = outcome else { Issue.record("expected an echo, got \(outcome)"); return }
        #expect(echo.type == .putValue && echo.key == key && echo.record?.value == value)
        #expect(echo.record?.timeReceived.hasPrefix("2027-01-15T08:00:00") == true)
        #expect(echo.record?.timeReceived.hasSuffix("Z") == true)
        let fetched = server.handle(.getValue(key), from: peers[2], routingTable: table, now: now)
        guard case .respond(let reply) = fetched else { Issue.record("expected a reply"); return }
        #expect(reply.record == echo.record)

        expectEqual(
            server.handle(.putValue(DHTRecord(key: Array("/foo/bar".utf8), value: [1])), from: peers[1], routingTable: table, now: now),
            .reject(.unsupportedRecordNamespace("/foo/bar")))
        var mismatched = DHTMessage.putValue(DHTRecord(key: key, value: value))
        mismatched.key = Array("/pk/x".utf8)
        expectEqual(
            server.handle(mismatched, from: peers[1], routingTable: table, now: now),
            .reject(.invalidRequest(type: .putValue, reason: "the record key differs from the message key")))
        expectEqual(server.handle(DHTMessage(type: .putValue, key: key), from: peers[1], routingTable: table, now: now), .reject(.invalidRequest(type: .putValue, reason: "no record")))
        expectEqual(server.handle(DHTMessage(type: .findNode), from: peers[1], routingTable: table, now: now), .reject(.invalidRequest(type: .findNode, reason: "no key")))
        expectEqual(server.handle(DHTMessage(type: .ping), from: peers[1], routingTable: table, now: now), .respond(DHTMessage(type: .ping)))
    }

    @Test func requestBuildersUseTheRightKeys() {
        let content = Multihash.sha256([1])
        #expect(DHTMessage.findNode(peers[1]).key == peers[1].bytes)
        #expect(DHTMessage.getProviders(content).key == content.bytes)
        #expect(DHTMessage.addProvider(content, provider: DHTPeer(id: peers[1])).providerPeers.map(\.id) == [peers[1]])
        #expect(DHTMessage.getValue([7]).type == .getValue)
        #expect(DHTMessage.putValue(DHTRecord(key: [1], value: [2])).key == [1])
        #expect(DHTConfiguration(protocolID: DHTConfiguration.lanProtocolID).protocolID == "/ipfs/lan/kad/1.0.0")
        #expect(DHTConfiguration.default.protocolID == "/ipfs/kad/1.0.0")
    }
}
