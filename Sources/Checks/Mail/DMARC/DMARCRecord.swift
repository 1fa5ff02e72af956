/// A DMARC policy value (`p`, `sp`, `np`).
public enum DMARCPolicyValue: String, Sendable, Hashable, Codable, CaseIterable {
    case none, quarantine, reject
}

/// One tag as written: name in lower case, value as given.
public struct DMARCTag: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
}

/// A DMARC record parsed the way Internet.nl's parser reads it (`checks/tasks/dmarc_parser.py`).
public struct DMARCRecord: Sendable, Hashable {
    public var text: String
    /// The tags in order, `v` first.
    public var tags: [DMARCTag]

    /// The value of tag `name` (lower case), if present.
    public func value(_ name: String) -> String? {
        tags.first { $0.name == name }?.value
    }

    /// `p=`.
    public var policy: DMARCPolicyValue? { value("p").flatMap { DMARCPolicyValue(rawValue: $0.lowercased()) } }
    /// `sp=`.
    public var subdomainPolicy: DMARCPolicyValue? { value("sp").flatMap { DMARCPolicyValue(rawValue: $0.lowercased()) } }
    /// `t=y` (DMARCbis test mode).
    public var testing: Bool { value("t")?.lowercased() == "y" }

    /// The report destinations of `rua` and `ruf`, each (tag, URI) trimmed.
    public var reportURIs: [(tag: String, uri: String)] {
        tags.filter { $0.name == "rua" || $0.name == "ruf" }.flatMap { tag in
            tag.value.split(separator: ",").map { (tag.name, String($0).trimmingSpaces) }
        }
    }

    /// The host a report URI sends to, as Internet.nl reads it: for a URI without authority
    /// (`mailto:`), the part after `@` up to `!`, lower case, without a trailing dot; nil for a
    /// URI with an authority (`https://…`) or no path.
    public static func reportHost(_ uri: String) -> String? {
        var rest = Substring(uri.trimmingSpaces)
        if let colon = rest.firstIndex(of: ":"), let first = rest.first, first.isASCII, first.isLetter,
           rest[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) {
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") { return nil }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        guard !rest.isEmpty else { return nil }
        var host = rest
        if let at = host.firstIndex(of: "@") {
            host = host[host.index(after: at)...]
            if let bang = host.firstIndex(of: "!") { host = host[..<bang] }
        }
        var result = String(host).trimmingSpaces.lowercased()
        if result.hasSuffix(".") { result.removeLast() }
        return result.isEmpty ? nil : result
    }
}

/// Why a DMARC record does not parse, and the part at fault.
public struct DMARCSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var part: String
    public init(_ message: String, part: String) {
        self.message = message
        self.part = part
    }
    public var description: String { message }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
