/// The value grammars of the DMARC tags.
extension DMARCScanner {
    mutating func tag(_ name: String) throws(DMARCSyntaxError) -> DMARCTag {
        let start = index
        let ok: Bool
        switch name {
        case "p", "sp", "np": ok = oneOf(["none", "quarantine", "reject"])
        case "t": ok = oneOf(["y", "n"])
        case "psd": ok = oneOf(["y", "n", "u"])
        case "adkim", "aspf": ok = oneOf(["r", "s"])
        case "ri": ok = digits(max: nil)
        case "pct": ok = digits(max: 3)
        case "fo": ok = list(separator: ":", spacesAfter: true) { (me: inout DMARCScanner) in me.oneOf(["0", "1", "d", "s"]) }
        case "rf": ok = list(separator: ":", spacesAfter: false) { (me: inout DMARCScanner) in me.keyword() }
        case "rua", "ruf": ok = try uriList(name)
        default: ok = false
        }
        let value = String(chars[start..<index])
        let following = index < chars.count ? chars[index] : ";"
        guard ok, following == ";" || following == " " else {
            let written = String(chars[start...].prefix { $0 != ";" }).trimmingSpaces
            throw DMARCSyntaxError("invalid value '\(written)' for '\(name)': \(Self.expected(name))", part: "\(name)=\(written)")
        }
        return DMARCTag(name: name, value: value)
    }

    static func expected(_ name: String) -> String {
        switch name {
        case "p", "sp", "np": "use none, quarantine or reject"
        case "t": "use y or n"
        case "psd": "use y, n or u"
        case "adkim", "aspf": "use r or s"
        case "ri": "use a number of seconds"
        case "pct": "use a number from 0 to 100"
        case "fo": "use 0, 1, d or s, separated by ':'"
        case "rf": "use report format names separated by ':'"
        default: "use URIs such as mailto:dmarc@example.nl, separated by ','"
        }
    }

    mutating func oneOf(_ words: [String]) -> Bool {
        words.contains { literal($0) }
    }

    mutating func digits(max: Int?) -> Bool {
        let start = index
        while !atEnd, chars[index].isASCII, chars[index].isNumber { index += 1 }
        let count = index - start
        return count > 0 && (max.map { count <= $0 } ?? true)
    }

    /// `keyword = 1*(ALPHA / DIGIT / "-")`, not ending in `-`.
    mutating func keyword() -> Bool {
        let start = index
        while !atEnd, chars[index].isASCII, chars[index].isLetter || chars[index].isNumber || chars[index] == "-" { index += 1 }
        return index > start && chars[index - 1] != "-"
    }

    mutating func list(separator: Character, spacesAfter: Bool, item: (inout DMARCScanner) -> Bool) -> Bool {
        guard item(&self) else { return false }
        while true {
            let save = index
            spaces()
            guard !atEnd, chars[index] == separator else { index = save; return true }
            index += 1
            if spacesAfter { spaces() }
            guard item(&self) else { index = save; return true }
        }
    }

    /// `uri *(WSP "," WSP uri)`; each `uri` is `[^ ,;]+` with at most one `!size` suffix
    /// (digits first) and, under `internetnl-current`, a scheme such as `mailto:`.
    mutating func uriList(_ name: String) throws(DMARCSyntaxError) -> Bool {
        func uri(_ me: inout DMARCScanner) -> String? {
            let start = me.index
            while !me.atEnd, !" ,;".contains(me.chars[me.index]) { me.index += 1 }
            return me.index > start ? String(me.chars[start..<me.index]) : nil
        }
        var uris: [String] = []
        let ok = list(separator: ",", spacesAfter: true) { (me: inout DMARCScanner) in
            guard let text = uri(&me) else { return false }
            uris.append(text)
            return true
        }
        for text in uris {
            let parts = text.split(separator: "!", omittingEmptySubsequences: false)
            if parts.count > 2 { throw DMARCSyntaxError("'\(text)' has more than one '!': encode it as %21", part: "\(name)=\(text)") }
            if parts.count == 2, !(parts[1].first.map { $0.isASCII && $0.isNumber } ?? false) {
                throw DMARCSyntaxError("'\(text)': after '!' comes a size such as 10m", part: "\(name)=\(text)")
            }
            if ruleSet == .internetnlCurrent, !Self.hasScheme(String(parts[0])) {
                throw DMARCSyntaxError("'\(text)' has no URI scheme: write mailto:\(text)", part: "\(name)=\(text)")
            }
        }
        return ok
    }

    /// Whether a URI starts with a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"`).
    static func hasScheme(_ uri: String) -> Bool {
        guard let colon = uri.firstIndex(of: ":"), let first = uri.first, first.isASCII, first.isLetter else { return false }
        return uri[..<colon].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }
}
