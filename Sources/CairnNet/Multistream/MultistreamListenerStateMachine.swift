/// The responder's side of multistream-select 1.0, as a sans-IO state machine.
///
/// It answers the dialer's header with its own, then loops over proposals: a supported protocol is echoed
/// and ends negotiation, anything else gets `na` — including `/libp2p/simultaneous-connect`, which kubo 0.22
/// pipelines before `/noise` in the same write. Replies produced by one `receive` call are coalesced into one
/// `.send`. Bytes after the accepted proposal are returned as `leftover` for the protocol handler (kubo sends
/// the first application message in the same frame as its proposal). After
/// `configuration.maximumProposalCount` proposals negotiation fails with `.tooManyProposals`.
public struct MultistreamListenerStateMachine: Sendable {
    private enum State: Sendable {
        case awaitingHeader
        case awaitingProposal(count: Int)
        case finished
    }

    /// The protocol IDs this listener accepts.
    public let supportedProtocols: Set<String>
    /// The limits in force.
    public let configuration: MultistreamConfiguration
    private var state: State = .awaitingHeader
    private var decoder: MultistreamDecoder

    /// Creates a listener accepting any of `supportedProtocols`.
    public init(supportedProtocols: Set<String>, configuration: MultistreamConfiguration = .default) {
        self.supportedProtocols = supportedProtocols
        self.configuration = configuration
        self.decoder = MultistreamDecoder(maximumMessageByteCount: configuration.maximumMessageByteCount)
    }

    /// Handles bytes received from the dialer.
    public mutating func receive<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [MultistreamAction] {
        if case .finished = state {
            preconditionFailure("receive(_:) after negotiation ended; route bytes to the protocol handler")
        }
        decoder.append(bytes)
        var reply: [UInt8] = []
        while true {
            let message: MultistreamMessage?
            do {
                message = try decoder.nextMessage()
            } catch {
                return finish(reply, .failed(error))
            }
            guard let message else { return reply.isEmpty ? [] : [.send(reply)] }
            if let final = handle(message, reply: &reply) { return finish(reply, final) }
        }
    }

    /// Handles the end of the input (the dialer closed its side) before negotiation completed.
    public mutating func endOfInput() -> [MultistreamAction] {
        if case .finished = state { return [] }
        return finish([], .failed(decoder.endOfInputError))
    }

    /// Processes one message, appending replies; returns the final action when negotiation ends with it.
    private mutating func handle(_ message: MultistreamMessage, reply: inout [UInt8]) -> MultistreamAction? {
        switch state {
        case .awaitingHeader:
            guard message == .header else { return .failed(.unexpectedHeader(received: message.text)) }
            MultistreamMessage.header.encode(into: &reply)
            state = .awaitingProposal(count: 0)
            return nil
        case .awaitingProposal(let count):
            guard count < configuration.maximumProposalCount else {
                return .failed(.tooManyProposals(limit: configuration.maximumProposalCount))
            }
            if supportedProtocols.contains(message.text) && message != .notAvailable {
                message.encode(into: &reply)
                return .negotiated(protocol: message.text, leftover: decoder.takeBufferedBytes())
            }
            MultistreamMessage.notAvailable.encode(into: &reply)
            state = .awaitingProposal(count: count + 1)
            return nil
        case .finished:
            preconditionFailure("message handled after negotiation ended")
        }
    }

    private mutating func finish(_ reply: [UInt8], _ final: MultistreamAction) -> [MultistreamAction] {
        state = .finished
        return reply.isEmpty ? [final] : [.send(reply), final]
    }
}
