// swift-tools-version:6.1
import PackageDescription

// Layering (dependencies point down only; see ../shared/STYLE.md):
//   L0 CairnCore (multiformats) -> CairnDAG (dag-pb, UnixFS, CAR)
//   L0 CairnCrypto (keys, peer IDs, signatures)
//   L0 CairnErasure (systematic Reed–Solomon k-of-n over GF(2^8)) -> CCairnErasureKernels (C SIMD kernels)
//   L1 CairnStore (blockstores, SQLite via GRDB, pins, GC)
//   L2 CairnNet (libp2p protocols as sans-IO state machines: multistream-select, Noise, yamux)
//   L3 CairnDHT (Kademlia), CairnExchange (Bitswap)
//   L3 CairnStorage (storage market: offers, contracts, proofs of storage, reputation, placement, durability,
//      provider and owner engines over an injected transport, storage.sqlite)
//   L4 CairnNode (repository composition: add/cat/get/pin/gc)
//   L5 CairnDaemon (the networked node: host + DHT + Bitswap + repository, control API) -> cairn (CLI), cairn-bench
let package = Package(
    name: "Cairn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cairn", targets: ["cairn"]),
        .executable(name: "cairn-bench", targets: ["cairn-bench"]),
        .library(name: "CairnCore", targets: ["CairnCore"]),
        .library(name: "CairnDAG", targets: ["CairnDAG"]),
        .library(name: "CairnStore", targets: ["CairnStore"]),
        .library(name: "CairnNode", targets: ["CairnNode"]),
        .library(name: "CairnErasure", targets: ["CairnErasure"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "CairnCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "CairnDAG", dependencies: ["CairnCore"]),
        // The GF(2^8) multiply-accumulate kernels (SSSE3/AVX2 split-nibble, portable table) behind
        // CairnErasure. -O3 because this loop is the whole cost of erasure coding; the SIMD
        // functions carry their own `target` attributes, so no -m flags are needed.
        .target(name: "CCairnErasureKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "CairnErasure", dependencies: ["CCairnErasureKernels"]),
        .target(
            name: "CairnCrypto",
            dependencies: [
                "CairnCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CairnNet",
            dependencies: [
                "CairnCore", "CairnCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "CairnPrivate", dependencies: [
            "CairnCore", "CairnDAG", "CairnErasure", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .target(
            name: "CairnDHT",
            dependencies: [
                "CairnCore", "CairnCrypto", "CairnNet",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CairnExchange",
            dependencies: ["CairnCore", "CairnCrypto", "CairnNet", "CairnDAG", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "CairnStorage",
            dependencies: [
                "CairnCore", "CairnCrypto", "CairnPrivate", "CairnErasure",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "CairnStore",
            dependencies: [
                "CairnCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CairnNode",
            dependencies: [
                "CairnCore", "CairnCrypto", "CairnDAG", "CairnStore", "CairnPrivate",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CairnDaemon",
            dependencies: [
                "CairnCore", "CairnCrypto", "CairnDAG", "CairnStore", "CairnNode", "CairnNet", "CairnDHT", "CairnExchange",
                "CairnStorage", "CairnPrivate",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "cairn",
            dependencies: [
                "CairnCore", "CairnCrypto", "CairnDAG", "CairnStore", "CairnNode", "CairnDaemon", "CairnNet", "CairnPrivate", "CairnStorage",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "cairn-bench",
            dependencies: ["CairnCore", "CairnDAG", "CairnStore", "CairnNode", "CairnDaemon", "CairnErasure", "CairnPrivate"]
        ),
        .target(name: "CairnTestSupport", dependencies: ["CairnCore", "CairnDAG", "CairnStore"]),
        .testTarget(name: "CairnCoreTests", dependencies: ["CairnCore", "CairnTestSupport"], resources: [.copy("Vectors")]),
        .testTarget(name: "CairnCryptoTests", dependencies: ["CairnCore", "CairnCrypto", "CairnTestSupport"]),
        .testTarget(name: "CairnNetTests", dependencies: ["CairnCore", "CairnCrypto", "CairnNet", "CairnTestSupport"]),
        .testTarget(name: "CairnDHTTests", dependencies: ["CairnCore", "CairnCrypto", "CairnNet", "CairnDHT", "CairnTestSupport"]),
        .testTarget(name: "CairnExchangeTests", dependencies: ["CairnCore", "CairnCrypto", "CairnNet", "CairnDAG", "CairnExchange", "CairnTestSupport"]),
        .testTarget(name: "CairnErasureTests", dependencies: ["CairnErasure", "CCairnErasureKernels", "CairnTestSupport"]),
        .testTarget(name: "CairnDAGTests", dependencies: ["CairnCore", "CairnDAG", "CairnTestSupport"]),
        .testTarget(name: "CairnStoreTests", dependencies: ["CairnCore", "CairnDAG", "CairnStore", "CairnTestSupport"]),
        .testTarget(name: "CairnNodeTests", dependencies: ["CairnCore", "CairnDAG", "CairnStore", "CairnNode", "CairnTestSupport"]),
        .testTarget(name: "CairnPrivateTests", dependencies: ["CairnCore", "CairnDAG", "CairnErasure", "CairnPrivate", "CairnTestSupport"]),
        .testTarget(name: "CairnStorageTests", dependencies: [
            "CairnCore", "CairnCrypto", "CairnPrivate", "CairnErasure", "CairnStorage", "CairnTestSupport",
        ]),
        .testTarget(name: "CairnCLITests", dependencies: [
            "CairnCore", "CairnCrypto", "CairnNet", "CairnExchange", "CairnStore", "CairnDAG", "CairnPrivate", "CairnTestSupport",
        ]),
        .testTarget(name: "CairnInteropTests", dependencies: ["CairnCore", "CairnDAG", "CairnTestSupport"]),
    ]
)
