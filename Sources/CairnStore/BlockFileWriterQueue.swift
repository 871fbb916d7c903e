import Foundation

/// Runs the disk side of a write batch on a few dedicated threads, so the callers of
/// `FileWriteBatch.write` (the importer's hashing workers, which run on Swift's cooperative pool with
/// one thread per core) never sit blocked in `open`/`pwrite`/`ftruncate` while a core could hash.
///
/// Each job carries its own staged copy of the block (an aligned scratch buffer), so callers may
/// reuse their memory as soon as `submit` returns. The queue is bounded (`maximumQueuedJobs`):
/// `submit` waits when it is full, which bounds memory and applies back-pressure. The first write
/// error is kept and reported by the next `submit` or by `drain`.
///
/// Lifecycle: threads start in `init` and exit after `stop`, which waits for them, so no thread
/// outlives its batch.
final class BlockFileWriterQueue: @unchecked Sendable {
    // @unchecked Sendable: every mutable field below is read and written only while holding
    // `condition`'s lock; the threads and callers coordinate through that one lock.

    /// How many threads write files concurrently; the device takes several direct writes at once.
    static let threadCount = 3
    /// How many staged blocks may wait for a writer; bounds memory to about this many blocks.
    static let maximumQueuedJobs = 8

    private struct Job {
        let path: String
        let buffer: DirectWriter.ScratchBuffer
        let byteCount: Int
    }

    private let writer: DirectWriter
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var running = 0
    private var liveThreads = 0
    private var failure: StoreError?
    private var stopping = false

    init(writer: DirectWriter) {
        self.writer = writer
        condition.lock()
        liveThreads = Self.threadCount
        condition.unlock()
        for index in 0..<Self.threadCount {
            let thread = Thread { [self] in self.runWorker() }
            thread.name = "cairn-block-writer-\(index)"
            thread.start()
        }
    }

    /// Stages `bytes` and queues the file write; waits while the queue is full.
    /// - Throws: the first error of an earlier job, or a staging failure.
    func submit(path: String, bytes: UnsafeRawBufferPointer) throws(StoreError) {
        let buffer = try writer.stage(bytes, path: path)
        condition.lock()
        while jobs.count >= Self.maximumQueuedJobs && failure == nil && !stopping {
            condition.wait()
        }
        if let failure {
            condition.unlock()
            writer.discard(buffer)
            throw failure
        }
        guard !stopping else {
            condition.unlock()
            writer.discard(buffer)
            throw .batchFinished
        }
        jobs.append(Job(path: path, buffer: buffer, byteCount: bytes.count))
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every queued write has finished; throws the first error any of them hit.
    func drain() throws(StoreError) {
        condition.lock()
        while !jobs.isEmpty || running > 0 { condition.wait() }
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
    }

    /// Finishes the queued writes, then stops the threads and waits for them to exit.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while liveThreads > 0 { condition.wait() }
        condition.unlock()
    }

    private func runWorker() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                liveThreads -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            running += 1
            condition.broadcast()
            condition.unlock()

            var error: StoreError?
            do {
                try writer.writeFile(job.path, from: job.buffer, byteCount: job.byteCount)
            } catch let caught {
                error = caught
            }

            condition.lock()
            running -= 1
            if let error, failure == nil { failure = error }
            condition.broadcast()
            condition.unlock()
        }
    }
}
