import CairnTestSupport
import CairnCore
import CairnCrypto
import Testing
@testable import CairnNet

/// The connection upgrade driven synchronously: two state machines exchanging bytes in memory.
@Suite("Upgrade state machine")
struct UpgradeStateMachineTests {
    /// Collected output of one side.
    struct Output {
        var bytes: [UInt8] = []
        var upgradedPeer: PeerID?
        var failure: ConnectionError?
        var yamux: [YamuxAction] = []

        mutating func take(_ events: [UpgradeEvent]) {
            for event in events {
                switch event {
                case .send(let chunk): bytes += chunk
                case .upgraded(let peer): upgradedPeer = peer
                case .failed(let error): failure = error
                case .yamux(let action): yamux.append(action)
                }
            }
        }
    }

    /// Shuttles bytes between the two machines, in chunks of `chunkSize`, until neither has output.
    static func shuttle(_ dialer: inout UpgradeStateMachine, _ listener: inout UpgradeStateMachine,
                        dialerOutput: inout Output, listenerOutput: inout Output, chunkSize: Int = .max) {
        for _ in 0..<10_000 {
            if !dialerOutput.bytes.isEmpty {
                let bytes = dialerOutput.bytes
                dialerOutput.bytes = []
                for start in stride(from: 0, to: bytes.count, by: min(chunkSize, bytes.count)) {
                    listenerOutput.take(listener.receive(Array(bytes[start..<min(start + chunkSize, bytes.count)])))
                }
            } else if !listenerOutput.bytes.isEmpty {
                let bytes = listenerOutput.bytes
                listenerOutput.bytes = []
                for start in stride(from: 0, to: bytes.count, by: min(chunkSize, bytes.count)) {
                    dialerOutput.take(dialer.receive(Array(bytes[start..<min(start + chunkSize, bytes.count)])))
                }
            } else {
                return
            }
        }
    }

    @Test("dialer and listener upgrade and each learns the other's peer ID", arguments: [Int.max, 1, 7, 1000])
    func upgrade(chunkSize: Int) throws {
        let dialerKey = PrivateKey.generateEd25519()
        let listenerKey = PrivateKey.generateEd25519()
        var dialer = UpgradeStateMachine(role: .dialer, identity: dialerKey, expectedRemotePeerID: listenerKey.peerID)
        var listener = UpgradeStateMachine(role: .listener, identity: listenerKey)
        var dialerOutput = Output(), listenerOutput = Output()
        dialerOutput.take(dialer.start())
        listenerOutput.take(listener.start())
        Self.shuttle(&dialer, &listener, dialerOutput: &dialerOutput, listenerOutput: &listenerOutput, chunkSize: chunkSize)
        #expect(dialerOutput.failure == nil && listenerOutput.failure == nil)
        #expect(dialerOutput.upgradedPeer == listenerKey.peerID)
        #expect(listenerOutput.upgradedPeer == dialerKey.peerID)
        #expect(dialer.isUpgraded && listener.isUpgraded)

        // A stream from the dialer gets an odd ID and its data arrives at the listener.
        let (id, events) = try dialer.openStream()
        #expect(id % 2 == 1)
        dialerOutput.take(events)
        let written = try dialer.write(Array("hello".utf8)[...], streamID: id)
        #expect(written.acceptedByteCount == 5)
        dialerOutput.take(written.events)
        Self.shuttle(&dialer, &listener, dialerOutput: &dialerOutput, listenerOutput: &listenerOutput, chunkSize: chunkSize)
        #expect(listenerOutput.yamux.contains(.streamOpened(streamID: id)))
        let delivered = listenerOutput.yamux.compactMap { action -> [UInt8]? in
            if case .deliver(id, let data) = action { data } else { nil }
        }.flatMap { $0 }
        #expect(delivered == Array("hello".utf8))

        // The listener's own streams are even.
        let (serverStream, _) = try listener.openStream()
        #expect(serverStream % 2 == 0)
    }

    @Test("a dialer expecting another peer fails with a typed peer ID mismatch")
    func wrongPeer() {
        let listenerKey = PrivateKey.generateEd25519()
        let someoneElse = PrivateKey.generateEd25519().peerID
        var dialer = UpgradeStateMachine(role: .dialer, identity: .generateEd25519(), expectedRemotePeerID: someoneElse)
        var listener = UpgradeStateMachine(role: .listener, identity: listenerKey)
        var dialerOutput = Output(), listenerOutput = Output()
        dialerOutput.take(dialer.start())
        listenerOutput.take(listener.start())
        Self.shuttle(&dialer, &listener, dialerOutput: &dialerOutput, listenerOutput: &listenerOutput)
        #expect(dialerOutput.failure == .noise(.peerIDMismatch(expected: someoneElse, actual: listenerKey.peerID)))
        #expect(dialerOutput.upgradedPeer == nil)
    }

    @Test("the listener answers kubo's pipelined sim-open proposal with na and accepts /noise")
    func kuboDialPattern() throws {
        var listener = UpgradeStateMachine(role: .listener, identity: .generateEd25519())
        #expect(listener.start().isEmpty)
        var input: [UInt8] = []
        for line in ["/multistream/1.0.0", "/libp2p/simultaneous-connect", "/noise"] {
            try MultistreamMessage(line).encode(into: &input)
        }
        let events = listener.receive(input)
        var expected: [UInt8] = []
        for line in ["/multistream/1.0.0", "na", "/noise"] { try MultistreamMessage(line).encode(into: &expected) }
        #expect(events == [.send(expected)])
    }

    @Test("input ending during the handshake is a typed error, and later input is ignored")
    func closedDuringHandshake() {
        var dialer = UpgradeStateMachine(role: .dialer, identity: .generateEd25519())
        _ = dialer.start()
        #expect(dialer.endOfInput() == [.failed(.closedDuringUpgrade(phase: "security negotiation"))])
        #expect(dialer.receive([1, 2, 3]).isEmpty)
        #expect(throws: ConnectionError.connectionClosed(reason: "the connection failed")) { try dialer.openStream() }
    }

    @Test("garbage instead of a Noise frame fails the upgrade without trapping", arguments: 0..<20)
    func garbage(seed: Int) {
        var generator = SeededRandom(seed: UInt64(seed))
        var listener = UpgradeStateMachine(role: .listener, identity: .generateEd25519())
        _ = listener.start()
        var input: [UInt8] = []
        try? MultistreamMessage("/multistream/1.0.0").encode(into: &input)
        try? MultistreamMessage("/noise").encode(into: &input)
        _ = listener.receive(input)
        let count = Int(generator.next() % 300)
        let noise = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        _ = listener.receive(noise)
        _ = listener.endOfInput()
        #expect(!listener.isUpgraded)
    }
}
