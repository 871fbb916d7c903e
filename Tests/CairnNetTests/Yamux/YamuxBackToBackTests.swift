import CairnTestSupport
import Testing

@testable import CairnNet

/// Two sessions wired back to back in memory, exchanging several MiB over several streams in both
/// directions with random chunking and random consumption (seeded, so every run replays).
@Suite struct YamuxBackToBackTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func exchangeManyMiBAcrossStreams(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var client = YamuxTestPeer(role: .client)
        var server = YamuxTestPeer(role: .server)
        var sent: [UInt32: [UInt8]] = [:]
        for index in 0..<6 {
            var data = [UInt8](repeating: 0, count: Int.random(in: 1...900_000, using: &rng))
            rng.fill(&data)
            if index % 2 == 0 {
                sent[try client.openStream(sending: data)] = data
            } else {
                sent[try server.openStream(sending: data)] = data
            }
        }
        var steps = 0
        while !(client.outboxIsEmpty && server.outboxIsEmpty) || client.unconsumed.values.contains(where: { $0 > 0 })
            || server.unconsumed.values.contains(where: { $0 > 0 }) {
            steps += 1
            try #require(steps < 100_000, "no progress (seed \(seed))")
            let maximumChunk = [1, 100, 5_000, 200_000].randomElement(using: &rng) ?? 1
            try client.transmit(to: &server, using: &rng, maximumChunk: maximumChunk)
            try server.transmit(to: &client, using: &rng, maximumChunk: maximumChunk)
            let idle = client.outboxIsEmpty && server.outboxIsEmpty
            try client.consume(using: &rng, everything: idle)
            try server.consume(using: &rng, everything: idle)
        }
        #expect(client.failures.isEmpty && server.failures.isEmpty)
        #expect(client.resets.isEmpty && server.resets.isEmpty)
        for (id, data) in sent {
            let receiver = id % 2 == 1 ? server : client
            #expect(receiver.received[id] == data, "stream \(id), seed \(seed)")
        }
        #expect(sent.values.map(\.count).reduce(0, +) > 2_000_000)
        #expect(client.session.streamCount == 0 && server.session.streamCount == 0)
        #expect(client.pending.isEmpty && server.pending.isEmpty)
    }

    @Test func largerWindowsCarryDataToo() throws {
        var rng = SeededRandom(seed: 42)
        let configuration = YamuxConfiguration(receiveWindowByteCount: 4 << 20)
        var client = YamuxTestPeer(role: .client, configuration: configuration)
        var server = YamuxTestPeer(role: .server, configuration: configuration)
        var data = [UInt8](repeating: 0, count: 3 << 20)
        rng.fill(&data)
        let id = try client.openStream(sending: data)
        var steps = 0
        while !(client.outboxIsEmpty && server.outboxIsEmpty) || server.unconsumed.values.contains(where: { $0 > 0 }) {
            steps += 1
            try #require(steps < 100_000)
            try client.transmit(to: &server, using: &rng, maximumChunk: 300_000)
            try server.transmit(to: &client, using: &rng, maximumChunk: 300_000)
            try server.consume(using: &rng, everything: client.outboxIsEmpty)
        }
        #expect(server.received[id] == data)
        #expect(client.failures.isEmpty && server.failures.isEmpty)
    }
}
