/// What Internet.nl's "same website on IPv6 and IPv4" comparison needs of one page, without
/// the page: how many times each byte value occurs in the page as Internet.nl compares it.
///
/// Internet.nl (`checks/tasks/ipv6.py`, `simhash`) reads the first 500,000 bytes of each
/// family's answer, strips script and style nonces and `__VIEWSTATE` inputs
/// (`strip_irrelevant_html`, through BeautifulSoup), turns the page into Latin-1 bytes
/// (`prettify("latin-1")`, characters beyond it as `&#N;`) and compares the two byte strings with
/// `difflib.SequenceMatcher.quick_ratio`, which depends only on how often each element occurs:
/// this histogram gives the same ratio. The page itself is never kept (docs/CHECKS-WEB.md).
public struct WebPageDigest: Codable, Sendable, Hashable {
    /// Internet.nl's `SIMHASH_MAX_RESPONSE_SIZE`: body bytes read, the rest left unread.
    public static let maxBodyBytes = 500_000

    /// Occurrences of byte values 0…255 in the normalised page (``normalised(_:)``).
    public var histogram: [Int]
    /// Body bytes read (at most ``maxBodyBytes``).
    public var bodyBytes: Int
    /// Whether the body went on past ``maxBodyBytes`` (the first ones compared, as Internet.nl).
    public var truncated: Bool
    /// Why the body ended before it was whole (closed early, the exchange's time cap, malformed
    /// chunks); nil when it was read to its end.
    public var error: String?

    /// The digest of a body as received (the normalisation is done here).
    public init(body: [UInt8], truncated: Bool = false, error: String? = nil) {
        var histogram = [Int](repeating: 0, count: 256)
        for byte in Self.normalised(body) { histogram[Int(byte)] += 1 }
        self.init(histogram: histogram, bodyBytes: body.count, truncated: truncated, error: error)
    }

    public init(histogram: [Int], bodyBytes: Int, truncated: Bool = false, error: String? = nil) {
        self.histogram = histogram
        self.bodyBytes = bodyBytes
        self.truncated = truncated
        self.error = error
    }

    /// The normalised page's length in bytes.
    public var length: Int { histogram.reduce(0, +) }

    /// The most times one byte value can occur in a normalised page: ``maxBodyBytes`` read, and
    /// Latin-1 with character references at most 3.5 times as long as the UTF-8 it comes from
    /// (a two-byte character becomes up to seven, `&#2047;`).
    public static let maxCount = 4 * maxBodyBytes

    /// Whether the histogram has one count per byte value, each between 0 and ``maxCount`` (a
    /// stored digest is read from the database, and an agent is not trusted: checked before it
    /// is used, so that no sum of counts can overflow).
    public var isWellFormed: Bool { histogram.count == 256 && histogram.allSatisfy { (0...Self.maxCount).contains($0) } }

    private enum CodingKeys: String, CodingKey { case counts, histogram, bodyBytes, truncated, error }

    /// The histogram goes out as `counts`, its nonzero entries as `"value:count"` in ascending
    /// order joined by commas (`"10:1,47:2"`, `""` for an empty page): a page's counts are
    /// mostly zero, and 256 numbers in a JSON array cost far more to decode and store than
    /// one string. A histogram that is not well formed goes out as `histogram`, the dense
    /// array, so that nothing of it is lost. Either key is read (observations stored before
    /// protocol 6 have the array); both at once are refused.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.counts) {
            guard !container.contains(.histogram) else {
                throw DecodingError.dataCorruptedError(forKey: .histogram, in: container, debugDescription: "both counts and histogram")
            }
            let counts = try container.decode(String.self, forKey: .counts)
            guard let histogram = Self.histogram(counts: counts) else {
                throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "not value:count pairs of 0…255 in ascending order")
            }
            self.histogram = histogram
        } else {
            histogram = try container.decode([Int].self, forKey: .histogram)
        }
        bodyBytes = try container.decode(Int.self, forKey: .bodyBytes)
        truncated = try container.decode(Bool.self, forKey: .truncated)
        error = try container.decodeIfPresent(String.self, forKey: .error)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if isWellFormed {
            try container.encode(Self.counts(histogram), forKey: .counts)
        } else {
            try container.encode(histogram, forKey: .histogram)
        }
        try container.encode(bodyBytes, forKey: .bodyBytes)
        try container.encode(truncated, forKey: .truncated)
        try container.encodeIfPresent(error, forKey: .error)
    }

    /// A well-formed histogram's nonzero entries as `counts` (``init(from:)``).
    static func counts(_ histogram: [Int]) -> String {
        histogram.indices.filter { histogram[$0] != 0 }.map { "\($0):\(histogram[$0])" }.joined(separator: ",")
    }

    /// The 256 counts that `counts` names, or nil unless each pair is a value of 0…255 above
    /// the one before and a count of 1 or more, in decimal digits, with no other character.
    static func histogram(counts: String) -> [Int]? {
        var counts = counts
        return counts.withUTF8 { utf8 in
            var histogram = [Int](repeating: 0, count: 256)
            var index = 0
            var previous = -1
            /// The decimal number at `index` (one digit at least, no overflow), stepped over.
            func number() -> Int? {
                var value = 0, digits = 0
                while index < utf8.count, (48...57).contains(utf8[index]) {
                    let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = times.addingReportingOverflow(Int(utf8[index] - 48))
                    guard !overflow1, !overflow2 else { return nil }
                    value = sum
                    digits += 1
                    index += 1
                }
                return digits > 0 ? value : nil
            }
            while index < utf8.count {
                if previous >= 0 {
                    guard utf8[index] == UInt8(ascii: ","), index + 1 < utf8.count else { return nil }
                    index += 1
                }
                guard let value = number(), value > previous, value < 256, index < utf8.count, utf8[index] == UInt8(ascii: ":") else {
                    return nil
                }
                index += 1
                guard let count = number(), count > 0 else { return nil }
                histogram[value] = count
                previous = value
            }
            return histogram
        }
    }

    /// The page as Internet.nl compares it, as far as its byte counts go: the `nonce` attribute
    /// of every `script` and `style` start tag and every `input` tag named `__VIEWSTATE` removed;
    /// a body that is valid UTF-8 as Latin-1 (code points above U+00FF as `&#N;`), any other
    /// body as it is. BeautifulSoup's re-indentation (`prettify`) is not reproduced: white space
    /// between tags is counted as sent.
    public static func normalised(_ body: [UInt8]) -> [UInt8] {
        latin1(HTMLAttributeStripper.strip(body))
    }

    /// Valid UTF-8 re-encoded as Latin-1 with character references; other bytes unchanged.
    static func latin1(_ bytes: [UInt8]) -> [UInt8] {
        guard let text = String(validating: bytes, as: UTF8.self) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for scalar in text.unicodeScalars {
            if scalar.value < 256 { out.append(UInt8(scalar.value)) } else { out += Array("&#\(scalar.value);".utf8) }
        }
        return out
    }
}

