import Foundation

/// The `network` section of the repository's `config.json`: what `cairn daemon` listens on and
/// bootstraps to when no flags override it.
public struct NetworkConfig: Codable, Sendable, Equatable {
    /// Multiaddrs to listen on, such as `/ip4/0.0.0.0/tcp/4101`.
    public var listen: [String]
    /// Full multiaddrs (ending in `/p2p/ID`) of peers to connect to at start.
    public var bootstrap: [String]
    /// The DHT protocol ID: `/ipfs/kad/1.0.0` (public) or `/ipfs/lan/kad/1.0.0` (LAN and loopback).
    public var dhtProtocol: String
    /// `server` (answer DHT queries, the default) or `client` (only ask).
    public var dhtMode: String
    /// How often pinned roots are re-announced to the DHT, in seconds.
    public var reprovideIntervalSeconds: Int

    /// The defaults of a new repository.
    public static let defaults = NetworkConfig(listen: ["/ip4/0.0.0.0/tcp/4101"], bootstrap: [],
                                               dhtProtocol: "/ipfs/kad/1.0.0", dhtMode: "server",
                                               reprovideIntervalSeconds: 12 * 3600)

    /// Creates a network section.
    public init(listen: [String], bootstrap: [String], dhtProtocol: String, dhtMode: String, reprovideIntervalSeconds: Int) {
        self.listen = listen
        self.bootstrap = bootstrap
        self.dhtProtocol = dhtProtocol
        self.dhtMode = dhtMode
        self.reprovideIntervalSeconds = reprovideIntervalSeconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Self.defaults
        listen = try container.decodeIfPresent([String].self, forKey: .listen) ?? defaults.listen
        bootstrap = try container.decodeIfPresent([String].self, forKey: .bootstrap) ?? defaults.bootstrap
        dhtProtocol = try container.decodeIfPresent(String.self, forKey: .dhtProtocol) ?? defaults.dhtProtocol
        dhtMode = try container.decodeIfPresent(String.self, forKey: .dhtMode) ?? defaults.dhtMode
        reprovideIntervalSeconds = try container.decodeIfPresent(Int.self, forKey: .reprovideIntervalSeconds)
            ?? defaults.reprovideIntervalSeconds
    }
}

extension Repository {
    /// The repository's network settings (the defaults when the config has no `network` section).
    /// - Throws: `NodeError(.repository)` when the config cannot be read.
    public func networkConfig() throws -> NetworkConfig {
        try Self.readConfig(at: path).network ?? .defaults
    }

    /// Replaces the repository's network settings, writing the config durably.
    public func setNetworkConfig(_ network: NetworkConfig) throws {
        var config = try Self.readConfig(at: path)
        config.network = network
        try Self.writeConfig(config, at: path)
    }
}
