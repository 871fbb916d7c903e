import Foundation

/// The `storage` section of the repository's `config.json`: whether the daemon is a storage provider,
/// how much it offers and at what price, and which timer profile its owner side uses.
public struct StorageConfig: Codable, Sendable, Equatable {
    /// Bytes of share data offered to the network (nil or 0: not a provider).
    public var provideBytes: Int64?
    /// Asking price per GiB-month, in micro-tokens.
    public var pricePerGiBMonth: Int64
    /// `standard` (real network timers) or `devnet` (seconds-scale timers, shared subnets allowed).
    public var profile: String

    /// Seconds between audits of each contract (overrides the profile's).
    public var auditIntervalSeconds: Double?
    /// Seconds between health checks of each file (overrides the profile's).
    public var checkIntervalSeconds: Double?
    /// Days a new contract runs (overrides the profile's 30).
    public var contractDays: Double?

    /// The defaults of a new repository: not a provider, free, standard timers.
    public static let defaults = StorageConfig(provideBytes: nil, pricePerGiBMonth: 0, profile: "standard")

    /// Creates a storage section.
    public init(provideBytes: Int64?, pricePerGiBMonth: Int64, profile: String, auditIntervalSeconds: Double? = nil,
                checkIntervalSeconds: Double? = nil, contractDays: Double? = nil) {
        self.provideBytes = provideBytes
        self.pricePerGiBMonth = pricePerGiBMonth
        self.profile = profile
        self.auditIntervalSeconds = auditIntervalSeconds
        self.checkIntervalSeconds = checkIntervalSeconds
        self.contractDays = contractDays
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        provideBytes = try container.decodeIfPresent(Int64.self, forKey: .provideBytes)
        pricePerGiBMonth = try container.decodeIfPresent(Int64.self, forKey: .pricePerGiBMonth) ?? 0
        profile = try container.decodeIfPresent(String.self, forKey: .profile) ?? "standard"
        auditIntervalSeconds = try container.decodeIfPresent(Double.self, forKey: .auditIntervalSeconds)
        checkIntervalSeconds = try container.decodeIfPresent(Double.self, forKey: .checkIntervalSeconds)
        contractDays = try container.decodeIfPresent(Double.self, forKey: .contractDays)
    }

    /// Parses a size such as `10GiB`, `500MB`, `1T` or a plain byte count.
    /// - Throws: `NodeError(.invalidInput)` for anything else.
    public static func parseSize(_ text: String) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(digits.count).lowercased()
        let multipliers: [String: Double] = [
            "": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": Double(1 << 20), "mb": 1e6, "mib": Double(1 << 20),
            "g": Double(1 << 30), "gb": 1e9, "gib": Double(1 << 30), "t": Double(1 << 40), "tb": 1e12, "tib": Double(1 << 40),
        ]
        guard let value = Double(digits), let multiplier = multipliers[unit], value >= 0, value * multiplier < 9e18 else {
            throw NodeError(.invalidInput, "\(text) is not a size; write it as bytes or with a unit, e.g. 500MiB or 10GB")
        }
        return Int64(value * multiplier)
    }
}

extension Repository {
    /// The repository's storage settings (the defaults when the config has none).
    public func storageConfig() throws -> StorageConfig {
        try Self.readConfig(at: path).storage ?? .defaults
    }

    /// Replaces the repository's storage settings, writing the config durably.
    public func setStorageConfig(_ storage: StorageConfig) throws {
        var config = try Self.readConfig(at: path)
        config.storage = storage
        try Self.writeConfig(config, at: path)
    }
}
