/// libp2p wire protocols (multistream-select, Noise, yamux) as value types, codecs and sans-IO state machines.
public enum CairnNetModule {}
