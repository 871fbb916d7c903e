/// Kademlia DHT for Cairn (libp2p `/ipfs/kad/1.0.0`-compatible).
public enum CairnDHTModule {}
