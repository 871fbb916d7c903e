import Foundation

/// The local control API between the `cairn` CLI and a running daemon: JSON lines over a TCP connection to
/// 127.0.0.1, one request per connection.
///
/// The client writes one line, `{"method": "swarm.peers", "params": {…}}`. The daemon answers with zero or
/// more progress lines `{"type": "progress", "body": {…}}` and then exactly one final line, either
/// `{"type": "result", "body": {…}}` or `{"type": "error", "error": {"code": "notFound", "message": "…"}}`.
/// The daemon writes its control address to `<repo>/api` while it runs.
public enum ControlProtocol {
    /// The longest request line the daemon reads.
    public static let maximumRequestByteCount = 64 * 1024
    /// The longest response line the client reads.
    public static let maximumResponseLineByteCount = 64 * 1024 * 1024
    /// The file in the repository naming the running daemon's control address.
    public static let apiFileName = "api"
}

/// A request's method and parameters.
public struct ControlRequest<Params: Codable & Sendable>: Codable, Sendable {
    /// The method name, such as `swarm.peers`.
    public var method: String
    /// The method's parameters.
    public var params: Params

    /// Creates a request.
    public init(method: String, params: Params) {
        self.method = method
        self.params = params
    }
}

/// Parameters of methods that take none.
public struct NoParams: Codable, Sendable, Equatable {
    /// Creates the empty parameter set.
    public init() {}
}

/// A failure reported by the daemon: a category the CLI maps to an exit code, and a message.
public struct ControlFailure: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    /// The category, one of `NodeError.Code`'s names (`notFound`, `invalidInput`, `network`, …).
    public var code: String
    /// One line saying what went wrong and what to do.
    public var message: String

    /// Creates a failure.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// One response line.
struct ControlResponseLine<Body: Decodable>: Decodable {
    var type: String
    var body: Body?
    var error: ControlFailure?
}

/// The `type` of a response line, decoded before its body.
struct ControlResponseKind: Decodable {
    var type: String
}

/// The method name of a request, decoded before its parameters.
struct ControlMethodName: Decodable {
    var method: String
}

extension JSONEncoder {
    /// The encoder used for every control line: compact, sorted keys, ISO 8601 dates.
    static var control: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    /// The decoder used for every control line.
    static var control: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
