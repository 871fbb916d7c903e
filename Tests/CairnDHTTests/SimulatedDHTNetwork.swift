import CairnCore
import CairnTestSupport
import Foundation
import Synchronization

@testable import CairnDHT

/// An in-memory network of `DHTService`s: every request is encoded, delivered to the destination's
/// `handle` and its reply decoded again, so the wire codec is exercised; faults make chosen nodes
/// unreachable, silent, refusing or lying. Deterministic given the seed, apart from task interleaving.
final class SimulatedDHTNetwork: Sendable {
    /// How a node misbehaves.
    enum Fault: Sendable, Equatable {
        /// Connections fail at once.
        case unreachable
        /// Requests are accepted and never answered (until the requester's deadline).
        case silent
        /// Every request is refused (the stream is reset).
        case refusing
        /// Answers with the right type but fresh random "closer peers" that do not exist, no providers,
        /// an invalid record for GET_VALUE, and every third answer has the wrong type.
        case lying
    }

    private struct State {
        var nodes: [DHTPeerID: DHTService] = [:]
        var modes: [DHTPeerID: DHTServiceConfiguration.Mode] = [:]
        var faults: [DHTPeerID: Fault] = [:]
        var introduced: Set<[UInt8]> = []
        var lies = 0
        var random: SeededRandom
        var requestCount = 0
        var inFlight: [DHTPeerID: Int] = [:]
        var maximumInFlight: [DHTPeerID: Int] = [:]
    }

    private let state: Mutex<State>
    let clock: ManualDHTClock

    init(seed: UInt64, clock: ManualDHTClock) {
        self.state = Mutex(State(random: SeededRandom(seed: seed)))
        self.clock = clock
    }

    func add(_ service: DHTService) {
        state.withLock {
            $0.nodes[service.localPeer] = service
            $0.modes[service.localPeer] = service.configuration.mode
        }
    }

    func setFault(_ fault: Fault?, for peer: DHTPeerID) { state.withLock { $0.faults[peer] = fault } }

    /// The number of requests delivered so far.
    var requestCount: Int { state.withLock { $0.requestCount } }

    func messenger(for peer: DHTPeer) -> SimulatedMessenger { SimulatedMessenger(network: self, local: peer) }

    /// The most requests `peer` had outstanding at once since the last `resetInFlightMaximum`.
    func maximumInFlight(of peer: DHTPeerID) -> Int { state.withLock { $0.maximumInFlight[peer] ?? 0 } }

    func resetInFlightMaximum() { state.withLock { $0.maximumInFlight = [:] } }

    /// Delivers `message` from `sender` to `destination` and returns the outcome.
    func deliver(_ message: DHTMessage, from sender: DHTPeer, to destination: DHTPeerID) async throws(DHTError) -> DHTMessage? {
        state.withLock { state in
            let count = state.inFlight[sender.id, default: 0] + 1
            state.inFlight[sender.id] = count
            state.maximumInFlight[sender.id] = max(state.maximumInFlight[sender.id] ?? 0, count)
        }
        defer { state.withLock { $0.inFlight[sender.id, default: 1] -= 1 } }
        let (node, fault, senderMode, firstContact) = state.withLock { state in
            state.requestCount += 1
            let pair = sender.id.bytes + [0xff] + destination.bytes
            return (state.nodes[destination], state.faults[destination], state.modes[sender.id],
                    state.introduced.insert(pair).inserted)
        }
        guard let node, fault != .unreachable, state.withLock({ $0.faults[sender.id] }) != .unreachable else {
            throw .peerUnreachable(peer: destination, reason: "simulated: unreachable")
        }
        switch fault {
        case .silent?:
            while true {
                do { try await clock.sleep(for: .seconds(86_400 * 365)) } catch { throw .cancelled }
            }
        case .refusing?:
            throw .requestRejected(type: message.type)
        case .lying?:
            return lie(to: message)
        case .unreachable?, nil:
            break
        }
        if firstContact {
            // What identify does on a new connection: a server sender advertises the DHT protocol.
            let protocols = senderMode == .server ? [node.configuration.dht.protocolID] : []
            await node.peerIdentified(sender, protocols: protocols)
        }
        let wire = message.encoded()
        let decoded: DHTMessage
        do {
            decoded = try DHTMessage(decoding: wire)
        } catch {
            throw error
        }
        switch await node.handle(decoded, from: sender.id) {
        case .respond(let reply):
            return try DHTMessage(decoding: reply.encoded())
        case .noResponse:
            return nil
        case .reject:
            throw .requestRejected(type: message.type)
        }
    }

