import Foundation

/// A JSON text (RFC 8259) checked and laid out as a flat list of its values, a tape, which
/// ``WireJSONDecoder`` reads without building a tree: a container's entry is followed by its
/// elements (an object's by each member's key, then its value), and every entry knows where the
/// next value after it starts, so a value is skipped in one step.
///
/// The parse is strict: one value and only white space around it, no leading zeros, no
/// trailing commas, no raw control character in a string, no escape outside JSON's set, every
/// `\u` surrogate in a pair, UTF-8 only, no key twice in one object (keys compared after
/// unescaping) and at most ``maximumDepth`` levels. Whatever it refuses is an error naming the
/// byte offset: hostile input costs time linear in its length and ends in an error, never a
/// trap.
struct JSONTape {
    enum Kind: UInt8 {
        case null, `true`, `false`
        /// A number without fraction or exponent.
        case integer
        /// A number with a fraction or an exponent.
        case number
        case string
        /// A string with at least one escape in it.
        case escapedString
        case array, object
    }

    struct Entry {
        var kind: Kind
        /// The value's bytes, `start..<end`: a string's between its quotes, a container's from
        /// its opening bracket to just past its closing one.
        var start: Int32
        var end: Int32
        /// The index of the first entry after this value and everything in it.
        var next: Int32
        /// A container's elements (an object's members); 0 for a scalar.
        var count: Int32 = 0
    }

    /// Nesting deeper than this is refused. A report nests about ten levels; Foundation's
    /// `JSONDecoder` allows 512, but the parse recurses once a level, and 64 levels keep it
    /// within a small thread's stack even in a debug build (`WireJSONDecoderTests`).
    static let maximumDepth = 64

    let bytes: [UInt8]
    let entries: [Entry]

    init(parsing bytes: [UInt8]) throws {
        guard bytes.count < Int(Int32.max) else { throw JSONTapeError(offset: 0, "text of \(bytes.count) bytes is too long") }
        self.bytes = bytes
        var parser = JSONTapeParser()
        parser.entries.reserveCapacity(bytes.count / 8 + 4)
        try bytes.withUnsafeBufferPointer { input in try parser.parseDocument(input) }
        entries = parser.entries
    }

    /// A string entry's text, escapes resolved (the parser has checked them and the UTF-8).
    func string(at index: Int) -> String {
        let entry = entries[index]
        return bytes.withUnsafeBufferPointer { buffer in
            let raw = UnsafeBufferPointer(rebasing: buffer[Int(entry.start)..<Int(entry.end)])
            guard entry.kind == .escapedString else { return String(decoding: raw, as: UTF8.self) }
            return JSONTapeParser.unescaped(raw)
        }
    }

    /// Whether a string entry is exactly `name` (compared after unescaping).
    func string(at index: Int, equals name: UnsafeBufferPointer<UInt8>) -> Bool {
        let entry = entries[index]
        if entry.kind == .escapedString { return string(at: index).utf8.elementsEqual(name) }
        let count = Int(entry.end - entry.start)
        guard count == name.count else { return false }
        guard count > 0 else { return true }
        return bytes.withUnsafeBufferPointer { buffer in
            memcmp(buffer.baseAddress! + Int(entry.start), name.baseAddress!, count) == 0
        }
    }

    /// Where the value of the top-level object's member `key` stands in the bytes (a string's
    /// quotes included); nil when the document is not an object or has no such member.
    func memberRange(_ key: String) -> Range<Int>? {
        memberRange(key, inObject: 0)
    }

    /// Where the value of member `key` of the object at entry `object` stands in the bytes (a
    /// string's quotes included); nil when that entry is not an object or has no such member.
    func memberRange(_ key: String, inObject object: Int) -> Range<Int>? {
        guard entries[object].kind == .object, let index = value(ofMember: key, inObject: object) else { return nil }
        return range(of: index)
    }

    /// Where the value at entry `index` stands in the bytes, as written (a string's quotes included).
    func range(of index: Int) -> Range<Int> {
        let value = entries[index]
        let quoted = value.kind == .string || value.kind == .escapedString
        return (Int(value.start) - (quoted ? 1 : 0))..<(Int(value.end) + (quoted ? 1 : 0))
    }

