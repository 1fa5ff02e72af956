/// Parsing of the single terms of an SPF record.
extension SPFRecord {
    static func directive(_ term: String) throws(SPFSyntaxError) -> SPFDirective {
        var body = Substring(term)
        var qualifier = SPFQualifier.pass
        if let first = body.first, let given = SPFQualifier(rawValue: first) {
            qualifier = given
            body = body.dropFirst()
        }
        let nameEnd = body.firstIndex { $0 == ":" || $0 == "/" } ?? body.endIndex
        let name = body[..<nameEnd].lowercased()
        let rest = body[nameEnd...]
        func fail(_ message: String) -> SPFSyntaxError { SPFSyntaxError(message, term: term) }
        func argument() throws(SPFSyntaxError) -> String {
            guard rest.first == ":" else { throw fail("'\(name)' needs ':' and a domain") }
            return String(rest.dropFirst())
        }
        let mechanism: SPFMechanism
        switch name {
        case "all":
            guard rest.isEmpty else { throw fail("'all' takes no argument") }
            mechanism = .all
        case "include":
            mechanism = .include(try domainSpec(try argument(), term: term))
        case "exists":
            mechanism = .exists(try domainSpec(try argument(), term: term))
        case "ptr":
            if rest.isEmpty {
                mechanism = .ptr(nil)
            } else {
                mechanism = .ptr(try domainSpec(try argument(), term: term))
            }
        case "a", "mx":
            let (spec, v4, v6) = try dualCIDR(rest, term: term)
            let domain = try spec.map { (text: Substring) throws(SPFSyntaxError) in try domainSpec(String(text), term: term) }
            mechanism = name == "a" ? .a(domain, ipv4Prefix: v4 ?? 32, ipv6Prefix: v6 ?? 128)
                                    : .mx(domain, ipv4Prefix: v4 ?? 32, ipv6Prefix: v6 ?? 128)
        case "ip4", "ip6":
            let value = try argument()
            let slash = value.firstIndex(of: "/")
            let addressText = String(value[..<(slash ?? value.endIndex)])
            let limit = name == "ip4" ? 32 : 128
            var prefix = limit
            if let slash {
                guard let length = cidrLength(value[value.index(after: slash)...], limit: limit) else {
                    throw fail("'\(value[slash...])' is not a prefix length from 0 to \(limit)")
                }
                prefix = length
            }
            if name == "ip4" {
                guard let octets = IPAddress.parseIPv4(Substring(addressText)) else { throw fail("'\(addressText)' is not an IPv4 address") }
                mechanism = .ip4(.v4(octets), prefix: prefix)
            } else {
                guard let bytes = IPAddress.parseIPv6(addressText) else { throw fail("'\(addressText)' is not an IPv6 address") }
                mechanism = .ip6(.v6(bytes), prefix: prefix)
            }
        default:
            if name.contains("=") || term.contains("=") {
                throw fail("not a mechanism, and not a modifier: a modifier name starts with a letter and has only letters, digits, '-', '_' and '.' before '='")
            }
            throw fail("'\(name)' is not a mechanism (all, include, a, mx, ptr, ip4, ip6, exists)")
        }
        return SPFDirective(qualifier: qualifier, mechanism: mechanism, term: term)
    }

    /// Splits `[":" domain-spec] [ "/" ip4-cidr ] [ "//" ip6-cidr ]` (what follows `a` or `mx`).
    static func dualCIDR(_ rest: Substring, term: String) throws(SPFSyntaxError) -> (Substring?, Int?, Int?) {
        var body = rest
        var v4: Int?
        var v6: Int?
        if let slash = body.lastIndex(of: "/"), slash > body.startIndex, body[body.index(before: slash)] == "/",
           body[body.index(after: slash)...].allSatisfy({ $0.isASCII && $0.isNumber }) {
            let start = body.index(before: slash)
            guard let length = cidrLength(body[body.index(after: slash)...], limit: 128) else {
                throw SPFSyntaxError("'\(body[start...])' is not an IPv6 prefix length from 0 to 128", term: term)
            }
            v6 = length
            body = body[..<start]
        }
        if let slash = body.lastIndex(of: "/"), body[body.index(after: slash)...].allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let length = cidrLength(body[body.index(after: slash)...], limit: 32) else {
                throw SPFSyntaxError("'\(body[slash...])' is not an IPv4 prefix length from 0 to 32", term: term)
            }
            v4 = length
            body = body[..<slash]
        }
        if body.isEmpty { return (nil, v4, v6) }
        guard body.first == ":" else { throw SPFSyntaxError("unexpected '\(body)' after the mechanism name", term: term) }
        return (body.dropFirst(), v4, v6)
    }

    /// A prefix length: decimal without leading zeros, at most `limit`.
    static func cidrLength(_ text: Substring, limit: Int) -> Int? {
        guard !text.isEmpty, text.count <= 3, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              text == "0" || text.first != "0", let value = Int(text), value <= limit else { return nil }
        return value
    }

    /// RFC 7208 `domain-spec = macro-string domain-end`, `domain-end = ( "." toplabel [ "." ] ) / macro-expand`.
    static func domainSpec(_ text: String, term: String) throws(SPFSyntaxError) -> SPFMacroString {
        guard !text.isEmpty else { throw SPFSyntaxError("the domain is empty", term: term) }
        let spec: SPFMacroString
        do { spec = try SPFMacroString(parsing: text) } catch { throw SPFSyntaxError(error.message, term: term) }
        if spec.endsWithMacro { return spec }
        var name = Substring(text)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard let dot = name.lastIndex(of: "."), isTopLabel(name[name.index(after: dot)...]) else {
            throw SPFSyntaxError("'\(text)' does not end in a valid top-level label (such as '.nl') or a macro", term: term)
        }
        return spec
    }

    /// RFC 7208 `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`.
    static func isTopLabel(_ label: Substring) -> Bool {
        guard let first = label.first, let last = label.last,
              label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
              first != "-", last != "-" else { return false }
        return label.contains("-") || label.contains { $0.isLetter }
    }
}
