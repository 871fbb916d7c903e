import CairnTestSupport

@testable import CairnNet

/// One side of an in-memory yamux connection for tests: a session plus the application around it, which
/// writes queued data as the window allows, accepts every inbound stream, and consumes what it receives.
struct YamuxTestPeer {
    var session: YamuxSessionStateMachine
    /// Encoded frames for the other peer; bytes before `outboxStart` were already transmitted.
    var outbox: [UInt8] = []
    var outboxStart = 0
    var outboxIsEmpty: Bool { outboxStart == outbox.count }
    /// Data the application still wants to write, per stream.
    var pending: [UInt32: ArraySlice<UInt8>] = [:]
    /// Streams to half-close once their pending data is written.
    var closeWhenDrained: Set<UInt32> = []
    /// Everything received, per stream.
    var received: [UInt32: [UInt8]] = [:]
    /// Delivered bytes not yet reported as consumed, per stream.
    var unconsumed: [UInt32: Int] = [:]
    var remotelyClosed: Set<UInt32> = []
    var fullyClosed: Set<UInt32> = []
    var failures: [YamuxError] = []
    var resets: [UInt32] = []

    init(role: YamuxSessionStateMachine.Role, configuration: YamuxConfiguration = .default) {
        session = YamuxSessionStateMachine(role: role, configuration: configuration)
    }

    /// Opens a stream that will carry `data` and then FIN.
    mutating func openStream(sending data: [UInt8]) throws -> UInt32 {
        let (id, actions) = try session.openStream()
        pending[id] = data[...]
        closeWhenDrained.insert(id)
        try perform(actions)
        try flush(id)
        return id
    }

    mutating func perform(_ actions: [YamuxAction]) throws {
        for action in actions {
            switch action {
            case .send(let frame): frame.encode(into: &outbox)
            case .streamOpened(let id):
                try perform(session.accept(streamID: id))
                if pending[id] == nil { closeWhenDrained.insert(id); pending[id] = [] }
                try flush(id)
            case .deliver(let id, let data):
                received[id, default: []] += data
                unconsumed[id, default: 0] += data.count
            case .streamWritable(let id, _): try flush(id)
            case .streamRemoteClosed(let id): remotelyClosed.insert(id)
            case .streamClosed(let id): fullyClosed.insert(id)
            case .streamReset(let id), .streamRefused(let id, _): resets.append(id)
            case .pingAcknowledged, .goAwayReceived: break
            case .sessionFailed(let error): failures.append(error)
            }
        }
    }

    /// Writes as much pending data as the window allows; FINs the stream once drained.
    mutating func flush(_ id: UInt32) throws {
        guard let data = pending[id], session.sendWindow(streamID: id) != nil else { return }
        if !data.isEmpty {
            let result = try session.write(data, streamID: id)
            pending[id] = data.dropFirst(result.acceptedByteCount)
            try perform(result.actions)
        }
        if pending[id]?.isEmpty == true && closeWhenDrained.contains(id) {
            closeWhenDrained.remove(id)
            pending[id] = nil
            try perform(session.close(streamID: id))
        }
    }

    /// Reports a random share (or all) of each stream's unconsumed bytes as consumed.
    mutating func consume(using rng: inout SeededRandom, everything: Bool) throws {
        for (id, count) in unconsumed.sorted(by: { $0.key < $1.key }) where count > 0 {
            let amount = everything ? count : Int.random(in: 0...count, using: &rng)
            unconsumed[id] = count - amount
            try perform(session.consumed(streamID: id, byteCount: amount))
        }
    }

    /// Moves a random-length prefix (1…`maximumChunk` bytes) of the outbox into `other`.
    mutating func transmit(to other: inout YamuxTestPeer, using rng: inout SeededRandom, maximumChunk: Int) throws {
        guard !outboxIsEmpty else { return }
        let size = Int.random(in: 1...min(maximumChunk, outbox.count - outboxStart), using: &rng)
        let chunk = outbox[outboxStart..<outboxStart + size]
        outboxStart += size
        if outboxStart == outbox.count {
            outbox.removeAll(keepingCapacity: true)
            outboxStart = 0
        }
        try other.perform(other.session.receive(chunk))
    }
}