    /// The entries of the elements of the array that is the top-level object's member `key`, in
    /// order; empty when there is no such array.
    func elements(ofMember key: String) -> [Int] {
        guard entries[0].kind == .object, let array = value(ofMember: key, inObject: 0), entries[array].kind == .array else { return [] }
        var elements: [Int] = []
        elements.reserveCapacity(Int(entries[array].count))
        var element = array + 1
        for _ in 0..<Int(entries[array].count) {
            elements.append(element)
            element = Int(entries[element].next)
        }
        return elements
    }

    /// The key entry of each member of the object at entry `object`, in order, until `stop`
    /// says so; the key entry it stopped at. A member's value is the entry after its key.
    @discardableResult
    func firstMember(ofObject object: Int, where stop: (_ key: Int) -> Bool) -> Int? {
        var key = object + 1
        for _ in 0..<Int(entries[object].count) {
            if stop(key) { return key }
            key = Int(entries[key + 1].next)
        }
        return nil
    }

    /// The value entry of the member `name` of the object at entry `object`, if it has one
    /// (keys compared as bytes, unescaped).
    func value(ofMember name: String, inObject object: Int) -> Int? {
        var name = name
        return name.withUTF8 { name in firstMember(ofObject: object) { string(at: $0, equals: name) } }.map { $0 + 1 }
    }

    /// A number entry's text as written.
    func numberText(at index: Int) -> Substring {
        let entry = entries[index]
        return Substring(String(decoding: bytes[Int(entry.start)..<Int(entry.end)], as: UTF8.self))
    }

    /// An `integer` entry's value, or nil when its magnitude does not fit in 64 bits (no
    /// allocation: the common case of ``wholeNumber(at:)``).
    func integerMagnitude(at index: Int) -> (negative: Bool, magnitude: UInt64)? {
        let entry = entries[index]
        var position = Int(entry.start)
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var magnitude: UInt64 = 0
        while position < Int(entry.end) {
            let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(bytes[position] &- UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { return nil }
            magnitude = sum
            position += 1
        }
        return (negative, magnitude)
    }

    /// A number entry's value when it is a whole number whose magnitude fits in 64 bits, read
    /// exactly from its digits (`1e2` and `100.0` are 100; `1.5` and `9007199254740993.5` are not
    /// whole, though the second one's nearest `Double` is); nil otherwise.
    func wholeNumber(at index: Int) -> (negative: Bool, magnitude: UInt64)? {
        let entry = entries[index]
        let end = Int(entry.end)
        var position = Int(entry.start)
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        func isDigit(_ at: Int) -> Bool { at < end && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) }
        var digits: [UInt8] = []  // the integer part's digits, then the fraction's
        while isDigit(position) { digits.append(bytes[position] &- UInt8(ascii: "0")); position += 1 }
        var exponent = 0
        if position < end, bytes[position] == UInt8(ascii: ".") {
            position += 1
            while isDigit(position) { digits.append(bytes[position] &- UInt8(ascii: "0")); exponent -= 1; position += 1 }
        }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            let negativeExponent = bytes[position] == UInt8(ascii: "-")
            if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") { position += 1 }
            var written = 0
            while isDigit(position) { written = min(written * 10 + Int(bytes[position] &- UInt8(ascii: "0")), 1 << 40); position += 1 }
            exponent += negativeExponent ? -written : written
        }
        guard let first = digits.firstIndex(where: { $0 != 0 }) else { return (negative, 0) }
        var significant = digits[first...]
        if exponent < 0 {
            // Whole only if every digit the exponent moves past the point is a zero.
            guard -exponent <= significant.count, significant.suffix(-exponent).allSatisfy({ $0 == 0 }) else { return nil }
            significant = significant.dropLast(-exponent)
            exponent = 0
        }
        guard significant.count + exponent <= 20 else { return nil }
        var magnitude: UInt64 = 0
        for digit in significant + [UInt8](repeating: 0, count: exponent) {
            let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(digit))
            guard !overflowTimes, !overflowSum else { return nil }
            magnitude = sum
        }
        return (negative, magnitude)
    }
}

/// Why a text is not JSON the tape takes, and where.
struct JSONTapeError: Error, CustomStringConvertible {
    var offset: Int
    var reason: String

    init(offset: Int, _ reason: String) {
        self.offset = offset
        self.reason = reason
    }

    var description: String { "not valid JSON at byte \(offset): \(reason)" }
}
