/// A sans-IO iterative Kademlia lookup (FIND_NODE / GET_PROVIDERS / GET_VALUE share it): feed it events,
/// perform the actions it returns.
///
/// It keeps the candidates it has heard of sorted by XOR distance to `target` and keeps up to α queries
/// in flight to the closest unqueried ones among the k closest that have not failed. It finishes as soon as
/// those k closest have all responded or failed (stragglers farther out are ignored), or, once
/// `maximumQueriesPerLookup` queries were sent, when the ones still in flight among them are done. The
/// result is the k closest peers that responded. Deterministic: the same events give the same actions.
public struct LookupStateMachine: Sendable {
    /// The lifecycle of one candidate peer.
    public enum PeerState: Sendable, Equatable {
        /// Known but not asked yet.
        case notQueried
        /// Asked; the answer is awaited.
        case waiting
        /// Answered.
        case responded
        /// Failed or timed out.
        case failed
    }

    /// An input to the lookup.
    public enum Event: Sendable, Equatable {
        /// Begin with these peers (typically the routing table's k closest to the target).
        case start(seeds: [DHTPeerID])
        /// `peer` answered with these closer peers.
        case response(from: DHTPeerID, closerPeers: [DHTPeerID])
        /// The query to `peer` failed or timed out.
        case failure(DHTPeerID)
    }

    /// Something the owner must do.
    public enum Action: Sendable, Equatable {
        /// Send the lookup's query to this peer and report `.response` or `.failure`.
        case sendQuery(DHTPeerID)
        /// The lookup is over: the k closest peers that responded, closest first.
        case finished([DHTPeerID])
    }

    private struct Candidate: Sendable {
        var peer: DHTPeerID
        var distance: KademliaDistance
        var state: PeerState
    }

    /// The key being looked up.
    public let target: KademliaKey
    private let configuration: DHTConfiguration
    private let excluded: Set<DHTPeerID>
    private var candidates: [Candidate] = []
    private var known: Set<DHTPeerID> = []
    private var inFlightCount = 0
    /// The number of queries sent so far (at most `maximumQueriesPerLookup`).
    public private(set) var queryCount = 0
    /// Whether `.finished` has been returned; later events are ignored.
    public private(set) var isFinished = false

    /// Creates a lookup for `target`; peers in `excluding` (such as ourselves) are never queried.
    public init(target: KademliaKey, configuration: DHTConfiguration = .default, excluding: Set<DHTPeerID> = []) {
        self.target = target
        self.configuration = configuration
        self.excluded = excluding
    }

    /// The state of `peer`, or `nil` if the lookup has not heard of it.
    public func state(of peer: DHTPeerID) -> PeerState? {
        candidates.first { $0.peer == peer }?.state
    }

    /// Applies one event and returns the actions to perform, in order.
    public mutating func handle(_ event: Event) -> [Action] {
        guard !isFinished else { return [] }
        switch event {
        case .start(let seeds):
            for peer in seeds { addCandidate(peer) }
        case .response(let peer, let closerPeers):
            guard settle(peer, as: .responded) else { return [] }
            for closer in closerPeers { addCandidate(closer) }
        case .failure(let peer):
            guard settle(peer, as: .failed) else { return [] }
        }
        return advance()
    }

    /// Marks a waiting peer as done; returns false (ignoring the event) for a peer we are not waiting on.
    private mutating func settle(_ peer: DHTPeerID, as state: PeerState) -> Bool {
        guard let index = candidates.firstIndex(where: { $0.peer == peer }), candidates[index].state == .waiting else {
            return false
        }
        candidates[index].state = state
        inFlightCount -= 1
        return true
    }

    private mutating func addCandidate(_ peer: DHTPeerID) {
        guard !excluded.contains(peer), !known.contains(peer) else { return }
        let distance = peer.kademliaKey.distance(to: target)
        if candidates.count >= configuration.maximumLookupCandidateCount {
            guard let last = candidates.lastIndex(where: { $0.state == .notQueried }), distance < candidates[last].distance else {
                return
            }
            known.remove(candidates[last].peer)
            candidates.remove(at: last)
        }
        var low = 0
        var high = candidates.count
        while low < high {
            let middle = (low + high) / 2
            if candidates[middle].distance < distance { low = middle + 1 } else { high = middle }
        }
        candidates.insert(Candidate(peer: peer, distance: distance, state: .notQueried), at: low)
        known.insert(peer)
    }

    /// Sends queries to the closest unqueried peers among the k closest live ones and detects the end.
    private mutating func advance() -> [Action] {
        var actions: [Action] = []
        var counted = 0
        var unfinishedInTop = false
        for index in candidates.indices where counted < configuration.bucketSize {
            switch candidates[index].state {
            case .failed:
                continue
            case .responded:
                break
            case .waiting:
                unfinishedInTop = true
            case .notQueried:
                if inFlightCount < configuration.lookupConcurrency && hasQueryBudget {
                    candidates[index].state = .waiting
                    inFlightCount += 1
                    queryCount += 1
                    actions.append(.sendQuery(candidates[index].peer))
                    unfinishedInTop = true
                } else if hasQueryBudget {
                    unfinishedInTop = true
                }
            }
            counted += 1
        }
        if !unfinishedInTop {
            isFinished = true
            actions.append(.finished(closestResponded()))
        }
        return actions
    }

    private var hasQueryBudget: Bool { queryCount < configuration.maximumQueriesPerLookup }

    private func closestResponded() -> [DHTPeerID] {
        Array(candidates.lazy.filter { $0.state == .responded }.prefix(configuration.bucketSize).map(\.peer))
    }
}
