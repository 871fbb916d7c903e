import Foundation

/// A private file the owner added and placed, as `add --private --json` reported it.
struct PlacedFile {
    /// The plaintext input, kept for the byte-for-byte checks.
    let path: String
    let byteCount: Int
    let readCap: String
    let manifest: String
    /// Bytes of all n shares of every segment.
    let storedByteCount: Int
    let segments: Int
    /// Wall time of the `cairn add` command.
    let addSeconds: Double
    /// The placement's own figures (upload to providers only).
    let bytesUploaded: Int
    let placementSeconds: Double
    let placementProviders: Int
    let unplacedColumns: Int
}

/// The parts of `files status --json` the benchmark reads.
struct FileHealth {
    let dataShares: Int
    let totalShares: Int
    /// m: repair runs when a segment has this many healthy shares or fewer.
    let repairThreshold: Int
    let minimumHealthy: Int
    let providers: Set<String>
}

extension StorageNetworkBenchmark {
    /// Writes `byteCount` seeded random bytes to `name` and adds them on `owner` with
    /// `add --private --json --shares K/N --segment-size 1048576` (timed).
    /// - Throws: ``BenchmarkError`` when the add fails or its report cannot be read.
    func addFile(name: String, byteCount: Int, seed: UInt64, on owner: BenchmarkDaemon) async throws -> PlacedFile {
        let path = work + "/" + name
        try writeInput(path: path, bytes: byteCount, seed: seed)
        let result = try await cairn.run(["add", "--private", "--json", "--repo", owner.repository,
                                          "--shares", "\(options.dataShares)/\(options.totalShares)",
                                          "--segment-size", "\(Self.segmentByteCount)", path], timeout: Self.transferTimeout)
        guard let entries = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]],
              let file = entries.first?["file"] as? [String: Any], let placement = entries.first?["placement"] as? [String: Any],
              let readCap = file["readCap"] as? String, let manifest = file["manifest"] as? String else {
            throw BenchmarkError(message: "cannot read the report of add --private --json: \(result.output.prefix(300))")
        }
        return PlacedFile(path: path, byteCount: byteCount, readCap: readCap, manifest: manifest,
                          storedByteCount: file["storedBytes"] as? Int ?? 0, segments: file["segments"] as? Int ?? 0,
                          addSeconds: result.seconds, bytesUploaded: placement["bytesUploaded"] as? Int ?? 0,
                          placementSeconds: placement["seconds"] as? Double ?? 0,
                          placementProviders: (placement["providers"] as? [String]).map { Set($0).count } ?? 0,
                          unplacedColumns: placement["unplacedColumns"] as? Int ?? 0)
    }

    /// `cairn files status --json` of `file` on `owner`.
    /// - Throws: ``BenchmarkError`` when the command fails or prints something else.
    func fileStatus(_ file: PlacedFile, on owner: BenchmarkDaemon) async throws -> FileHealth {
        let output = try await cairn.run(["files", "status", "--json", "--repo", owner.repository, file.readCap],
                                    timeout: .seconds(30), acceptedExitCodes: [0, 4, 5]).output
        guard let report = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let k = report["dataShares"] as? Int, let n = report["totalShares"] as? Int,
              let m = report["repairThreshold"] as? Int, let healthy = report["minimumHealthy"] as? Int else {
            throw BenchmarkError(message: "cannot read files status --json: \(output.prefix(300))")
        }
        return FileHealth(dataShares: k, totalShares: n, repairThreshold: m, minimumHealthy: healthy,
                          providers: Set(report["providers"] as? [String] ?? []))
    }

    // MARK: - Figure 5: detection and repair

    /// SIGKILLs n − m holders of `file` (leaving m healthy shares per segment, the repair threshold), polls
    /// `files status` every 200 ms for detection (minimumHealthy < n) and repair (back at n), and reports
    /// the REPAIR_DONE traffic. Starts spare providers first when too few non-holders are up to take the
    /// lost columns; returns them. Removes the killed providers from `providers`.
    func repairFigures(_ file: PlacedFile, owner: BenchmarkDaemon, providers: inout [BenchmarkDaemon]) async throws -> [BenchmarkDaemon] {
        let before = try await fileStatus(file, on: owner)
        let n = before.totalShares
        let killCount = n - before.repairThreshold
        guard killCount >= 1, before.minimumHealthy == n else {
            print(label("lost providers") + "skipped (n \(n), m \(before.repairThreshold), minimumHealthy \(before.minimumHealthy) before the kill)")
            return []
        }
        let spareCount = max(0, killCount - providers.filter { !before.providers.contains($0.peerID) }.count)
        var spares: [BenchmarkDaemon] = []
        for index in 0..<spareCount { spares.append(try await startProvider("spare-\(index)", owner: owner)) }
        if spareCount > 0 { _ = try await waitForProviders(on: owner, count: providers.count + spareCount) }
        let watermark = try await repairEvents(on: owner).map(\.id).max() ?? 0

        let victims = Array(providers.filter { before.providers.contains($0.peerID) }.prefix(killCount))
        let start = ContinuousClock.now
        for victim in victims { fleet.sigkill(victim) }
        providers.removeAll { provider in victims.contains { $0.peerID == provider.peerID } }
        let (detected, repaired) = try await waitForDetectionAndRepair(file, on: owner, totalShares: n, since: start)

        let what = "\(options.sizeMiB) MiB file, \(killCount) of \(n) holders SIGKILLed (m = \(before.repairThreshold), \(spareCount) spares started before)"
        print(label("lost providers: detect") + String(format: "%6.1f s  (%@)", detected, what as NSString))
        guard let repaired else {
            print(label("lost providers: repair") + "not back at \(n) healthy within \(Self.repairTimeout)")
            return spares
        }
        print(label("lost providers: repair") + String(format: "%6.1f s after the kill (minimumHealthy back at %d)", repaired, n))
        try await printRepairTraffic(file, on: owner, after: watermark, lostByteCount: file.storedByteCount * killCount / n)
        return spares
    }

    /// Polls `files status` on a 200 ms schedule from `start`; returns the seconds to the first poll with
    /// minimumHealthy < `totalShares` and to the first later poll with it back at `totalShares` (nil on timeout).
    private func waitForDetectionAndRepair(_ file: PlacedFile, on owner: BenchmarkDaemon, totalShares: Int,
                                           since start: ContinuousClock.Instant) async throws -> (Double, Double?) {
        var detected: Double?
        var poll = 0
        while ContinuousClock.now - start < Self.repairTimeout {
            let healthy = try await fileStatus(file, on: owner).minimumHealthy
            let elapsed = (ContinuousClock.now - start).seconds
            if detected == nil, healthy < totalShares { detected = elapsed }
            if let detected, healthy >= totalShares { return (detected, elapsed) }
            poll += 1
            let next = start + Self.statusPollInterval * poll
            if next > ContinuousClock.now { try await Task.sleep(until: next, clock: .continuous) }
        }
        return (detected ?? Self.repairTimeout.seconds, nil)
    }

    /// Prints the bytes the REPAIR_DONE events of `file` newer than `watermark` report, in total and per
    /// GiB of shares lost.
    private func printRepairTraffic(_ file: PlacedFile, on owner: BenchmarkDaemon, after watermark: Int, lostByteCount: Int) async throws {
        var events: [RepairEvent] = []
        let deadline = ContinuousClock.now + .seconds(30)
        // The event is written after the last share location, so it may trail the status by a moment.
        while events.isEmpty, ContinuousClock.now < deadline {
            events = try await repairEvents(on: owner).filter { $0.id > watermark && $0.subject == file.manifest }
            if events.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        guard !events.isEmpty else {
            print(label("repair traffic") + "no REPAIR_DONE event of the file in health --json")
            return
        }
        let downloaded = events.reduce(0) { $0 + $1.downloadedBytes }
        let uploaded = events.reduce(0) { $0 + $1.uploadedBytes }
        let lostGiB = Double(lostByteCount) / Double(1 << 30)
        print(label("repair traffic") + String(format: "downloaded %.1f MB  uploaded %.1f MB  (%d REPAIR_DONE events; lost shares %.1f MB = stored × killed / n)",
                                               Double(downloaded) / 1e6, Double(uploaded) / 1e6, events.count, Double(lostByteCount) / 1e6))
        print(label("repair traffic per lost GiB") + String(format: "downloaded %.2f GiB  uploaded %.2f GiB",
                                                            Double(downloaded) / Double(1 << 30) / lostGiB,
                                                            Double(uploaded) / Double(1 << 30) / lostGiB))
    }

    /// The REPAIR_DONE events among the newest ones `cairn health --json` lists.
    private func repairEvents(on owner: BenchmarkDaemon) async throws -> [RepairEvent] {
        let output = try await cairn.run(["health", "--json", "--repo", owner.repository], timeout: .seconds(30),
                                    acceptedExitCodes: [0, 4, 5]).output  // 4, 5: a file is unrecoverable, degraded
        let report = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return (report?["events"] as? [[String: Any]] ?? []).compactMap(RepairEvent.init)
    }
}

/// A REPAIR_DONE event: "repaired S segments: rebuilt R shares, downloaded D bytes, uploaded U bytes in T s".
struct RepairEvent {
    let id: Int
    let subject: String
    let downloadedBytes: Int
    let uploadedBytes: Int

    init?(_ event: [String: Any]) {
        guard event["kind"] as? String == "REPAIR_DONE", let id = event["id"] as? Int,
              let subject = event["subject"] as? String, let message = event["message"] as? String,
              let match = message.firstMatch(of: #/downloaded (\d+) bytes, uploaded (\d+) bytes/#),
              let downloaded = Int(match.1), let uploaded = Int(match.2) else { return nil }
        self.id = id
        self.subject = subject
        downloadedBytes = downloaded
        uploadedBytes = uploaded
    }
}