    private func lie(to message: DHTMessage) -> DHTMessage {
        state.withLock { state in
            state.lies += 1
            let type: DHTMessage.MessageType = state.lies % 3 == 0 ? .ping : message.type
            let closer = (0..<30).map { _ in DHTPeer(id: DHTTestPeers.random(using: &state.random)) }
            var reply = DHTMessage(type: type, key: message.key, closerPeers: closer)
            if message.type == .getValue { reply.record = DHTRecord(key: message.key, value: state.random.bytes(36)) }
            return reply
        }
    }
}

/// One node's view of the simulated network.
struct SimulatedMessenger: DHTMessenger {
    let network: SimulatedDHTNetwork
    let local: DHTPeer

    func request(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError) -> DHTMessage {
        guard let reply = try await network.deliver(message, from: local, to: peer.id) else { throw .noResponse(type: message.type) }
        return reply
    }

    func send(_ message: DHTMessage, to peer: DHTPeer) async throws(DHTError) {
        _ = try await network.deliver(message, from: local, to: peer.id)
    }
}

/// A set of simulated DHT nodes on one network and clock.
struct DHTSimulation {
    let clock: ManualDHTClock
    let network: SimulatedDHTNetwork
    let nodes: [DHTService]
    let pins: PinSets

    /// Pinned content per node, what `reprovideKeys` returns.
    final class PinSets: Sendable {
        private let pins = Mutex<[DHTPeerID: [CID]]>([:])
        func set(_ cids: [CID], for peer: DHTPeerID) { pins.withLock { $0[peer] = cids } }
        func cids(of peer: DHTPeerID) -> [CID] { pins.withLock { $0[peer] ?? [] } }
    }

    static func address(_ index: Int) -> Multiaddr {
        guard let address = try? Multiaddr("/ip4/127.0.0.1/tcp/\(4000 + index)") else { preconditionFailure("valid test address") }
        return address
    }

    static func configuration(mode: DHTServiceConfiguration.Mode = .server) -> DHTServiceConfiguration {
        DHTServiceConfiguration(dht: DHTConfiguration(protocolID: DHTConfiguration.lanProtocolID), mode: mode)
    }

    /// `count` nodes; `clientIndices` run in client mode.
    init(count: Int, seed: UInt64, clientIndices: Set<Int> = []) {
        let clock = ManualDHTClock()
        let network = SimulatedDHTNetwork(seed: seed, clock: clock)
        let pins = PinSets()
        let peers = DHTTestPeers.many(count, seed: seed)
        var nodes: [DHTService] = []
        for (index, peer) in peers.enumerated() {
            let entry = DHTPeer(id: peer, addresses: [Self.address(index)])
            let node = DHTService(
                localPeer: peer, configuration: Self.configuration(mode: clientIndices.contains(index) ? .client : .server),
                messenger: network.messenger(for: entry), clock: clock, random: SeededRandom(seed: seed &+ UInt64(index) &* 7919),
                localAddresses: { [Self.address(index)] }, reprovideKeys: { pins.cids(of: peer) })
            network.add(node)
            nodes.append(node)
        }
        self.clock = clock
        self.network = network
        self.nodes = nodes
        self.pins = pins
    }

    func entry(_ index: Int) -> DHTPeer { DHTPeer(id: nodes[index].localPeer, addresses: [Self.address(index)]) }

    /// Every node joins through node 0, one after another.
    func bootstrapAllThroughFirst() async {
        for index in nodes.indices.dropFirst() {
            _ = await nodes[index].bootstrap([entry(0)])
        }
    }

    /// A CID for test content `index`.
    static func cid(_ index: Int) -> CID { CID(v1: .raw, Multihash.sha256(Array("content \(index)".utf8))) }
}
