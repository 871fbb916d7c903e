import CairnCore
import Foundation
import Testing
@testable import CairnDAG

/// Throughput check for the importer, run only when `CAIRN_DAG_BENCH` names a file to import
/// (e.g. a 1 GiB file in the page cache); prints figures and never fails on timing.
@Suite struct ImportBenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CAIRN_DAG_BENCH"] != nil))
    func importThroughput() async throws {
        let path = try #require(ProcessInfo.processInfo.environment["CAIRN_DAG_BENCH"])
        for version in [CID.Version.v0, .v1] {
            let clock = ContinuousClock()
            var before = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &before)
            let start = clock.now
            let r = try await FileImporter(options: .init(cidVersion: version)).importFile(atPath: path, into: DiscardingBlockSink())
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            var after = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &after)
            let cpu = Double(after.ru_utime.tv_sec - before.ru_utime.tv_sec + after.ru_stime.tv_sec - before.ru_stime.tv_sec)
                + Double(after.ru_utime.tv_usec - before.ru_utime.tv_usec + after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6
            print("cpu \(cpu) s")
            print("import \(version) \(r.fileSize) bytes in \(seconds) s = \(Double(r.fileSize) / seconds / 1e9) GB/s -> \(r.cid)")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 262_144, alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 1)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<2048 { _ = Multihash.sha256(UnsafeRawBufferPointer(buffer)) }
        print("single-core sha256: \(clock.now - start) for 512 MiB")
        let t3 = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let b = UnsafeMutableRawBufferPointer.allocate(byteCount: 262_144, alignment: 64)
                    defer { b.deallocate() }
                    b.initializeMemory(as: UInt8.self, repeating: 2)
                    for _ in 0..<2048 { _ = Multihash.sha256(UnsafeRawBufferPointer(b)) }
                }
            }
            try await group.waitForAll()
        }
        print("two-core sha256: \(clock.now - t3) for 1 GiB")
        let input = try FileChunkInput(path: path)
        let t2 = clock.now
        for i in 0..<4096 { _ = try input.read(into: buffer, at: UInt64(i) * 262_144) }
        print("single-core pread: \(clock.now - t2) for 1 GiB")
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        print(status.split(separator: "\n").filter { $0.hasPrefix("VmHWM") || $0.hasPrefix("VmRSS") }.joined(separator: " "))
    }
}
