import CairnCore

/// Builders for the requests a DHT client sends, with the keys each kind expects (see
/// `docs/specs/kademlia.md`): peer-ID bytes for FIND_NODE, the content multihash (not the CID) for the
/// provider messages, record-key bytes for values.
extension DHTMessage {
    /// A FIND_NODE request for the peers closest to `peer`.
    public static func findNode(_ peer: DHTPeerID) -> DHTMessage {
        DHTMessage(type: .findNode, key: peer.bytes)
    }

    /// A GET_PROVIDERS request for the content with this multihash.
    public static func getProviders(_ multihash: Multihash) -> DHTMessage {
        DHTMessage(type: .getProviders, key: multihash.bytes)
    }

    /// An ADD_PROVIDER announcement that `provider` (ourselves, with our addresses) has the content;
    /// go-libp2p-kad-dht sends no reply and ignores provider entries other than the sender.
    public static func addProvider(_ multihash: Multihash, provider: DHTPeer) -> DHTMessage {
        DHTMessage(type: .addProvider, key: multihash.bytes, providerPeers: [provider])
    }

    /// A GET_VALUE request for the record stored under `key`.
    public static func getValue(_ key: [UInt8]) -> DHTMessage {
        DHTMessage(type: .getValue, key: key)
    }

    /// A PUT_VALUE request storing `record` under its own key (kubo requires `key == record.key`).
    public static func putValue(_ record: DHTRecord) -> DHTMessage {
        DHTMessage(type: .putValue, key: record.key, record: record)
    }
}
