import CairnCore

/// One identify message (libp2p/specs `identify/README.md`; go-libp2p `p2p/protocol/identify/pb`).
///
/// Protobuf (proto2, so a present-but-empty string differs from an absent one):
/// ```
/// Identify { publicKey=1 bytes; listenAddrs=2 repeated bytes (binary multiaddrs); protocols=3 repeated string;
///            observedAddr=4 bytes (binary multiaddr); protocolVersion=5 string; agentVersion=6 string;
///            signedPeerRecord=8 bytes (signed envelope) }
/// ```
/// Messages are uvarint length-prefixed; a responder may send several (go splits above 2 KiB) and the reader
/// merges them with `merging(_:)`. Addresses that `Multiaddr` cannot parse (transports we do not know, such as
/// `/webtransport`) are dropped and counted, as go-libp2p drops them. Spec page: `docs/specs/identify.md`.
public struct IdentifyMessage: Sendable, Equatable {
    /// The protocol family version; kubo 0.22 sends "" (present but empty).
    public var protocolVersion: String?
    /// The implementation's name and version, e.g. `kubo/0.22.0/`.
    public var agentVersion: String?
    /// The sender's public key as a libp2p `PublicKey` protobuf (not parsed here).
    public var publicKey: [UInt8]?
    /// The addresses the sender listens on.
    public var listenAddresses: [Multiaddr]
    /// The address the sender sees us at.
    public var observedAddress: Multiaddr?
    /// The protocol IDs the sender speaks.
    public var protocols: [String]
    /// The sender's signed peer record envelope (not verified here).
    public var signedPeerRecord: [UInt8]?
    /// How many received addresses could not be parsed and were dropped (0 for messages we build).
    public var droppedAddressCount: Int

    /// Creates a message; every field defaults to absent or empty.
    public init(
        protocolVersion: String? = nil, agentVersion: String? = nil, publicKey: [UInt8]? = nil,
        listenAddresses: [Multiaddr] = [], observedAddress: Multiaddr? = nil, protocols: [String] = [],
        signedPeerRecord: [UInt8]? = nil, droppedAddressCount: Int = 0
    ) {
        self.protocolVersion = protocolVersion
        self.agentVersion = agentVersion
        self.publicKey = publicKey
        self.listenAddresses = listenAddresses
        self.observedAddress = observedAddress
        self.protocols = protocols
        self.signedPeerRecord = signedPeerRecord
        self.droppedAddressCount = droppedAddressCount
    }

    /// Merges messages in arrival order as protobuf merging does: a later present scalar replaces an earlier
    /// one, repeated fields are concatenated (duplicates removed, first occurrence kept).
    public static func merging(_ messages: [IdentifyMessage]) -> IdentifyMessage {
        var merged = IdentifyMessage()
        for message in messages {
            merged.protocolVersion = message.protocolVersion ?? merged.protocolVersion
            merged.agentVersion = message.agentVersion ?? merged.agentVersion
            merged.publicKey = message.publicKey ?? merged.publicKey
            merged.observedAddress = message.observedAddress ?? merged.observedAddress
            merged.signedPeerRecord = message.signedPeerRecord ?? merged.signedPeerRecord
            for address in message.listenAddresses where !merged.listenAddresses.contains(address) {
                merged.listenAddresses.append(address)
            }
            for name in message.protocols where !merged.protocols.contains(name) {
                merged.protocols.append(name)
            }
            merged.droppedAddressCount += message.droppedAddressCount
        }
        return merged
    }
}
