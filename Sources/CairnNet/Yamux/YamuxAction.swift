/// What a yamux session state machine asks its owner to do after an event.
public enum YamuxAction: Sendable, Equatable {
    /// Write this frame to the connection (encode with `YamuxFrame.encode(into:)`; frames may be coalesced).
    case send(YamuxFrame)
    /// The peer opened stream `streamID`; call `accept(streamID:)` (or write to it) to acknowledge it.
    case streamOpened(streamID: UInt32)
    /// Data arrived on a stream; report it with `consumed(streamID:byteCount:)` once the application used it.
    case deliver(streamID: UInt32, data: [UInt8])
    /// The peer granted more send window; `windowByteCount` bytes may now be written.
    case streamWritable(streamID: UInt32, windowByteCount: Int)
    /// The peer half-closed the stream (FIN): no more data will arrive on it.
    case streamRemoteClosed(streamID: UInt32)
    /// Both sides closed the stream; its state is released.
    case streamClosed(streamID: UInt32)
    /// The peer reset the stream (RST), or we reset it because the peer broke the protocol on it.
    case streamReset(streamID: UInt32)
    /// An inbound stream was refused with RST because of `reason` (a limit, or the session going away).
    case streamRefused(streamID: UInt32, reason: YamuxError)
    /// The peer answered our keep-alive ping.
    case pingAcknowledged(opaque: UInt32)
    /// The peer sent a normal GoAway: existing streams continue, no new ones may be opened.
    case goAwayReceived
    /// The session is over (any GoAway it implies was sent just before); close the connection.
    case sessionFailed(YamuxError)
}