/// A small HTML start-tag scanner for ``WebPageDigest/normalised(_:)``: comments and the raw text
/// of `script` and `style` pass unchanged; start tags are parsed into attributes (quoted or not)
/// so that the two removals act on tags, not on text that looks like them.
enum HTMLAttributeStripper {
    static func strip(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else { out.append(bytes[index]); index += 1; continue }
            if bytes[index...].starts(with: Array("<!--".utf8)) {
                let end = find(Array("-->".utf8), in: bytes, from: index + 4).map { $0 + 3 } ?? bytes.count
                out += bytes[index..<end]
                index = end
                continue
            }
            guard index + 1 < bytes.count, isLetter(bytes[index + 1]) else { out.append(bytes[index]); index += 1; continue }
            guard let tag = parseTag(bytes, at: index) else {
                // No `>` ends it before the end of the body: the rest is text (and each byte is
                // looked at a bounded number of times, whatever the body).
                out += bytes[index...]
                break
            }
            let name = tag.name
            if name == "input", tag.attributes.contains(where: { $0.name == "name" && $0.value == "__VIEWSTATE" }) {
                index = tag.end
                continue
            }
            if name == "script" || name == "style", let nonce = tag.attributes.first(where: { $0.name == "nonce" }) {
                out += bytes[index..<nonce.range.lowerBound] + bytes[nonce.range.upperBound..<tag.end]
            } else {
                out += bytes[index..<tag.end]
            }
            index = tag.end
            if name == "script" || name == "style" {
                // Raw text: up to the end tag, never parsed as tags.
                let end = findCaseInsensitive(Array("</\(name)".utf8), in: bytes, from: index) ?? bytes.count
                out += bytes[index..<end]
                index = end
            }
        }
        return out
    }

    struct Attribute { var name: String; var value: String?; var range: Range<Int> }
    struct Tag { var name: String; var attributes: [Attribute]; var end: Int }

    /// The start tag at `start` (`<` then a letter); nil when no `>` ends it.
    static func parseTag(_ bytes: [UInt8], at start: Int) -> Tag? {
        var index = start + 1
        let nameStart = index
        while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/") { index += 1 }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
        var attributes: [Attribute] = []
        while index < bytes.count {
            let attributeStart = index
            while index < bytes.count, isSpace(bytes[index]) || bytes[index] == UInt8(ascii: "/") { index += 1 }
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ">") { return Tag(name: name, attributes: attributes, end: index + 1) }
            let keyStart = index
            while index < bytes.count, !isSpace(bytes[index]), !"=>/".utf8.contains(bytes[index]) { index += 1 }
            let key = String(decoding: bytes[keyStart..<index], as: UTF8.self).lowercased()
            var value: String?
            var probe = index
            while probe < bytes.count, isSpace(bytes[probe]) { probe += 1 }
            if probe < bytes.count, bytes[probe] == UInt8(ascii: "=") {
                index = probe + 1
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                guard index < bytes.count else { return nil }
                let quote = bytes[index]
                if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                    guard let close = bytes[(index + 1)...].firstIndex(of: quote) else { return nil }
                    value = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
                    index = close + 1
                } else {
                    let valueStart = index
                    while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
                    value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
                }
            }
            attributes.append(Attribute(name: key, value: value, range: attributeStart..<index))
        }
        return nil
    }

    static func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (9...13).contains(byte) }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard start <= bytes.count - needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    static func findCaseInsensitive(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        func lower(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }
        guard start <= bytes.count - needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { position in
            (0..<needle.count).allSatisfy { lower(bytes[position + $0]) == needle[$0] }
        }
    }
}
