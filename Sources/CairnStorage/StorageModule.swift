/// CairnStorage: the storage market of a Cairn network — signed provider offers, storage contracts,
/// proofs of storage (range reads with Merkle proofs), provider reputation, placement, durability
/// estimates, and the provider and owner engines that run them over an injected transport, clock and
/// randomness (so the same logic runs on libp2p streams, in multi-process tests and in a simulator).
///
/// See docs/specs/storage.md for the wire format and the defaults.
public enum CairnStorage {
    /// The libp2p protocol ID of the storage protocol.
    public static let protocolID = "/cairn/storage/1.0.0"
    /// The protocol version carried in offers and contracts.
    public static let protocolVersion: UInt32 = 1
}
