/// Bitswap 1.2.0 block exchange for Cairn.
public enum CairnExchangeModule {}
