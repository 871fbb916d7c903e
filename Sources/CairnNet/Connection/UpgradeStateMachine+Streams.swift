extension UpgradeStateMachine {
    /// The outcome of ``write(_:streamID:)``: how many bytes the peer's window took, and the events to perform.
    public struct WriteResult: Sendable, Equatable {
        /// The number of leading bytes taken; write the rest after a `.streamWritable` event.
        public let acceptedByteCount: Int
        /// The events to perform (encrypted frames to send).
        public let events: [UpgradeEvent]
    }

    /// Opens an outbound yamux stream: returns its ID and the events to perform.
    /// - Throws: `.notUpgraded` before the upgrade, `.yamux(…)` when the session refuses (limits, GoAway).
    public mutating func openStream() throws(ConnectionError) -> (streamID: UInt32, events: [UpgradeEvent]) {
        try withSession { (yamux: inout YamuxSessionStateMachine) throws(YamuxError) in try yamux.openStream() }
    }

    /// Writes as much of `data` as the peer's window allows on `streamID`.
    /// - Throws: `.notUpgraded`, or `.yamux(…)` for an unknown or write-closed stream or a failed session.
    public mutating func write(_ data: ArraySlice<UInt8>, streamID: UInt32) throws(ConnectionError) -> WriteResult {
        let (accepted, events) = try withSession { (yamux: inout YamuxSessionStateMachine) throws(YamuxError) in
            let result = try yamux.write(data, streamID: streamID)
            return (result.acceptedByteCount, result.actions)
        }
        return WriteResult(acceptedByteCount: accepted, events: events)
    }

    /// Accepts an inbound stream (WindowUpdate+ACK); nothing if it is already accepted or gone.
    public mutating func accept(streamID: UInt32) -> [UpgradeEvent] {
        sessionEvents { $0.accept(streamID: streamID) }
    }

    /// Half-closes our direction of `streamID` (FIN); nothing if it is gone or already closed.
    public mutating func close(streamID: UInt32) -> [UpgradeEvent] {
        sessionEvents { $0.close(streamID: streamID) }
    }

    /// Resets `streamID` (RST) and releases it; nothing if it is gone.
    public mutating func reset(streamID: UInt32) -> [UpgradeEvent] {
        sessionEvents { $0.reset(streamID: streamID) }
    }

    /// Reports that the application consumed `byteCount` delivered bytes of `streamID` (reopens the window).
    public mutating func consumed(streamID: UInt32, byteCount: Int) -> [UpgradeEvent] {
        sessionEvents { $0.consumed(streamID: streamID, byteCount: byteCount) }
    }

    /// Sends a GoAway: existing streams continue, no new ones are accepted.
    public mutating func goAway() -> [UpgradeEvent] {
        sessionEvents { $0.goAway() }
    }

    /// The keep-alive timer fired: sends a ping, or fails the session after `silentRoundLimit` rounds
    /// with the last ping unanswered and nothing received.
    public mutating func pingTimerFired(silentRoundLimit: Int = 1) -> [UpgradeEvent] {
        sessionEvents { $0.pingTimerFired(silentRoundLimit: silentRoundLimit) }
    }
}
