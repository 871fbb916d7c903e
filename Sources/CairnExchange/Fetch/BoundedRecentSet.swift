/// A set that remembers at most `capacity` elements, forgetting the oldest insertion first (pure value).
///
/// Used for CIDs delivered recently (a late copy is a duplicate, not junk) and for banned peers.
struct BoundedRecentSet<Element: Hashable & Sendable>: Sendable {
    /// The most elements remembered.
    let capacity: Int
    private var members: Set<Element> = []
    private var order: [Element] = []
    private var head = 0

    /// Creates an empty set remembering at most `capacity` elements.
    init(capacity: Int) {
        precondition(capacity >= 0, "a capacity cannot be negative")
        self.capacity = capacity
    }

    /// The number of elements remembered.
    var count: Int { members.count }

    /// Whether `element` is remembered.
    func contains(_ element: Element) -> Bool { members.contains(element) }

    /// Remembers `element`, forgetting the oldest one when full.
    mutating func insert(_ element: Element) {
        guard capacity > 0, members.insert(element).inserted else { return }
        order.append(element)
        while members.count > capacity, head < order.count {
            members.remove(order[head])
            head += 1
        }
        if head > capacity {
            order.removeFirst(head)
            head = 0
        }
    }
}
