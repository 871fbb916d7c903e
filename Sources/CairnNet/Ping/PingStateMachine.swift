/// The sans-IO state machine of `/ipfs/ping/1.0.0` (libp2p/specs `ping/ping.md`) for either role.
///
/// The dialer writes 32 random bytes; the listener echoes every 32 bytes it reads; this repeats on the same
/// stream. There is no length prefix. Time is injected: the dialer is given the instant it sent and the
/// instant the echo arrived and reports the round trip. Randomness is injected too (the caller makes the payload).
public struct PingStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The size of every ping payload in bytes.
    public static var payloadByteCount: Int { 32 }

    /// Which side of the stream this machine plays.
    public enum Role: Sendable, Equatable {
        /// Sends payloads and measures round trips.
        case dialer
        /// Echoes payloads.
        case listener
    }

    /// What the owner should do after an event.
    public enum Action: Sendable, Equatable {
        /// Write these bytes to the stream.
        case write([UInt8])
        /// A ping completed with this round-trip time.
        case roundTrip(Duration)
    }

    /// The role given at creation.
    public let role: Role
    private var outstanding: (payload: [UInt8], sentAt: Instant)?
    private var buffer: [UInt8] = []

    /// Creates a machine for `role`.
    public init(role: Role) {
        self.role = role
    }

    /// Whether the dialer is waiting for an echo.
    public var isAwaitingEcho: Bool { outstanding != nil }

    /// Dialer: starts a ping with `payload` (32 random bytes from the injected source) sent at `now`.
    /// - Throws: `.invalidPayloadSize`, or `.pingInFlight` while the previous ping has no echo yet.
    public mutating func startPing(payload: [UInt8], now: Instant) throws(PingError) -> Action {
        precondition(role == .dialer, "only the dialer starts pings")
        guard payload.count == Self.payloadByteCount else { throw .invalidPayloadSize(byteCount: payload.count) }
        guard outstanding == nil else { throw .pingInFlight }
        outstanding = (payload, now)
        return .write(payload)
    }

    /// Consumes bytes read from the stream at `now` and returns the resulting actions.
    ///
    /// A listener returns one `.write` per complete 32 bytes; a dialer returns `.roundTrip` once the echo is
    /// complete. Partial payloads are buffered (at most 31 bytes, or one payload on the listener).
    /// - Throws: `.mismatchedEcho` or `.unexpectedBytes` on the dialer.
    public mutating func receive(_ bytes: some Collection<UInt8>, now: Instant) throws(PingError) -> [Action] {
        switch role {
        case .listener:
            buffer.append(contentsOf: bytes)
            var actions: [Action] = []
            while buffer.count >= Self.payloadByteCount {
                actions.append(.write(Array(buffer.prefix(Self.payloadByteCount))))
                buffer.removeFirst(Self.payloadByteCount)
            }
            return actions
        case .dialer:
            guard let (payload, sentAt) = outstanding else {
                if bytes.isEmpty { return [] }
                throw .unexpectedBytes(byteCount: bytes.count)
            }
            guard buffer.count + bytes.count <= Self.payloadByteCount else {
                throw .unexpectedBytes(byteCount: buffer.count + bytes.count - Self.payloadByteCount)
            }
            buffer.append(contentsOf: bytes)
            guard buffer.count == Self.payloadByteCount else { return [] }
            defer { buffer.removeAll(keepingCapacity: true); outstanding = nil }
            guard buffer == payload else { throw .mismatchedEcho }
            return [.roundTrip(sentAt.duration(to: now))]
        }
    }

    /// Declares the end of the peer's input.
    /// - Throws: `.truncated` when it ended inside a payload (an outstanding ping with no bytes yet is not an error
    ///   here; the owner decides whether a missing echo is a failure).
    public func finish() throws(PingError) {
        guard buffer.isEmpty else { throw .truncated(bufferedByteCount: buffer.count) }
    }
}
