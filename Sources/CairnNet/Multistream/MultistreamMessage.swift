/// One multistream-select 1.0 message: a single line of UTF-8 text such as a protocol ID, `na` or the header.
///
/// Wire layout (see `docs/specs/multistream.md`):
/// ```
/// uvarint(n) | n bytes: UTF-8 text | 0x0a      (n counts the text AND the trailing newline)
/// ```
/// Spec: libp2p/specs `connections/README.md`. The text never contains a newline, so every value encodes.
public struct MultistreamMessage: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The line's text, without the trailing newline.
    public let text: String

    /// Creates a message, rejecting text that contains a newline (a message is exactly one line).
    /// - Throws: `MultistreamError.invalidProtocolID` when `text` contains `\n`.
    public init(_ text: String) throws(MultistreamError) {
        guard !text.utf8.contains(0x0a) else { throw .invalidProtocolID(text, reason: "contains a newline") }
        self.text = text
    }

    /// Creates a message from text already known to be a single line.
    init(uncheckedText text: String) {
        self.text = text
    }

    /// The `/multistream/1.0.0` header both sides send first on every connection and stream.
    public static let header = MultistreamMessage(uncheckedText: "/multistream/1.0.0")

    /// `na`, the listener's refusal of a proposal.
    public static let notAvailable = MultistreamMessage(uncheckedText: "na")

    /// The protocol ID kubo 0.22 as a dialer proposes before `/noise`; a listener must answer `na`.
    public static let simultaneousConnectProtocolID = "/libp2p/simultaneous-connect"

    /// The number of bytes the length prefix counts: the UTF-8 text plus the newline.
    public var encodedTextByteCount: Int { text.utf8.count + 1 }

    /// The message text.
    public var description: String { text }
}
