/// What a multistream state machine asks its owner to do after an event.
public enum MultistreamAction: Sendable, Equatable {
    /// Write these bytes to the connection or stream (several messages may be coalesced into one write).
    case send([UInt8])
    /// Negotiation succeeded on `protocol`; `leftover` holds bytes the peer pipelined after the protocol
    /// line, which belong to that protocol's handler and must be passed to it before any later bytes.
    case negotiated(protocol: String, leftover: [UInt8])
    /// Negotiation failed; close or reset the connection or stream. No further actions follow.
    case failed(MultistreamError)
}
