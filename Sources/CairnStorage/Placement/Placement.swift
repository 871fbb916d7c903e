import CairnCore
import CairnCrypto
import CairnPrivate
import Foundation

/// A failure domain: an IPv4 /24 or IPv6 /64 — or the peer itself when no IP address is known.
public struct FailureDomain: Hashable, Sendable, CustomStringConvertible {
    public let description: String

    /// The domain of the first IP address in `addresses`.
    public static func of(_ addresses: [Multiaddr], peer: PeerID) -> FailureDomain {
        for address in addresses {
            for component in address.components {
                switch component {
                case .ip4(let address):
                    let v = address.value
                    return FailureDomain(description: "ip4:\(v >> 24).\((v >> 16) & 0xff).\((v >> 8) & 0xff).0/24")
                case .ip6(let address) where address.groups.count == 8:
                    return FailureDomain(description: "ip6:" + address.groups.prefix(4).map { String($0, radix: 16) }.joined(separator: ":") + "::/64")
                default: continue
                }
            }
        }
        return FailureDomain(description: "peer:\(peer)")
    }
}

/// A provider that could take shares.
public struct ProviderCandidate: Sendable, Equatable {
    public var peer: PeerID
    public var domain: FailureDomain
    public var freeByteCount: UInt64
    public var score: Double
    public var standing: ProviderStanding

    public init(peer: PeerID, domain: FailureDomain, freeByteCount: UInt64, score: Double, standing: ProviderStanding) {
        self.peer = peer
        self.domain = domain
        self.freeByteCount = freeByteCount
        self.score = score
        self.standing = standing
    }
}

/// Failure-domain rules.
public struct PlacementPolicy: Sendable, Equatable {
    /// Whether several chosen providers may share a /24 or /64 (a devnet on 127.0.0.1 must allow it).
    public var allowSharedDomains: Bool
    public init(allowSharedDomains: Bool = false) { self.allowSharedDomains = allowSharedDomains }
    /// Everything on one machine.
    public static let devnet = PlacementPolicy(allowSharedDomains: true)
}

/// Score-weighted random choice of providers.
public enum PlacementSelector {
    /// The floor weight, so a provider with no history (or a low score) still gets a chance.
    static let minimumWeight = 0.05

    /// Up to `count` distinct providers, never in `excludedPeers`, never excluded, each with `byteCount`
    /// free, at most one per failure domain (counting `usedDomains`) unless the policy allows sharing;
    /// chosen by weighted sampling without replacement (Efraimidis–Spirakis keys u^(1/w)). Fewer when not
    /// enough qualify.
    public static func choose(count: Int, from candidates: [ProviderCandidate], byteCount: UInt64, excludedPeers: Set<PeerID>,
                              usedDomains: Set<FailureDomain>, policy: PlacementPolicy,
                              using generator: inout some RandomNumberGenerator) -> [ProviderCandidate] {
        guard count > 0 else { return [] }
        let eligible = candidates.filter {
            $0.standing != .excluded && !excludedPeers.contains($0.peer) && $0.freeByteCount >= byteCount
                && (policy.allowSharedDomains || !usedDomains.contains($0.domain))
        }
        // Sort by peer first so the draw depends only on the generator, not on the input order.
        let keyed = eligible.sorted { $0.peer < $1.peer }.map { candidate -> (Double, ProviderCandidate) in
            let weight = max(minimumWeight, min(1, candidate.score))
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
            return (pow(u, 1 / weight), candidate)
        }.sorted { $0.0 > $1.0 }
        var chosen: [ProviderCandidate] = []
        var seenPeers = Set<PeerID>()
        var domains = usedDomains
        for (_, candidate) in keyed where chosen.count < count {
            guard !seenPeers.contains(candidate.peer) else { continue }
            if !policy.allowSharedDomains {
                guard !domains.contains(candidate.domain) else { continue }
                domains.insert(candidate.domain)
            }
            seenPeers.insert(candidate.peer)
            chosen.append(candidate)
        }
        return chosen
    }
}

/// Erasure parameters a network can hold.
public enum ErasureChoice {
    /// `requested` when at least n providers qualify; otherwise n' leaves one provider in five (at least
    /// one) free so repair has somewhere to put rebuilt shares, and k' keeps about the same expansion n/k
    /// (1 ≤ k' < n'); nil with fewer than 2 providers.
    public static func choose(requested: ErasureParameters, availableProviders: Int) -> (parameters: ErasureParameters, reduced: Bool)? {
        if availableProviders >= requested.totalShareCount { return (requested, false) }
        guard availableProviders >= 2 else { return nil }
        let n = max(2, availableProviders - max(1, availableProviders / 5))
        let ratio = Double(requested.dataShareCount) / Double(requested.totalShareCount)
        let k = max(1, min(n - 1, Int((Double(n) * ratio).rounded())))
        return (ErasureParameters(dataShareCount: k, totalShareCount: n, segmentByteCount: requested.segmentByteCount), true)
    }
}
