import CairnCore
import CairnCrypto
import CairnExchange
import CairnNet
import CairnTestSupport
import Foundation
import Testing

/// A hostile peer (this test process, speaking libp2p with Cairn's own transport) against a real daemon:
/// raw garbage, a flood of streams, oversized and malformed messages, and blocks nobody asked for. The
/// daemon must stay up, stay within a memory bound, drop the abuser, and keep serving honest peers.
@Suite("Misbehaving peers against a daemon", .serialized, .timeLimit(.minutes(5)))
struct MisbehavingPeerTests {
    static let bitswap = "/ipfs/bitswap/1.2.0"

    static func dialDaemon(_ daemon: DaemonProcess) async throws -> LibP2PConnection {
        try await TCPTransport(configuration: ConnectionConfiguration(upgradeTimeout: .seconds(30)))
            .dial(try Multiaddr(daemon.address), identity: PrivateKey.generateEd25519())
    }

    /// Sends raw bytes on a plain TCP socket and closes it.
    static func sendRaw(_ bytes: [UInt8], port: Int) throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw CommandRunner.Failure(description: "cannot connect to 127.0.0.1:\(port)") }
        _ = bytes.withUnsafeBytes { send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    @Test("garbage, stream floods, oversized and malformed messages, unwanted blocks: the daemon survives and serves")
    func hostilePeer() async throws {
        let scratch = try TemporaryDirectory(prefix: "cairn-hostile")
        defer { scratch.remove() }
        let daemon = try await OffPool.run { try DaemonProcess(directory: scratch.path("victim")) }
        let file = scratch.path("data.bin")
        try TestData.writeRandom(count: 2 * 1024 * 1024, seed: 66, to: file)
        let cid = try await OffPool.run { try daemon.cli.succeed(["add", "-Q", file]) }
        let baselineKiB = try #require(daemon.residentKiB)

        // 1. Bytes that are not multistream-select, 200 times; and an endless protocol line.
        try await OffPool.run {
            var random = SeededRandom(seed: 1)
            for _ in 0..<200 {
                try Self.sendRaw((0..<512).map { _ in UInt8.random(in: 0...255, using: &random) }, port: daemon.port)
            }
            try Self.sendRaw(Array("/multistream/1.0.0\n".utf8) + [UInt8](repeating: 0x41, count: 1 << 20), port: daemon.port)
        }

        // 2. A flood of streams on one connection: the excess is refused, the connection may be dropped.
        let flood = try await Self.dialDaemon(daemon)
        var opened = 0
        for _ in 0..<2000 {
            guard let stream = try? await flood.openStream(protocols: [Self.bitswap]) else { break }
            opened += 1
            _ = stream
        }
        await flood.close()

        // 3. An oversized Bitswap message (64 MiB announced), then malformed protobuf; each resets the stream.
        let abuser = try await Self.dialDaemon(daemon)
        if let stream = try? await abuser.openStream(protocols: [Self.bitswap]) {
            try? await stream.write(Varint.encode(64 << 20) + [UInt8](repeating: 0xff, count: 4096))
            #expect(await Self.streamEnds(stream))
        }
        if let stream = try? await abuser.openStream(protocols: [Self.bitswap]) {
            try? await stream.writeLengthPrefixed([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])
            #expect(await Self.streamEnds(stream))
        }
        // An oversized DHT message.
        if let stream = try? await abuser.openStream(protocols: ["/ipfs/lan/kad/1.0.0"]) {
            try? await stream.write(Varint.encode(32 << 20))
            #expect(await Self.streamEnds(stream))
        }

        // 4. Blocks nobody asked for, many of them: the daemon drops the connection.
        if let stream = try? await abuser.openStream(protocols: [Self.bitswap]) {
            for index in 0..<64 {
                let junk = try Block(data: Array("junk \(index)".utf8) + [UInt8](repeating: UInt8(index), count: 1000),
                                     codec: .raw, version: .v1)
                let message = BitswapMessage(payload: [BitswapMessage.PayloadBlock(junk)])
                do { try await stream.writeLengthPrefixed(message.encoded()) } catch { break }
            }
        }
        let dropped = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await abuser.waitUntilClosed(); return true }
            group.addTask { try? await Task.sleep(for: .seconds(20)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(dropped, "the daemon kept a connection that sent 64 unwanted blocks")
        await abuser.close()

        // The daemon is alive, bounded, and still serves an honest peer.
        #expect(daemon.isRunning)
        let afterKiB = try #require(daemon.residentKiB)
        #expect(afterKiB < baselineKiB + 200 * 1024, "RSS grew from \(baselineKiB) KiB to \(afterKiB) KiB")
        try await OffPool.run {
            let honest = try DaemonProcess(directory: scratch.path("honest"), arguments: ["--bootstrap", daemon.address])
            try honest.cli.succeed(["get", cid, "-o", scratch.path("got.bin")], timeout: .seconds(120))
            honest.stop()
            daemon.stop()
        }
        #expect(FileManager.default.contentsEqual(atPath: file, andPath: scratch.path("got.bin")))
        #expect(daemon.terminationStatus == 0)
    }

    /// Whether the daemon ends `stream` (reset or close) within 10 s.
    static func streamEnds(_ stream: LibP2PStream) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                while true {
                    do {
                        guard try await stream.read() != nil else { return true }
                    } catch {
                        return true
                    }
                }
            }
            group.addTask { try? await Task.sleep(for: .seconds(10)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
