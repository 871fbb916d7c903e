extension Multiaddr {
    /// An IPv4 address: 4 bytes, written as a dotted quad (`192.0.2.42`).
    ///
    /// Parsing is strict: exactly four decimal octets 0…255, ASCII digits only, no leading zeros
    /// (`010` is ambiguous between octal and decimal, so Go and Cairn reject it).
    public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
        /// The address as a big-endian 32-bit number (`127.0.0.1` is `0x7f000001`).
        public let value: UInt32

        /// Wraps a 32-bit address (big-endian order: the first octet is the most significant byte).
        public init(_ value: UInt32) { self.value = value }

        /// Creates an address from its four octets in network order.
        public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
            self.value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
        }

        /// Parses a dotted quad; nil when `text` is not exactly one.
        public init?(_ text: some StringProtocol) {
            let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var value: UInt32 = 0
            for part in parts {
                guard let octet = parseDecimal(part, maximum: 255) else { return nil }
                value = value << 8 | UInt32(octet)
            }
            self.value = value
        }

        /// The four octets in network order.
        public var bytes: [UInt8] {
            [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
             UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        }

        /// The dotted-quad text form.
        public var description: String {
            bytes.map { String($0) }.joined(separator: ".")
        }
    }

    /// An IPv6 address: 16 bytes, printed in the canonical form of RFC 5952 (lower-case hex, no leading
    /// zeros, the longest run of two or more zero groups shortened to `::`, IPv4-mapped addresses as
    /// `::ffff:a.b.c.d`).
    ///
    /// Parsing accepts every RFC 4291 text form: full, `::`-compressed and with a dotted-quad tail.
    /// Zone indices (`%eth0`) are not addresses and are rejected.
    public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
        /// The eight 16-bit groups, most significant first.
        public let groups: [UInt16]

        /// Creates an address from 16 bytes in network order.
        /// - Precondition: `bytes.count == 16`.
        public init(bytes: some Collection<UInt8>) {
            precondition(bytes.count == 16, "an IPv6 address is 16 bytes")
            var groups: [UInt16] = []
            groups.reserveCapacity(8)
            var high: UInt8 = 0
            for (i, byte) in bytes.enumerated() {
                if i % 2 == 0 { high = byte } else { groups.append(UInt16(high) << 8 | UInt16(byte)) }
            }
            self.groups = groups
        }

        /// Parses an RFC 4291 text address; nil when `text` is not one.
        public init?(_ text: some StringProtocol) {
            let utf8 = Array(text.utf8)
            guard utf8.count <= 45 else { return nil }  // the longest form, with an IPv4 tail
            guard let split = Self.splitAtDoubleColon(utf8) else { return nil }
            if let (head, tail) = split {
                guard let headGroups = Self.parseGroups(head, allowIPv4Tail: false),
                      let tailGroups = Self.parseGroups(tail, allowIPv4Tail: true),
                      headGroups.count + tailGroups.count <= 7
                else { return nil }
                let zeros = [UInt16](repeating: 0, count: 8 - headGroups.count - tailGroups.count)
                self.groups = headGroups + zeros + tailGroups
            } else {
                guard let groups = Self.parseGroups(utf8[...], allowIPv4Tail: true), groups.count == 8 else { return nil }
                self.groups = groups
            }
        }

        /// The 16 bytes in network order.
        public var bytes: [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(16)
            for group in groups {
                out.append(UInt8(truncatingIfNeeded: group >> 8))
                out.append(UInt8(truncatingIfNeeded: group))
            }
            return out
        }

        /// The RFC 5952 canonical text form.
        public var description: String {
            if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xffff {
                let v4 = IPv4Address(UInt32(groups[6]) << 16 | UInt32(groups[7]))
                return "::ffff:" + v4.description
            }
            let run = longestZeroRun()
            var out = ""
            var i = 0
            while i < 8 {
                if let run, i == run.lowerBound {
                    out += "::"
                    i = run.upperBound
                    continue
                }
                if !out.isEmpty && !out.hasSuffix(":") { out += ":" }
                out += String(groups[i], radix: 16)
                i += 1
            }
            return out
        }

        /// The first longest run of at least two zero groups (RFC 5952 §4.2.2–4.2.3).
        private func longestZeroRun() -> Range<Int>? {
            var best: Range<Int>? = nil
            var i = 0
            while i < 8 {
                guard groups[i] == 0 else { i += 1; continue }
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i >= 2 && j - i > (best?.count ?? 0) { best = i..<j }
                i = j
            }
            return best
        }

        /// Splits at the single `::`, returning nil (invalid) for two or more, and `.some(nil)` for none.
        private static func splitAtDoubleColon(_ utf8: [UInt8]) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)?? {
            let colon = UInt8(ascii: ":")
            var found: Int? = nil
            var i = 0
            while i + 1 < utf8.count {
                if utf8[i] == colon && utf8[i + 1] == colon {
                    guard found == nil else { return nil }
                    found = i
                    i += 2
                    continue
                }
                i += 1
            }
            guard let found else { return .some(nil) }
            // ":::" would leave an empty group next to the "::".
            let head = utf8[..<found]
            let tail = utf8[(found + 2)...]
            if head.last == colon || tail.first == colon { return nil }
            return .some((head, tail))
        }

        /// Parses colon-separated hex groups (an empty slice is zero groups); the last part may be a
        /// dotted quad counting as two groups when `allowIPv4Tail`.
        private static func parseGroups(_ text: ArraySlice<UInt8>, allowIPv4Tail: Bool) -> [UInt16]? {
            if text.isEmpty { return [] }
            let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            var groups: [UInt16] = []
            for (index, part) in parts.enumerated() {
                if allowIPv4Tail && index == parts.count - 1 && part.contains(UInt8(ascii: ".")) {
                    guard let v4 = IPv4Address(String(decoding: part, as: UTF8.self)) else { return nil }
                    groups.append(UInt16(truncatingIfNeeded: v4.value >> 16))
                    groups.append(UInt16(truncatingIfNeeded: v4.value))
                    continue
                }
                guard (1...4).contains(part.count) else { return nil }
                var value: UInt16 = 0
                for c in part {
                    guard let digit = hexDigitValue(c) else { return nil }
                    value = value << 4 | UInt16(digit)
                }
                groups.append(value)
            }
            return groups.count <= 8 ? groups : nil
        }
    }
}

/// The value of an ASCII hex digit, either case.
private func hexDigitValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// Parses canonical unsigned decimal (ASCII digits only, no sign, no leading zeros) up to `maximum`.
func parseDecimal(_ digits: some Collection<UInt8>, maximum: UInt32) -> UInt32? {
    guard !digits.isEmpty, digits.count <= 10 else { return nil }
    if digits.count > 1 && digits.first == UInt8(ascii: "0") { return nil }
    var value: UInt64 = 0
    for c in digits {
        guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + UInt64(c - UInt8(ascii: "0"))
    }
    return value <= UInt64(maximum) ? UInt32(value) : nil
}
