import CairnCore
import Foundation
import Testing
@testable import CairnStore

/// Whether this process can mount a tmpfs: root, a `mount` binary, and a probe mount that succeeds
/// (containers without CAP_SYS_ADMIN fail it). Otherwise the test is skipped, never silently passed.
private let canMountTmpfs: Bool = {
    guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount"),
          let probe = try? TemporaryDirectory("mountprobe") else { return false }
    guard (try? runTool("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path])) == 0 else { return false }
    _ = try? runTool("umount", [probe.path])
    return true
}()

/// Runs `/bin/<tool>` with `arguments`, returning its exit status.
private func runTool(_ tool: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/" + tool)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite("FileBlockStore on a full disk")
struct DiskFullTests {
    @Test(.enabled(if: canMountTmpfs, "needs root and mount(8) to create a 4 MiB tmpfs"))
    func enospcIsTypedAndLeavesStoreConsistent() throws {
        let directory = try TemporaryDirectory("diskfull")
        let mountPoint = directory.path + "/mnt"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(try runTool("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]) == 0)
        defer {
            _ = try? runTool("umount", [mountPoint])
            withExtendedLifetime(directory) {}  // Remove the temp dir only after unmounting.
        }

        let store = try FileBlockStore(directory: mountPoint + "/blocks")
        var committed: [Block] = []
        var failure: StoreError?
        writing: for batchIndex in 0..<100 {
            let batch = try store.makeWriteBatch()
            var written: [Block] = []
            for index in 0..<3 {
                let block = try rawBlock(seed: UInt64(batchIndex * 10 + index), size: 256 * 1024)
                do {
                    try block.data.withUnsafeBytes { try batch.write(block.cid, bytes: $0) }
                    written.append(block)
                } catch let error as StoreError {
                    failure = error
                    batch.abort()
                    break writing
                }
            }
            do {
                try batch.commit()  // Large blocks are written by background threads: ENOSPC may surface here.
            } catch let error as StoreError {
                failure = error
                break writing
            }
            committed += written
        }
        let error = try #require(failure)
        #expect(error.errno == ENOSPC)
        #expect(error.description.contains("disk is full"))
        #expect(!committed.isEmpty)
        #expect(filesIn(store.stagingDirectory).isEmpty)
        #expect(try store.temporaryFilePaths().isEmpty)
        #expect(try store.verify().isEmpty)
        #expect(try store.stat().blockCount == committed.count)
        for block in committed { #expect(try store.get(block.cid) == block) }
    }
}
