import Foundation

/// Builds a ``JSONTape``: a recursive descent over the bytes, one entry per value, depth bounded.
struct JSONTapeParser {
    var entries: [JSONTape.Entry] = []
    private var input = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var position = 0

    /// Objects with more members than this find a key written twice through a set of their
    /// keys; smaller ones (every type on the wire: `DNSFacts` has 21 members) compare each key's
    /// bytes with those before it, which costs no allocation.
    static let pairwiseKeyLimit = 32

    mutating func parseDocument(_ input: UnsafeBufferPointer<UInt8>) throws {
        self.input = input
        position = 0
        try parseValue(depth: 0)
        skipWhiteSpace()
        guard position == input.count else { throw error("more after the value") }
    }

    private func error(_ reason: String) -> JSONTapeError { JSONTapeError(offset: position, reason) }

    private var atEnd: Bool { position >= input.count }
    private var byte: UInt8 { input[position] }

    private mutating func skipWhiteSpace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func append(_ kind: JSONTape.Kind, _ start: Int, _ end: Int) {
        entries.append(JSONTape.Entry(kind: kind, start: Int32(start), end: Int32(end), next: Int32(entries.count + 1)))
    }

    private mutating func parseValue(depth: Int) throws {
        skipWhiteSpace()
        guard !atEnd else { throw error("the text ends where a value should be") }
        switch byte {
        case UInt8(ascii: "{"): try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"): try parseLiteral("true", .true)
        case UInt8(ascii: "f"): try parseLiteral("false", .false)
        case UInt8(ascii: "n"): try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw error("unexpected byte 0x\(String(byte, radix: 16))")
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ kind: JSONTape.Kind) throws {
        let start = position
        let count = word.utf8CodeUnitCount
        guard input.count - position >= count, memcmp(input.baseAddress! + position, word.utf8Start, count) == 0 else {
            throw error("not the literal \(word)")
        }
        position += count
        append(kind, start, position)
    }

    private mutating func digits() -> Int {
        let start = position
        while position < input.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(input[position]) { position += 1 }
        return position - start
    }

    private mutating func parseNumber() throws {
        let start = position
        if byte == UInt8(ascii: "-") { position += 1 }
        guard !atEnd, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw error("a number without digits") }
        if byte == UInt8(ascii: "0") {
            position += 1
            if !atEnd, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { throw error("a number with a leading zero") }
        } else {
            _ = digits()
        }
        var kind = JSONTape.Kind.integer
        if !atEnd, byte == UInt8(ascii: ".") {
            kind = .number
            position += 1
            guard digits() > 0 else { throw error("a fraction without digits") }
        }
        if !atEnd, byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            kind = .number
            position += 1
            if !atEnd, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("an exponent without digits") }
        }
        append(kind, start, position)
    }

    private func hexValue(at offset: Int) -> UInt32? {
        guard input.count - offset >= 4 else { return nil }
        var value: UInt32 = 0
        for index in offset..<offset + 4 {
            let digit: UInt8
            switch input[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = input[index] - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = input[index] - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = input[index] - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Checks one escape at `position` (the byte after the backslash) and steps over it.
    private mutating func parseEscape() throws {
        guard !atEnd else { throw error("the text ends in an escape") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            guard let unit = hexValue(at: position + 1) else { throw error("a \\u escape without four hex digits") }
            position += 5
            if (0xDC00...0xDFFF).contains(unit) { throw error("a low surrogate escape without a high one before it") }
            guard (0xD800...0xDBFF).contains(unit) else { return }
            guard input.count - position >= 6, input[position] == UInt8(ascii: "\\"), input[position + 1] == UInt8(ascii: "u"),
                  let low = hexValue(at: position + 2), (0xDC00...0xDFFF).contains(low) else {
                throw error("a high surrogate escape without a low one after it")
            }
            position += 6
        default:
            throw error("an escape JSON does not have")
        }
    }

    private mutating func parseString() throws {
        position += 1  // the opening quote
        let start = position
        var escaped = false
        var ascii = true
        while true {
            guard !atEnd else { throw error("a string without its closing quote") }
            let current = byte
            if current == UInt8(ascii: "\"") { break }
            if current == UInt8(ascii: "\\") {
                escaped = true
                position += 1
                try parseEscape()
                continue
            }
            if current < 0x20 { throw error("a control character in a string") }
            if current >= 0x80 { ascii = false }
            position += 1
        }
        if !ascii, String(validating: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self) == nil {
            throw JSONTapeError(offset: start, "a string that is not UTF-8")
        }
        append(escaped ? .escapedString : .string, start, position)
        position += 1  // the closing quote
    }

    private mutating func parseArray(depth: Int) throws {
        guard depth <= JSONTape.maximumDepth else { throw error("nested deeper than \(JSONTape.maximumDepth)") }
        let me = entries.count
        append(.array, position, position)
        position += 1
        skipWhiteSpace()
        var count = 0
        if !atEnd, byte == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                try parseValue(depth: depth)
                count += 1
                skipWhiteSpace()
                guard !atEnd else { throw error("an array without its closing bracket") }
                if byte == UInt8(ascii: ",") { position += 1; continue }
                guard byte == UInt8(ascii: "]") else { throw error("expected ',' or ']' in an array") }
                position += 1
                break
            }
        }
        close(container: me, count: count)
    }

    /// A container's entry, once its closing bracket is behind `position`: its element count,
    /// its end, and where the value after it starts.
    private mutating func close(container: Int, count: Int) {
        entries[container].count = Int32(count)
        entries[container].end = Int32(position)
        entries[container].next = Int32(entries.count)
    }

    private mutating func parseObject(depth: Int) throws {
        guard depth <= JSONTape.maximumDepth else { throw error("nested deeper than \(JSONTape.maximumDepth)") }
        let me = entries.count
        let opening = position
        append(.object, position, position)
        position += 1
        skipWhiteSpace()
        var count = 0
        if !atEnd, byte == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhiteSpace()
                guard !atEnd, byte == UInt8(ascii: "\"") else { throw error("expected a key in an object") }
                try parseString()
                skipWhiteSpace()
                guard !atEnd, byte == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                position += 1
                try parseValue(depth: depth)
                count += 1
                skipWhiteSpace()
                guard !atEnd else { throw error("an object without its closing brace") }
                if byte == UInt8(ascii: ",") { position += 1; continue }
                guard byte == UInt8(ascii: "}") else { throw error("expected ',' or '}' in an object") }
                position += 1
                break
            }
        }
        close(container: me, count: count)
        if count > 1, let twice = repeatedKey(object: me, count: count) {
            throw JSONTapeError(offset: opening, "the key \"\(twice.prefix(64))\" twice in one object")
        }
    }

    /// A key written twice in the object at entry `object`, if any (compared unescaped).
    private func repeatedKey(object: Int, count: Int) -> String? {
        if count > Self.pairwiseKeyLimit {
            var seen = Set<String>(minimumCapacity: count)
            var key = object + 1
            for _ in 0..<count {
                if !seen.insert(text(of: key)).inserted { return text(of: key) }
                key = Int(entries[key + 1].next)
            }
            return nil
        }
        // Each key against those before it, walked along the object (no list of keys made).
        var later = Int(entries[object + 2].next)
        for _ in 1..<count {
            var earlier = object + 1
            while earlier != later {
                if sameKey(earlier, later) { return text(of: later) }
                earlier = Int(entries[earlier + 1].next)
            }
            later = Int(entries[later + 1].next)
        }
        return nil
    }

    private func sameKey(_ first: Int, _ second: Int) -> Bool {
        let a = entries[first], b = entries[second]
        if a.kind == .escapedString || b.kind == .escapedString { return text(of: first) == text(of: second) }
        let count = Int(a.end - a.start)
        guard count == Int(b.end - b.start) else { return false }
        return count == 0 || memcmp(input.baseAddress! + Int(a.start), input.baseAddress! + Int(b.start), count) == 0
    }

    private func text(of entry: Int) -> String {
        let raw = UnsafeBufferPointer(rebasing: input[Int(entries[entry].start)..<Int(entries[entry].end)])
        return entries[entry].kind == .escapedString ? Self.unescaped(raw) : String(decoding: raw, as: UTF8.self)
    }

    /// A checked string's contents with its escapes resolved, made in place (no bytes in between).
    static func unescaped(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        // Every escape is at least as long as what it stands for (`\u0000` is 6 bytes for at most
        // 3, a surrogate pair 12 for 4), so the text fits in the escaped one's length.
        String(unsafeUninitializedCapacity: raw.count) { out in unescape(raw, into: out) }
    }

    /// Writes `raw` with its escapes resolved into `out` (at least `raw.count` bytes); the bytes written.
    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var written = 0
        func put(_ byte: UInt8) {
            out[written] = byte
            written += 1
        }
        var index = 0
        func hex(_ offset: Int) -> UInt32 {
            var value: UInt32 = 0
            for byte in raw[offset..<offset + 4] {
                let digit: UInt8 = switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
                default: byte - UInt8(ascii: "A") + 10
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                put(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex(index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex(index + 2) - 0xDC00)
                    index += 6
                }
                UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { put($0) }
            default: put(escape)  // " \ /
            }
        }
        return written
    }
}
