import Foundation

/// Where a member's value lies in a JSON object's bytes, for storing a value as it was sent
/// instead of encoding again what was decoded from it.
///
/// Only for bytes `JSONDecoder` already decoded: the scan is strict where the stored bytes could
/// differ from what the decoder saw, and gives nil (encode the decoded value instead) when
///
/// - the document is not one object, or `key` is not one of its members;
/// - any object in it, at any depth, names a key twice (a decoder may keep the first, PostgreSQL's
///   `jsonb` keeps the last) or spells a key with an escape (`"conn\u0065ct"` is `connect`);
/// - any string holds the escape of a UTF-16 surrogate (`\uD800`–`\uDFFF`), which `jsonb`
///   refuses when it stands alone;
/// - it nests deeper than ``maximumDepth``.
public enum JSONMemberSpan {
    /// Objects and arrays nested deeper than this are not scanned.
    public static let maximumDepth = 512

    /// The bytes of the value of the top-level member `key` of the object in `json`.
    public static func value(of key: String, inObject json: Data) -> Data? {
        let span = json.withUnsafeBytes { raw -> Range<Int>? in
            var scanner = Scanner(bytes: raw.bindMemory(to: UInt8.self))
            return scanner.member(Array(key.utf8))
        }
        return span.map { json.subdata(in: (json.startIndex + $0.lowerBound)..<(json.startIndex + $0.upperBound)) }
    }

    /// A key's bytes in the scanned buffer (valid while the scan runs), hashed and compared by
    /// content, so the keys seen in an object are kept without copying them.
    private struct KeyBytes: Hashable {
        let base: UnsafeBufferPointer<UInt8>
        let range: Range<Int>

        static func == (lhs: KeyBytes, rhs: KeyBytes) -> Bool { lhs.base[lhs.range].elementsEqual(rhs.base[rhs.range]) }

        func hash(into hasher: inout Hasher) { hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: base[range]))) }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        /// The keys of the objects being scanned, the innermost object's last: an object's keys
        /// are compared with the ones before them in it (few, so a linear look costs less than
        /// hashing), and a set is made only for an object with more than ``linearKeys``.
        var openKeys: [Range<Int>] = []
        static let linearKeys = 32

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func member(_ key: [UInt8]) -> Range<Int>? {
            skipSpace()
            guard peek == UInt8(ascii: "{") else { return nil }
            var found: Range<Int>?
            let fine = object(depth: 1) { name, value in
                if name.elementsEqual(key) { found = value }
            }
            skipSpace()
            guard fine, position == bytes.count else { return nil }
            return found
        }

        private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        /// Whether two ranges of the buffer hold the same bytes.
        private func sameBytes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
            a.count == b.count && memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, a.count) == 0
        }

        private mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        /// An object at `position`; `member` gets each of its keys with its value's range.
        private mutating func object(depth: Int, member: (UnsafeBufferPointer<UInt8>.SubSequence, Range<Int>) -> Void = { _, _ in }) -> Bool {
            guard depth <= JSONMemberSpan.maximumDepth, peek == UInt8(ascii: "{") else { return false }
            if opensEmpty(closing: UInt8(ascii: "}")) { return true }
            let firstKey = openKeys.count
            defer { openKeys.removeSubrange(firstKey...) }
            var manyKeys: Set<KeyBytes>?
            while true {
                skipSpace()
                let keyStart = position + 1
                guard peek == UInt8(ascii: "\""), string() else { return false }
                let nameRange = keyStart..<(position - 1)
                let name = bytes[nameRange]
                guard !name.contains(UInt8(ascii: "\\")) else { return false }
                if let inserted = manyKeys?.insert(KeyBytes(base: bytes, range: nameRange)).inserted {
                    guard inserted else { return false }
                } else {
                    guard !openKeys[firstKey...].contains(where: { sameBytes($0, nameRange) }) else { return false }
                    openKeys.append(nameRange)
                    if openKeys.count - firstKey > Self.linearKeys {
                        manyKeys = Set(openKeys[firstKey...].map { KeyBytes(base: bytes, range: $0) })
                    }
                }
                skipSpace()
                guard peek == UInt8(ascii: ":") else { return false }
                position += 1
                skipSpace()
                let valueStart = position
                guard value(depth: depth) else { return false }
                member(name, valueStart..<position)
                if let end = endOrNext(closing: UInt8(ascii: "}")) { return end }
            }
        }

        private mutating func array(depth: Int) -> Bool {
            guard depth <= JSONMemberSpan.maximumDepth else { return false }
            if opensEmpty(closing: UInt8(ascii: "]")) { return true }
            while true {
                skipSpace()
                guard value(depth: depth) else { return false }
                if let end = endOrNext(closing: UInt8(ascii: "]")) { return end }
            }
        }

        /// Past the opening bracket at `position`: true when `closing` follows at once (consumed).
        private mutating func opensEmpty(closing: UInt8) -> Bool {
            position += 1
            skipSpace()
            guard peek == closing else { return false }
            position += 1
            return true
        }

        /// After a member or an element: nil past a comma (another follows), true past `closing`,
        /// false at anything else.
        private mutating func endOrNext(closing: UInt8) -> Bool? {
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): position += 1; return nil
            case closing: position += 1; return true
            default: return false
            }
        }

        private mutating func value(depth: Int) -> Bool {
            switch peek {
            case UInt8(ascii: "{"): return object(depth: depth + 1)
            case UInt8(ascii: "["): return array(depth: depth + 1)
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            case .some(let byte) where byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte): return number()
            default: return false
            }
        }

        /// A string at `position` (its opening quote), up to and past its closing quote.
        private mutating func string() -> Bool {
            position += 1
            while let byte = peek {
                position += 1
                switch byte {
                case UInt8(ascii: "\""): return true
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { return false }
                    position += 1
                    if escaped == UInt8(ascii: "u") {
                        guard position + 4 <= bytes.count else { return false }
                        let first = bytes[position] | 0x20
                        let second = bytes[position + 1] | 0x20
                        // \uD800-\uDFFF: a surrogate, which jsonb refuses alone.
                        if first == UInt8(ascii: "d"), (UInt8(ascii: "8")...UInt8(ascii: "9")).contains(second) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(second) {
                            return false
                        }
                        position += 4
                    }
                case 0..<0x20: return false
                default: break
                }
            }
            return false
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard position + expected.count <= bytes.count, bytes[position..<(position + expected.count)].elementsEqual(expected) else { return false }
            position += expected.count
            return true
        }

        private mutating func number() -> Bool {
            let start = position
            while let byte = peek, byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                    || byte | 0x20 == UInt8(ascii: "e") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                position += 1
            }
            return position > start
        }
    }
}
