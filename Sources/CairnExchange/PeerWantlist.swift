import CairnCore

/// What one peer has asked us for: its wantlist as built from its full and delta updates (pure value).
///
/// Rules (boxo `bitswap/server/internal/decision`): a `full` update replaces the list; a `cancel` removes the
/// CID; a want-block supersedes a want-have for the same CID, and a later want-have does not downgrade it;
/// a repeated want updates priority and `sendDontHave`. Entries are served highest priority first, ties in
/// arrival order. The list never holds more than `maximumEntryCount` entries.
public struct PeerWantlist: Sendable, Equatable {
    /// The most entries this list may hold; an update that would exceed it is refused whole.
    public let maximumEntryCount: Int
    private var wants: [CID: StoredWant] = [:]
    private var nextSequence: UInt64 = 0

    /// A want with its arrival order, used to break priority ties.
    private struct StoredWant: Sendable, Equatable {
        var entry: BitswapMessage.WantlistEntry
        var sequence: UInt64
    }

    /// Creates an empty wantlist bounded by `maximumEntryCount`.
    public init(maximumEntryCount: Int) {
        precondition(maximumEntryCount >= 1, "a wantlist must admit at least one entry")
        self.maximumEntryCount = maximumEntryCount
    }

    /// The number of wanted CIDs.
    public var count: Int { wants.count }

    /// Whether nothing is wanted.
    public var isEmpty: Bool { wants.isEmpty }

    /// The want recorded for `cid` (never a cancel), or nil.
    public func want(for cid: CID) -> BitswapMessage.WantlistEntry? { wants[cid]?.entry }

    /// Every want, highest priority first, ties in arrival order.
    public var wantsByPriority: [BitswapMessage.WantlistEntry] {
        wants.values.sorted { lhs, rhs in
            lhs.entry.priority != rhs.entry.priority ? lhs.entry.priority > rhs.entry.priority : lhs.sequence < rhs.sequence
        }.map(\.entry)
    }

    /// Applies a full or delta update and returns the wants it touched as now recorded (highest priority first).
    ///
    /// The returned wants are what the server should answer: for a want-have arriving over a want-block the
    /// recorded want-block is returned. Cancels are not returned.
    /// - Throws: `.wantlistTooLarge` when the result would exceed `maximumEntryCount`; the list is unchanged.
    public mutating func apply(_ update: BitswapMessage.Wantlist) throws(BitswapError) -> [BitswapMessage.WantlistEntry] {
        var next = self
        if update.full { next.wants.removeAll(keepingCapacity: true) }
        var touched: [CID] = []
        for entry in update.entries {
            if entry.cancel {
                next.wants[entry.cid] = nil
                continue
            }
            next.record(entry)
            touched.append(entry.cid)
        }
        guard next.wants.count <= maximumEntryCount else {
            throw .wantlistTooLarge(count: next.wants.count, limit: maximumEntryCount)
        }
        self = next
        var seen = Set<CID>()
        let wanted = touched.filter { seen.insert($0).inserted }.compactMap { wants[$0] }
        return wanted.sorted { lhs, rhs in
            lhs.entry.priority != rhs.entry.priority ? lhs.entry.priority > rhs.entry.priority : lhs.sequence < rhs.sequence
        }.map(\.entry)
    }

    /// Removes the want for `cid` (after it was served), returning it.
    @discardableResult
    public mutating func remove(_ cid: CID) -> BitswapMessage.WantlistEntry? {
        wants.removeValue(forKey: cid)?.entry
    }

    /// Records one non-cancel entry, applying the want-block-supersedes-want-have rule.
    private mutating func record(_ entry: BitswapMessage.WantlistEntry) {
        if var existing = wants[entry.cid] {
            if existing.entry.wantType == .block && entry.wantType == .have {
                return
            }
            existing.entry = entry
            wants[entry.cid] = existing
            return
        }
        wants[entry.cid] = StoredWant(entry: entry, sequence: nextSequence)
        nextSequence += 1
    }
}
