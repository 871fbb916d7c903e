/// The initiator's side of multistream-select 1.0, as a sans-IO state machine.
///
/// `start` sends the header and the first proposal in one write. When the listener answers `na`, the next
/// proposal from the list goes out; when the list is exhausted, negotiation fails with
/// `.protocolsExhausted`. The listener's echo completes negotiation, and any bytes after it are returned as
/// `leftover` for the protocol handler.
///
/// In lazy mode (`isLazy`, for a single protocol the caller expects the peer to speak) the caller may pipeline
/// application data right after the proposal (`start(pipelining:)`), saving a round trip as kubo does on
/// streams; since the listener would read that data as the next proposal, an `na` then fails negotiation
/// instead of trying another protocol.
public struct MultistreamDialerStateMachine: Sendable {
    private enum State: Sendable {
        case idle
        case awaitingHeader(proposalIndex: Int)
        case awaitingResponse(proposalIndex: Int)
        case finished
    }

    /// The protocol IDs to propose, in order of preference.
    public let protocols: [String]
    /// Whether the caller pipelines application data after the proposal (only one protocol is then tried).
    public let isLazy: Bool
    /// The limits in force.
    public let configuration: MultistreamConfiguration
    private var state: State = .idle
    private var decoder: MultistreamDecoder
    private var proposals: [MultistreamMessage]

    /// Creates a dialer proposing `protocols` in order.
    /// - Parameters:
    ///   - protocols: one or more protocol IDs, each a single non-empty line within the message size limit.
    ///   - lazy: when true, only `protocols[0]` is proposed and the caller may send data straight after it.
    /// - Throws: `MultistreamError.invalidProtocolID` for an empty list entry, a newline or an oversized ID.
    public init(
        protocols: [String], lazy: Bool = false, configuration: MultistreamConfiguration = .default
    ) throws(MultistreamError) {
        precondition(!protocols.isEmpty, "a dialer needs at least one protocol to propose")
        var proposals: [MultistreamMessage] = []
        for id in lazy ? [protocols[0]] : protocols {
            guard !id.isEmpty else { throw .invalidProtocolID(id, reason: "empty") }
            let message = try MultistreamMessage(id)
            guard message.encodedTextByteCount <= configuration.maximumMessageByteCount else {
                throw .invalidProtocolID(id, reason: "longer than \(configuration.maximumMessageByteCount) bytes")
            }
            proposals.append(message)
        }
        self.protocols = proposals.map(\.text)
        self.isLazy = lazy
        self.configuration = configuration
        self.proposals = proposals
        self.decoder = MultistreamDecoder(maximumMessageByteCount: configuration.maximumMessageByteCount)
    }

    /// Starts negotiation: returns the header and the first proposal as one `.send`, followed in lazy mode by
    /// `applicationData` in the same write.
    public mutating func start(pipelining applicationData: [UInt8] = []) -> [MultistreamAction] {
        guard case .idle = state else { preconditionFailure("start() called twice") }
        precondition(applicationData.isEmpty || isLazy, "only a lazy dialer may pipeline application data")
        var out = MultistreamMessage.header.encoded
        proposals[0].encode(into: &out)
        out.append(contentsOf: applicationData)
        state = .awaitingHeader(proposalIndex: 0)
        return [.send(out)]
    }

    /// Handles bytes received from the listener.
    public mutating func receive<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [MultistreamAction] {
        switch state {
        case .idle: preconditionFailure("receive(_:) before start()")
        case .finished: preconditionFailure("receive(_:) after negotiation ended; route bytes to the protocol handler")
        case .awaitingHeader, .awaitingResponse: break
        }
        decoder.append(bytes)
        var actions: [MultistreamAction] = []
        while true {
            let message: MultistreamMessage?
            do {
                message = try decoder.nextMessage()
            } catch {
                return finish(actions, .failed(error))
            }
            guard let message else { return actions }
            if let final = handle(message, into: &actions) { return finish(actions, final) }
        }
    }

    /// Handles the end of the input (the peer closed its side) before negotiation completed.
    public mutating func endOfInput() -> [MultistreamAction] {
        switch state {
        case .finished: return []
        case .idle, .awaitingHeader, .awaitingResponse:
            return finish([], .failed(decoder.endOfInputError))
        }
    }

    /// Processes one message; returns the final action when negotiation ends with it.
    private mutating func handle(_ message: MultistreamMessage, into actions: inout [MultistreamAction]) -> MultistreamAction? {
        switch state {
        case .awaitingHeader(let index):
            guard message == .header else { return .failed(.unexpectedHeader(received: message.text)) }
            state = .awaitingResponse(proposalIndex: index)
            return nil
        case .awaitingResponse(let index):
            let proposal = proposals[index]
            if message == proposal {
                return .negotiated(protocol: proposal.text, leftover: decoder.takeBufferedBytes())
            }
            guard message == .notAvailable else {
                return .failed(.unexpectedResponse(proposed: proposal.text, received: message.text))
            }
            let next = index + 1
            guard !isLazy, next < proposals.count else { return .failed(.protocolsExhausted(proposed: protocols)) }
            actions.append(.send(proposals[next].encoded))
            state = .awaitingResponse(proposalIndex: next)
            return nil
        case .idle, .finished:
            preconditionFailure("message handled outside negotiation")
        }
    }

    private mutating func finish(_ actions: [MultistreamAction], _ final: MultistreamAction) -> [MultistreamAction] {
        state = .finished
        return actions + [final]
    }
}
