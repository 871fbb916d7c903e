/// Keys, peer IDs and signatures for Cairn nodes (libp2p-compatible). See `docs/specs/`.
public enum CairnCryptoModule {}
