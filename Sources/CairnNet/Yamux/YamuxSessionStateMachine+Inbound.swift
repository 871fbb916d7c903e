extension YamuxSessionStateMachine {
    /// Dispatches one decoded frame from the peer.
    mutating func handle(_ frame: YamuxFrame, into actions: inout [YamuxAction]) {
        hasReceivedSinceKeepAliveRound = true
        switch frame.type {
        case .ping:
            if frame.flags.contains(.syn) {
                actions.append(.send(.ping(flags: .ack, opaque: frame.length)))
            } else if frame.flags.contains(.ack), outstandingPing == frame.length {
                outstandingPing = nil
                actions.append(.pingAcknowledged(opaque: frame.length))
            }
        case .goAway:
            hasReceivedGoAway = true
            if frame.length == YamuxFrame.GoAwayCode.normal.rawValue {
                actions.append(.goAwayReceived)
            } else {
                fail(.remoteGoAway(code: frame.length), goAway: nil, into: &actions)
            }
        case .data, .windowUpdate:
            handleStreamFrame(frame, into: &actions)
        }
    }

    /// Applies a Data or WindowUpdate frame: SYN, ACK, window delta, payload, FIN, RST in that order.
    private mutating func handleStreamFrame(_ frame: YamuxFrame, into actions: inout [YamuxAction]) {
        let id = frame.streamID
        if frame.flags.contains(.syn) {
            guard openInboundStream(id, into: &actions) else { return }
        }
        // A frame for a stream we no longer know (closed or reset meanwhile) is stale: drop it.
        guard var stream = streams[id] else { return }
        if frame.flags.contains(.ack) && stream.isAwaitingAcknowledgement {
            stream.isAwaitingAcknowledgement = false
            outboundBacklog -= 1
        }
        if frame.type == .windowUpdate && frame.length > 0 {
            stream.sendWindow = min(stream.sendWindow + Int(frame.length), configuration.maximumSendWindowByteCount)
            if !stream.isLocallyClosed {
                actions.append(.streamWritable(streamID: id, windowByteCount: stream.sendWindow))
            }
        }
        if frame.type == .data && !frame.payload.isEmpty {
            guard !stream.isRemotelyClosed else {
                streams[id] = stream
                removeStream(id)
                actions.append(.send(.windowUpdate(streamID: id, flags: .rst, delta: 0)))
                actions.append(.streamReset(streamID: id))
                return
            }
            guard frame.payload.count <= stream.receiveWindow else {
                let error = YamuxError.receiveWindowExceeded(
                    streamID: id, byteCount: frame.payload.count, window: stream.receiveWindow)
                fail(error, goAway: .protocolError, into: &actions)
                return
            }
            stream.receiveWindow -= frame.payload.count
            stream.unconsumedByteCount += frame.payload.count
            actions.append(.deliver(streamID: id, data: frame.payload))
        }
        streams[id] = stream
        if frame.flags.contains(.rst) {
            removeStream(id)
            actions.append(.streamReset(streamID: id))
        } else if frame.flags.contains(.fin) && !stream.isRemotelyClosed {
            applyRemoteClose(id, into: &actions)
        }
    }

    private mutating func applyRemoteClose(_ id: UInt32, into actions: inout [YamuxAction]) {
        guard var stream = streams[id] else { return }
        stream.isRemotelyClosed = true
        streams[id] = stream
        actions.append(.streamRemoteClosed(streamID: id))
        if stream.isLocallyClosed {
            removeStream(id)
            actions.append(.streamClosed(streamID: id))
        }
    }

    /// Registers a stream the peer opened; returns false when it was refused or broke the protocol.
    private mutating func openInboundStream(_ id: UInt32, into actions: inout [YamuxAction]) -> Bool {
        let ourParity: UInt32 = role == .client ? 1 : 0
        guard id % 2 != ourParity else {
            fail(.streamIDParityMismatch(streamID: id), goAway: .protocolError, into: &actions)
            return false
        }
        guard id > highestInboundStreamID else {
            fail(.streamIDReused(streamID: id), goAway: .protocolError, into: &actions)
            return false
        }
        highestInboundStreamID = id
        let refusal: YamuxError? =
            if hasSentGoAway { .sessionGoingAway }
            else if streams.count >= configuration.maximumStreamCount {
                .streamLimitExceeded(limit: configuration.maximumStreamCount)
            } else if inboundBacklog >= configuration.maximumInboundBacklogCount {
                .inboundBacklogExceeded(limit: configuration.maximumInboundBacklogCount)
            } else { nil }
        if let refusal {
            actions.append(.send(.windowUpdate(streamID: id, flags: .rst, delta: 0)))
            actions.append(.streamRefused(streamID: id, reason: refusal))
            return false
        }
        var stream = Stream(sendWindow: YamuxConfiguration.initialWindowByteCount,
                            receiveWindow: YamuxConfiguration.initialWindowByteCount)
        stream.isAwaitingAccept = true
        streams[id] = stream
        inboundBacklog += 1
        actions.append(.streamOpened(streamID: id))
        return true
    }
}
