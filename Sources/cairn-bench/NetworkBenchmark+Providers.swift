import CairnDaemon
import Foundation

extension NetworkBenchmark {
    /// Provider counts of figure 2, in increasing order (providers are started once and reused).
    static let providerCounts = [4, 8]

    /// Figure 2: fetch speed with the input held by 4 and by 8 providers (each `cairn add`s the same file,
    /// so all hold the same CID), and how many of them actually sent blocks.
    ///
    /// Providers do not bootstrap to each other, so a fetcher only learns of the providers it is connected to.
    func multiProviderFigures(_ fleet: DaemonFleet) async throws {
        var providers: [BenchmarkDaemon] = []
        var cid = ""
        for count in Self.providerCounts {
            while providers.count < count {
                let provider = try await fleet.start("provider-\(providers.count)")
                cid = try await add(input, on: provider)
                providers.append(provider)
            }
            var seconds: [Double] = []
            var senders: [Int] = []
            for run in 0..<options.runs {
                let result = try await fetchFromAll(cid, providers: providers, fetcherName: "multi-\(count)-\(run)", fleet: fleet)
                seconds.append(result.seconds)
                senders.append(result.senders)
            }
            let sendersText = senders.map(String.init).joined(separator: ", ")
            printRate("\(count) providers, control API fetch", seconds,
                      suffix: "(providers that sent blocks, per run: \(sendersText) of \(count); byte-identical: verified)")
        }
        for provider in providers { await fleet.stop(provider) }
    }

    /// A fresh fetcher bootstrapped to every provider fetches `cid`; returns the fetch's seconds and the number
    /// of providers whose `bitswap.stat` BlocksSent grew during it.
    private func fetchFromAll(_ cid: String, providers: [BenchmarkDaemon], fetcherName: String,
                              fleet: DaemonFleet) async throws -> (seconds: Double, senders: Int) {
        let fetcher = try await fleet.start(fetcherName, bootstrap: providers)
        let before = try await blocksSent(by: providers)
        let start = ContinuousClock.now
        _ = try await fetcher.control.call("fetch", FetchParams(path: cid, timeoutSeconds: Self.transferTimeout.seconds),
                                           as: FetchProgress.self)
        let seconds = (ContinuousClock.now - start).seconds
        let after = try await blocksSent(by: providers)
        try await verify(cid, on: fetcher)
        await fleet.stop(fetcher)
        let senders = zip(before, after).filter { $0.1 > $0.0 }.count
        return (seconds, senders)
    }

    /// Each provider's `BlocksSent` counter, as `cairn bitswap stat --json` prints it.
    private func blocksSent(by providers: [BenchmarkDaemon]) async throws -> [Int] {
        var counts: [Int] = []
        for provider in providers {
            counts.append(try await provider.control.call("bitswap.stat", NoParams(), as: BitswapStatReport.self).BlocksSent)
        }
        return counts
    }
}
