/// An IPv4 or IPv6 address as the SPF evaluator needs it: parsed strictly, compared by prefix,
/// and written in the forms the macros use. Pure; no C library.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses dotted-quad IPv4 (RFC 7208 `ip4-network`: no leading zeros) or RFC 4291 IPv6
    /// text, including `::` and an embedded dotted quad. Nil when the text is neither.
    public init?(_ text: String) {
        if let octets = IPAddress.parseIPv4(Substring(text)) {
            self = .v4(octets)
        } else if let octets = IPAddress.parseIPv6(text) {
            self = .v6(octets)
        } else {
            return nil
        }
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it carries; any
    /// other address unchanged. SPF treats a mapped client as an IPv4 client.
    public var unmapped: IPAddress {
        if case .v6(let bytes) = self, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return .v4(Array(bytes[12..<16]))
        }
        return self
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    var bytes: [UInt8] {
        switch self {
        case .v4(let bytes), .v6(let bytes): bytes
        }
    }

    /// Whether `other` lies in the network of this address with `prefix` bits. Addresses of
    /// different families never match.
    public func contains(_ other: IPAddress, prefix: Int) -> Bool {
        let mine = bytes
        let theirs = other.bytes
        guard mine.count == theirs.count, prefix >= 0, prefix <= mine.count * 8 else { return false }
        var remaining = prefix
        for index in 0..<mine.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if mine[index] & mask != theirs[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// Dotted quad, or RFC 5952 text (lower case, longest zero run compressed).
    public var description: String {
        switch self {
        case .v4(let bytes):
            return bytes.map(String.init).joined(separator: ".")
        case .v6(let bytes):
            let groups = stride(from: 0, to: 16, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
            var best = (start: -1, length: 0)
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else { index += 1; continue }
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > best.length, end - index >= 2 { best = (index, end - index) }
                index = end
            }
            func hex(_ slice: ArraySlice<Int>) -> String { slice.map { String($0, radix: 16) }.joined(separator: ":") }
            guard best.start >= 0 else { return hex(groups[...]) }
            return hex(groups[0..<best.start]) + "::" + hex(groups[(best.start + best.length)...])
        }
    }

    /// The `%{i}` form (RFC 7208 §7.3): dotted quad, or 32 upper-case nibbles separated by dots.
    public var macroForm: String {
        switch self {
        case .v4: return description
        case .v6(let bytes):
            return bytes.flatMap { [$0 >> 4, $0 & 0xF] }.map { String($0, radix: 16, uppercase: true) }.joined(separator: ".")
        }
    }

    /// The reverse-mapping name: `d.c.b.a.in-addr.arpa` or the nibbles under `ip6.arpa`.
    public var reverseName: String {
        switch self {
        case .v4(let bytes):
            return bytes.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa"
        case .v6(let bytes):
            return bytes.flatMap { [$0 >> 4, $0 & 0xF] }.reversed().map { String($0, radix: 16) }.joined(separator: ".") + ".ip6.arpa"
        }
    }

    // MARK: - Parsing

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part == "0" || part.first != "0", let value = Int(part), value <= 255 else { return nil }
            octets.append(UInt8(value))
        }
        return octets
    }

    /// `text` split at each `::`.
    static func splitDoubleColon(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var previousColon = false
        for character in text {
            if character == ":", previousColon {
                current.removeLast()
                parts.append(current)
                current = ""
                previousColon = false
                continue
            }
            current.append(character)
            previousColon = character == ":"
        }
        parts.append(current)
        return parts
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return nil }
        let halves = splitDoubleColon(text)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowIPv4: Bool) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if field.contains(".") {
                    guard allowIPv4, index == fields.count - 1, let quad = parseIPv4(field) else { return nil }
                    result.append(UInt16(quad[0]) << 8 | UInt16(quad[1]))
                    result.append(UInt16(quad[2]) << 8 | UInt16(quad[3]))
                } else {
                    guard !field.isEmpty, field.count <= 4, let value = UInt16(field, radix: 16) else { return nil }
                    result.append(value)
                }
            }
            return result
        }
        var all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowIPv4: false), let tail = groups(halves[1], allowIPv4: true),
                  head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let only = groups(text, allowIPv4: true), only.count == 8 else { return nil }
            all = only
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}
