/// The result a matching directive gives (RFC 7208 §4.6.2).
public enum SPFQualifier: Character, Sendable, Hashable, Codable {
    case pass = "+"
    case fail = "-"
    case softfail = "~"
    case neutral = "?"

    public var result: SPFResult {
        switch self {
        case .pass: .pass
        case .fail: .fail
        case .softfail: .softfail
        case .neutral: .neutral
        }
    }
}

/// A mechanism (RFC 7208 §5) with its arguments.
public enum SPFMechanism: Sendable, Hashable {
    case all
    case include(SPFMacroString)
    /// `a[:domain][/ip4-cidr][//ip6-cidr]`.
    case a(SPFMacroString?, ipv4Prefix: Int, ipv6Prefix: Int)
    case mx(SPFMacroString?, ipv4Prefix: Int, ipv6Prefix: Int)
    case ptr(SPFMacroString?)
    case ip4(IPAddress, prefix: Int)
    case ip6(IPAddress, prefix: Int)
    case exists(SPFMacroString)

    /// The mechanism's name as written in records.
    public var name: String {
        switch self {
        case .all: "all"
        case .include: "include"
        case .a: "a"
        case .mx: "mx"
        case .ptr: "ptr"
        case .ip4: "ip4"
        case .ip6: "ip6"
        case .exists: "exists"
        }
    }

    /// Whether evaluating it costs one of the 10 DNS lookups (RFC 7208 §4.6.4).
    public var costsLookup: Bool {
        switch self {
        case .include, .a, .mx, .ptr, .exists: true
        case .all, .ip4, .ip6: false
        }
    }
}

/// A qualifier and a mechanism, with the term as written.
public struct SPFDirective: Sendable, Hashable {
    public var qualifier: SPFQualifier
    public var mechanism: SPFMechanism
    public var term: String
}

/// One term of a record in order: a directive or a modifier.
public enum SPFTerm: Sendable, Hashable {
    case directive(SPFDirective)
    /// `name=value`; `redirect` and `exp` are among them. `name` is lower case.
    case modifier(name: String, value: String, term: String)

    public var text: String {
        switch self {
        case .directive(let directive): directive.term
        case .modifier(_, _, let term): term
        }
    }
}

/// A parsed SPF record (RFC 7208 §4.6, §12).
public struct SPFRecord: Sendable, Hashable {
    public var text: String
    /// Every term in order.
    public var terms: [SPFTerm]
    public var directives: [SPFDirective]
    /// `redirect=` and `exp=` domain-specs, each at most once.
    public var redirect: SPFMacroString?
    public var explanation: SPFMacroString?

    /// Whether `text` is an SPF record at all: `v=spf1` (any case) alone or followed by a space.
    public static func isSPF(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower == "v=spf1" || lower.hasPrefix("v=spf1 ")
    }

    /// Parses a record; every syntax error is a `permerror` for receivers.
    public init(parsing text: String) throws(SPFSyntaxError) {
        guard Self.isSPF(text) else { throw SPFSyntaxError("the record must start with 'v=spf1'", term: String(text.prefix(10))) }
        if let bad = text.first(where: { !($0.asciiValue.map { $0 >= 0x20 && $0 <= 0x7E } ?? false) }) {
            throw SPFSyntaxError("the record holds \(SPFMacroString.show(bad)): only printable ASCII and spaces are allowed (terms are separated by spaces only)",
                                 term: text.split(separator: " ").first { $0.contains(bad) }.map(String.init) ?? text)
        }
        self.text = text
        terms = []
        directives = []
        for word in text.dropFirst(6).split(separator: " ") {
            let term = String(word)
            if let equals = term.firstIndex(of: "="), Self.isModifierName(term[..<equals]) {
                let name = term[..<equals].lowercased()
                let value = String(term[term.index(after: equals)...])
                switch name {
                case "redirect", "exp":
                    guard name == "redirect" ? redirect == nil : explanation == nil else {
                        throw SPFSyntaxError("'\(name)=' appears more than once", term: term)
                    }
                    let spec = try Self.domainSpec(value, term: term)
                    if name == "redirect" { redirect = spec } else { explanation = spec }
                default:
                    do { _ = try SPFMacroString(parsing: value, letters: SPFMacroString.explanationLetters, spaces: false) } catch {
                        throw SPFSyntaxError("modifier '\(name)': \(error.message)", term: term)
                    }
                }
                terms.append(.modifier(name: name, value: value, term: term))
            } else {
                let directive = try Self.directive(term)
                directives.append(directive)
                terms.append(.directive(directive))
            }
        }
    }

    /// RFC 7208 `name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )`.
    static func isModifierName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}

/// Why an SPF record is malformed, and the term at fault.
public struct SPFSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var term: String
    public init(_ message: String, term: String) {
        self.message = message
        self.term = term
    }
    public var description: String { "'\(term)': \(message)" }
}
