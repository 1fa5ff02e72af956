/// A `Strict-Transport-Security` policy parsed by RFC 6797 section 6.1 (as Chromium applies it).
///
/// Grammar: directives separated by `;`, each `token [ "=" ( token / quoted-string ) ]` with
/// optional spaces and tabs around names, `=` and values; empty directives are allowed.
/// `max-age` (required, digits only, may be quoted) and `includeSubDomains` (no value) may each
/// appear once; names are case-insensitive; unknown directives are ignored but must be
/// well-formed. A max-age too large for 64 bits saturates (browsers cap it anyway).
public struct HSTSPolicy: Codable, Sendable, Hashable {
    /// The max-age in seconds (saturating at `UInt64.max`).
    public var maxAge: UInt64
    public var includeSubDomains: Bool
    /// Whether max-age was too large for 64 bits and saturated.
    public var maxAgeSaturated: Bool
    /// Unknown directive names, lowercased, in order.
    public var unknownDirectives: [String]

    public init(maxAge: UInt64, includeSubDomains: Bool, maxAgeSaturated: Bool = false, unknownDirectives: [String] = []) {
        self.maxAge = maxAge
        self.includeSubDomains = includeSubDomains
        self.maxAgeSaturated = maxAgeSaturated
        self.unknownDirectives = unknownDirectives
    }
}

/// Why a `Strict-Transport-Security` value does not conform to RFC 6797.
public enum HSTSParseError: Error, Codable, Sendable, Hashable {
    case empty
    case missingMaxAge
    case duplicateDirective(String)
    case malformedDirective(offset: Int)
    case unterminatedQuotedString(offset: Int)
    case invalidMaxAge(String)
    case includeSubDomainsHasValue
    case emptyValue(directive: String)
}

extension HSTSPolicy {
    /// Parses one header field value; throws `HSTSParseError` if a conforming UA must ignore it.
    public init(parsing value: String) throws(HSTSParseError) {
        let bytes = Array(value.utf8)
        var scanner = HSTSScanner(bytes: bytes)
        var maxAge: (UInt64, Bool)?
        var includeSubDomains = false
        var unknown: [String] = []
        var sawAnything = false
        while true {
            scanner.skipSpace()
            if scanner.atEnd { break }
            if scanner.peek == UInt8(ascii: ";") {
                scanner.index += 1
                continue
            }
            sawAnything = true
            let nameStart = scanner.index
            let name = scanner.token().lowercased()
            guard !name.isEmpty else { throw .malformedDirective(offset: nameStart) }
            scanner.skipSpace()
            var directiveValue: String?
            if scanner.peek == UInt8(ascii: "=") {
                scanner.index += 1
                scanner.skipSpace()
                if scanner.peek == UInt8(ascii: "\"") {
                    directiveValue = try scanner.quotedString()
                } else {
                    let v = scanner.token()
                    guard !v.isEmpty else { throw .emptyValue(directive: name) }
                    directiveValue = v
                }
                scanner.skipSpace()
            }
            guard scanner.atEnd || scanner.peek == UInt8(ascii: ";") else {
                throw .malformedDirective(offset: scanner.index)
            }
            switch name {
            case "max-age":
                guard maxAge == nil else { throw .duplicateDirective(name) }
                guard let text = directiveValue, let parsed = Self.digits(text) else {
                    throw .invalidMaxAge(directiveValue ?? "")
                }
                maxAge = parsed
            case "includesubdomains":
                guard !includeSubDomains else { throw .duplicateDirective(name) }
                guard directiveValue == nil else { throw .includeSubDomainsHasValue }
                includeSubDomains = true
            default:
                unknown.append(name)
            }
        }
        guard sawAnything else { throw .empty }
        guard let (age, saturated) = maxAge else { throw .missingMaxAge }
        self.init(maxAge: age, includeSubDomains: includeSubDomains, maxAgeSaturated: saturated, unknownDirectives: unknown)
    }

    /// `1*DIGIT` as a saturating UInt64; nil for anything else.
    private static func digits(_ text: String) -> (UInt64, Bool)? {
        guard !text.isEmpty else { return nil }
        var value: UInt64 = 0
        var saturated = false
        for byte in text.utf8 {
            guard (0x30...0x39).contains(byte) else { return nil }
            if !saturated {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(UInt64(byte - 0x30))
                if o1 || o2 { saturated = true; value = .max } else { value = plus }
            }
        }
        return (value, saturated)
    }
}

/// A byte scanner for RFC 7230 tokens and quoted strings.
struct HSTSScanner {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[index] }

    mutating func skipSpace() {
        while let b = peek, b == 0x20 || b == 0x09 { index += 1 }
    }

    /// The longest run of `tchar`.
    mutating func token() -> String {
        let start = index
        while let b = peek, Self.isTChar(b) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A quoted string starting at the opening quote; returns its unescaped content.
    mutating func quotedString() throws(HSTSParseError) -> String {
        let start = index
        index += 1
        var out: [UInt8] = []
        while let b = peek {
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { throw .unterminatedQuotedString(offset: start) }
                out.append(escaped)
                index += 1
            default:
                guard b == 0x09 || b >= 0x20, b != 0x7F else { throw .malformedDirective(offset: index - 1) }
                out.append(b)
            }
        }
        throw .unterminatedQuotedString(offset: start)
    }

    /// RFC 7230 `tchar`.
    static func isTChar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}
