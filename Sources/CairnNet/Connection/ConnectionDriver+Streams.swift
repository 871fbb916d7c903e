extension ConnectionDriver {
    // MARK: - Stream operations (called through LibP2PStream and LibP2PConnection)

    /// Opens an outbound yamux stream with no protocol negotiated yet.
    func openRawStream() throws(ConnectionError) -> UInt32 {
        if let reason = closedReason { throw reason }
        let (id, events) = try machine.openStream()
        streams[id] = StreamState()
        perform(events)
        return id
    }

    /// The next chunk of data on `streamID`, or nil once the peer half-closed it and everything was read.
    /// - Throws: `.streamReset`, `.connectionClosed` (or the connection's failure), `.concurrentOperation`.
    func read(streamID id: UInt32) async throws(ConnectionError) -> [UInt8]? {
        guard var state = streams[id] else {
            if let reason = closedReason { throw reason }
            return nil
        }
        if !state.leftover.isEmpty {
            let leftover = state.leftover
            state.leftover = []
            streams[id] = state
            return leftover
        }
        if !state.chunks.isEmpty {
            let chunk = state.chunks.removeFirst()
            streams[id] = state
            bufferedInboundByteCount -= chunk.count
            perform(machine.consumed(streamID: id, byteCount: chunk.count))
            return chunk
        }
        if state.isReset { throw .streamReset(streamID: id) }
        if state.isRemoteClosed {
            releaseIfFinished(id)
            return nil
        }
        if let reason = closedReason { throw reason }
        guard state.reader?.isPending != true else { throw .concurrentOperation(streamID: id, operation: "read") }
        let waiter = ConnectionWaiter<[UInt8]?>()
        streams[id]?.reader = waiter
        do {
            return try await waiter.wait()
        } catch {
            throw (error as? ConnectionError) ?? .connectionClosed(reason: "\(error)")
        }
    }

    /// Puts bytes a negotiation read past the protocol line back at the front of the stream.
    func pushBack(_ bytes: [UInt8], streamID id: UInt32) {
        guard !bytes.isEmpty else { return }
        // Read first: reading `streams` inside its own optional-chained assignment is an exclusivity violation.
        let existing = streams[id]?.leftover ?? []
        streams[id]?.leftover = bytes + existing
    }

    /// Writes all of `bytes`, waiting for the peer's window as needed.
    /// - Throws: `.streamReset`, `.yamux(…)` for a closed stream, the connection's failure.
    func write(_ bytes: [UInt8], streamID id: UInt32) async throws(ConnectionError) {
        var offset = 0
        while offset < bytes.count {
            try await waitForOutboundDrain()
            if let reason = closedReason { throw reason }
            if streams[id]?.isReset == true { throw .streamReset(streamID: id) }
            let result = try machine.write(bytes[offset...], streamID: id)
            perform(result.events)
            offset += result.acceptedByteCount
            guard offset < bytes.count else { return }
            if result.acceptedByteCount > 0 { continue }
            guard streams[id]?.writer?.isPending != true else { throw .concurrentOperation(streamID: id, operation: "write") }
            let waiter = ConnectionWaiter<Void>()
            streams[id]?.writer = waiter
            do {
                try await waiter.wait()
            } catch {
                throw (error as? ConnectionError) ?? .connectionClosed(reason: "\(error)")
            }
        }
    }

    /// Half-closes our direction of the stream (FIN).
    func closeWrite(streamID id: UInt32) {
        perform(machine.close(streamID: id))
        streams[id]?.isLocallyClosed = true
        releaseIfFinished(id)
    }

    /// Resets the stream (RST) and fails its waiting read and write.
    func reset(streamID id: UInt32) {
        perform(machine.reset(streamID: id))
        if var state = streams.removeValue(forKey: id) {
            bufferedInboundByteCount -= state.chunks.reduce(0) { $0 + $1.count }
            state.reader?.resume(.failure(ConnectionError.streamReset(streamID: id)))
            state.writer?.resume(.failure(ConnectionError.streamReset(streamID: id)))
            state.reader = nil
            state.writer = nil
        }
    }

    /// Forgets a stream both sides closed once its data was read.
    func releaseIfFinished(_ id: UInt32) {
        guard let state = streams[id], state.isLocallyClosed, state.isRemoteClosed || state.isReset,
              state.leftover.isEmpty, state.chunks.isEmpty,
              state.reader?.isPending != true, state.writer?.isPending != true else { return }
        streams.removeValue(forKey: id)
    }

    // MARK: - Inbound streams

    /// Negotiates the protocol of a stream the peer opened and runs its handler; unknown protocols get `na`
    /// until the peer gives up (kubo then resets the stream).
    func serveInbound(streamID id: UInt32) async {
        defer { finishedInbound(id) }
        var listener = MultistreamListenerStateMachine(supportedProtocols: Set(handlers.protocols),
                                                       configuration: configuration.multistream)
        do {
            while true {
                guard let chunk = try await read(streamID: id) else {
                    _ = listener.endOfInput()
                    closeWrite(streamID: id)
                    return
                }
                for action in listener.receive(chunk) {
                    switch action {
                    case .send(let bytes):
                        try await write(bytes, streamID: id)
                    case .failed(let error):
                        logger.debug("inbound stream negotiation failed", metadata: ["stream": "\(id)", "error": "\(error)"])
                        reset(streamID: id)
                        return
                    case .negotiated(let protocolID, let leftover):
                        pushBack(leftover, streamID: id)
                        guard let handler = handlers.handler(for: protocolID), let peer = remotePeerID else {
                            reset(streamID: id)
                            return
                        }
                        let active = activeInboundStreamCounts[protocolID, default: 0]
                        if let limit = handlers.maximumConcurrentStreamCount(for: protocolID), active >= limit {
                            logger.debug("inbound stream over its protocol's limit", metadata: ["protocol": "\(protocolID)", "limit": "\(limit)"])
                            reset(streamID: id)
                            return
                        }
                        activeInboundStreamCounts[protocolID] = active + 1
                        defer { activeInboundStreamCounts[protocolID, default: 1] -= 1 }
                        let stream = LibP2PStream(driver: self, streamID: id, protocolID: protocolID, remotePeerID: peer)
                        await handler(stream)
                        return
                    }
                }
            }
        } catch {
            logger.debug("inbound stream ended", metadata: ["stream": "\(id)", "error": "\(error)"])
            reset(streamID: id)
        }
    }

    private func finishedInbound(_ id: UInt32) {
        inboundTasks.removeValue(forKey: id)
    }
}
