import CairnCore
import CairnCrypto
import CairnNet
import Logging

/// The byte stream the Bitswap messenger needs: a `LibP2PStream`, or an in-memory stand-in in tests.
public protocol BitswapStream: Sendable {
    /// The next chunk of bytes, or nil at the end of the stream.
    func read() async throws -> [UInt8]?
    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) async throws
    /// Half-closes our side.
    func closeWrite() async
    /// Aborts the stream in both directions.
    func reset() async
}

extension LibP2PStream: BitswapStream {}

/// Sends Bitswap messages over libp2p streams as kubo expects: one long-lived outbound stream per peer that
/// we open (answers included — kubo never reads answers on the stream it opened), reopened once when a write
/// fails; inbound streams are only read.
///
/// Isolation: an actor owning the outbound streams. `BitswapService` never has two sends to one peer pending,
/// so a stream never sees concurrent writes.
public actor StreamBitswapMessenger: BitswapMessenger {
    /// The protocol IDs we offer and accept, newest first, as kubo 0.22 does (boxo `bsnet/internal/default.go`).
    public static let protocolIDs = ["/ipfs/bitswap/1.2.0", "/ipfs/bitswap/1.1.0", "/ipfs/bitswap/1.0.0", "/ipfs/bitswap"]

    /// The most inbound Bitswap streams one connection may have open at once.
    ///
    /// Kubo uses one long-lived stream per peer for wants and opens a short-lived stream for each answer.
    /// A stream over the limit is reset after negotiation, and the blocks on it are lost (kubo does not
    /// resend them), so the limit must exceed the answers a busy peer has in flight at once; the streams
    /// themselves stay bounded by yamux's stream limit and receive windows.
    public static let defaultMaximumInboundStreamCount = 128

    /// The most outbound streams kept open; past it the oldest-opened one is half-closed (it is reopened on
    /// the next send). A node rarely exchanges blocks with more peers at once than it has connections (512).
    public static let defaultMaximumOutboundStreamCount = 512

    /// Opens a stream to a peer speaking the first accepted protocol of the list.
    public typealias StreamOpener = @Sendable (PeerID, [String]) async throws -> any BitswapStream

    /// How an inbound stream ended.
    public enum InboundOutcome: Sendable, Equatable {
        /// The peer closed it cleanly between messages.
        case finished
        /// It carried a bad, oversized or truncated message, and was reset.
        case reset(BitswapError)
        /// Reading failed (peer reset, connection lost): the description of the error.
        case failed(String)
    }

    private let openStream: StreamOpener
    private let maximumOutboundStreamCount: Int
    private var streams: [PeerID: any BitswapStream] = [:]
    private var openOrder: [PeerID] = []

    /// Creates a messenger that opens streams with `openStream` (tests pass in-memory streams).
    public init(maximumOutboundStreamCount: Int = defaultMaximumOutboundStreamCount, openStream: @escaping StreamOpener) {
        precondition(maximumOutboundStreamCount >= 1, "the messenger must keep one stream")
        self.maximumOutboundStreamCount = maximumOutboundStreamCount
        self.openStream = openStream
    }

    /// Creates a messenger over the node's network.
    public init(network: any PeerNetwork, maximumOutboundStreamCount: Int = defaultMaximumOutboundStreamCount) {
        self.init(maximumOutboundStreamCount: maximumOutboundStreamCount) { peer, protocols in
            try await network.openStream(to: peer, protocols: protocols)
        }
    }

    /// Writes one framed message on our stream to `peer`, opening it (or reopening it once after a failed write).
    /// - Throws: the open's or the write's error when the peer cannot be reached.
    public func send(_ message: BitswapMessage, to peer: PeerID) async throws {
        let frame = message.framed()
        if let stream = streams[peer] {
            do {
                try await stream.write(frame)
                return
            } catch {
                streams[peer] = nil
                await stream.reset()
            }
        }
        let stream = try await openStream(peer, Self.protocolIDs)
        do {
            try await stream.write(frame)
        } catch {
            await stream.reset()
            throw error
        }
        await keep(stream, for: peer)
    }

    /// Remembers `stream` as `peer`'s outbound stream, half-closing the oldest one when over the limit.
    private func keep(_ stream: any BitswapStream, for peer: PeerID) async {
        if let previous = streams.updateValue(stream, forKey: peer) { await previous.closeWrite() }
        openOrder.removeAll { $0 == peer }
        openOrder.append(peer)
        while streams.count > maximumOutboundStreamCount, !openOrder.isEmpty {
            let oldest = openOrder.removeFirst()
            if let evicted = streams.removeValue(forKey: oldest) { await evicted.closeWrite() }
        }
    }

    /// Resets the stream to `peer` (its connection is gone).
    public func peerDisconnected(_ peer: PeerID) async {
        openOrder.removeAll { $0 == peer }
        if let stream = streams.removeValue(forKey: peer) { await stream.reset() }
    }

    /// Half-closes every outbound stream (at shutdown).
    public func closeAll() async {
        let open = streams
        streams = [:]
        openOrder = []
        for stream in open.values { await stream.closeWrite() }
    }

    /// Serves `service` on every Bitswap protocol ID of `network`: each inbound stream is read by
    /// `serveInbound` with the service's limits. Register before the network starts listening or dialling.
    public static func registerHandlers(
        on network: any PeerNetwork, service: BitswapService,
        maximumInboundStreamCount: Int = defaultMaximumInboundStreamCount
    ) async {
        let configuration = service.configuration
        for protocolID in protocolIDs {
            await network.setStreamHandler(protocolID, maximumConcurrentStreamCount: maximumInboundStreamCount) { stream in
                await serveInbound(stream, from: stream.remotePeerID, configuration: configuration) { message, peer in
                    await service.receive(message, from: peer)
                }
            }
        }
    }

    /// Reads length-prefixed messages from an inbound stream until it ends, handing each to `receive` in
    /// order; a malformed, oversized or truncated message resets the stream. Nothing is ever written on it.
    @discardableResult
    public static func serveInbound(
        _ stream: some BitswapStream, from peer: PeerID, configuration: BitswapConfiguration = .default,
        receive: (BitswapMessage, PeerID) async -> Void
    ) async -> InboundOutcome {
        var decoder = BitswapFrameDecoder(configuration: configuration)
        while true {
            let chunk: [UInt8]?
            do {
                chunk = try await stream.read()
            } catch {
                await stream.reset()
                return .failed("\(error)")
            }
            do {
                guard let chunk else {
                    try decoder.finish()
                    await stream.closeWrite()
                    return .finished
                }
                for message in try decoder.receive(chunk) { await receive(message, peer) }
            } catch {
                await stream.reset()
                return .reset(error)
            }
        }
    }
}
