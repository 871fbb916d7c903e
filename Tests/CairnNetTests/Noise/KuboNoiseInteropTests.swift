// Linux only: the socket glue below uses Glibc's spellings (the interop harness runs on Linux).
#if canImport(Glibc)
import Glibc
import CairnCore
import CairnCrypto
import Foundation
import Testing
@testable import CairnNet

/// Runs the Noise handshake against a real kubo 0.22 node, in both directions. Runs only when
/// `CAIRN_KUBO_NOISE_PEER` (kubo's peer ID) is set, plus `CAIRN_KUBO_NOISE_PORT` (kubo's TCP port on
/// 127.0.0.1) to dial it, or `CAIRN_KUBO_LISTEN_PORT` to accept kubo's dial, e.g. inside `kubo-peer sandbox` next to `kubo-peer serve` (see `docs/specs/noise.md`).
/// multistream-select is hand-rolled here (two pipelined lines) because it is not this module's
/// concern; the real implementation lives beside it in CairnNet.
@Suite("Noise against kubo",
       .enabled(if: ProcessInfo.processInfo.environment["CAIRN_KUBO_NOISE_PEER"] != nil))
struct KuboNoiseInteropTests {
    struct SocketError: Error, CustomStringConvertible { let description: String }

    final class Connection {
        let fd: Int32
        var pending: [UInt8] = []

        init(port: UInt16) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw SocketError(description: "socket: errno \(errno)") }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else { throw SocketError(description: "connect: errno \(errno)") }
        }

        init(acceptingOn port: UInt16) throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard listener >= 0 else { throw SocketError(description: "socket: errno \(errno)") }
            defer { close(listener) }
            var one: Int32 = 1
            setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(listener, 1) == 0 else { throw SocketError(description: "bind/listen: errno \(errno)") }
            var pollDescriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 30_000) == 1 else { throw SocketError(description: "no connection from kubo within 30 s") }
            fd = accept(listener, nil, nil)
            guard fd >= 0 else { throw SocketError(description: "accept: errno \(errno)") }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        func transmit(_ bytes: [UInt8]) throws {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { throw SocketError(description: "send: errno \(errno)") }
                offset += n
            }
        }

        func receiveMore() throws {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw SocketError(description: "recv: \(n) errno \(errno)") }
            pending += buffer[0..<n]
        }

        /// Reads one multistream message (varint length ‖ line).
        func readMultistreamLine() throws -> String {
            while true {
                if let (length, used) = try? Varint.decode(pending), pending.count >= used + Int(length) {
                    let line = String(decoding: pending[used..<used + Int(length)], as: UTF8.self)
                    pending.removeFirst(used + Int(length))
                    return line
                }
                try receiveMore()
            }
        }
    }

    private func multistream(_ line: String) -> [UInt8] { Varint.encode(UInt64(line.utf8.count + 1)) + Array((line + "\n").utf8) }

    @Test("Cairn dials kubo: Noise handshake, peer ID check and one encrypted exchange",
          .enabled(if: ProcessInfo.processInfo.environment["CAIRN_KUBO_NOISE_PORT"] != nil))
    func dialKubo() throws {
        let environment = ProcessInfo.processInfo.environment
        let port = try #require(environment["CAIRN_KUBO_NOISE_PORT"].flatMap(UInt16.init))
        let expected = try PeerID(try #require(environment["CAIRN_KUBO_NOISE_PEER"]))
        let connection = try Connection(port: port)
        try connection.transmit(multistream("/multistream/1.0.0") + multistream("/noise"))
        #expect(try connection.readMultistreamLine() == "/multistream/1.0.0\n")
        #expect(try connection.readMultistreamLine() == "/noise\n")

        var machine = NoiseHandshakeStateMachine(role: .initiator, identity: .generateEd25519(), expectedRemotePeerID: expected)
        var decoder = NoiseFrameDecoder()
        try decoder.append(connection.pending)
        connection.pending = []
        try connection.transmit(try #require(try machine.start()))
        var session: NoiseSession?
        while session == nil {
            guard let body = decoder.nextFrame() else {
                try connection.receiveMore()
                try decoder.append(connection.pending)
                connection.pending = []
                continue
            }
            guard case .sendAndComplete(let third, let established) = try machine.receive(frameBody: body) else {
                Issue.record("unexpected action"); return
            }
            try connection.transmit(third)
            session = established
        }
        var established = try #require(session)
        #expect(established.remotePeerID == expected)

        try connection.transmit(try established.encrypt(multistream("/multistream/1.0.0") + multistream("/yamux/1.0.0")))
        var plaintext: [UInt8] = []
        while !String(decoding: plaintext, as: UTF8.self).contains("/yamux/1.0.0\n") {
            if let body = decoder.nextFrame() {
                plaintext += try established.decrypt(frameBody: body)
                continue
            }
            try connection.receiveMore()
            try decoder.append(connection.pending)
            connection.pending = []
        }
        #expect(String(decoding: plaintext, as: UTF8.self).contains("/multistream/1.0.0\n"))
    }

    /// The identity the listener test uses, so a script can tell kubo whom to dial:
    /// seed 03…03 is `12D3KooWRndVhVZPCiQwHBBBdg769GyrPUW13zxwqQyf9r3ANaba`.
    static let listenerSeed = [UInt8](repeating: 3, count: 32)

    @Test("kubo dials Cairn: multistream with na, Noise as responder, one encrypted frame",
          .enabled(if: ProcessInfo.processInfo.environment["CAIRN_KUBO_LISTEN_PORT"] != nil))
    func kuboDials() throws {
        let environment = ProcessInfo.processInfo.environment
        let port = try #require(environment["CAIRN_KUBO_LISTEN_PORT"].flatMap(UInt16.init))
        let expected = try PeerID(try #require(environment["CAIRN_KUBO_NOISE_PEER"]))
        let identity = try PrivateKey(ed25519Seed: Self.listenerSeed)
        #expect(identity.peerID.description == "12D3KooWRndVhVZPCiQwHBBBdg769GyrPUW13zxwqQyf9r3ANaba")
        let connection = try Connection(acceptingOn: port)
        #expect(try connection.readMultistreamLine() == "/multistream/1.0.0\n")
        try connection.transmit(multistream("/multistream/1.0.0"))
        var proposals: [String] = []
        while true {
            let proposal = try connection.readMultistreamLine()
            proposals.append(proposal)
            if proposal == "/noise\n" { break }
            try connection.transmit(multistream("na"))
        }
        try connection.transmit(multistream("/noise"))

        var machine = NoiseHandshakeStateMachine(role: .responder, identity: identity, expectedRemotePeerID: expected)
        #expect(try machine.start() == nil)
        var decoder = NoiseFrameDecoder()
        var session: NoiseSession?
        var plaintext: [UInt8] = []
        while !String(decoding: plaintext, as: UTF8.self).contains("/multistream/1.0.0\n") {
            try decoder.append(connection.pending)
            connection.pending = []
            guard let body = decoder.nextFrame() else {
                try connection.receiveMore()
                continue
            }
            if var established = session {
                plaintext += try established.decrypt(frameBody: body)
                session = established
                continue
            }
            switch try machine.receive(frameBody: body) {
            case .send(let reply): try connection.transmit(reply)
            case .complete(let established): session = established
            case .sendAndComplete: Issue.record("a responder never sends a last message")
            }
        }
        #expect(session?.remotePeerID == expected)
        #expect(proposals.last == "/noise\n")
    }
}
#endif
