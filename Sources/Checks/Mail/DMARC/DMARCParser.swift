/// Internet.nl's DMARC grammar (RFC 7489 §6.4, RFC 9091 `np`, DMARCbis `psd`/`t`), written out
/// as a scanner so every rejection can be explained: `v=DMARC1` (`DMARC1` in upper case), `;`,
/// then `p` (if present, it must be second), then the other known tags in any order, each at
/// most once, separated by `;` with optional spaces, an optional final `;`, and nothing after.
public enum DMARCParser {
    /// Tags Internet.nl knows under a rule set (`np`, `psd`, `t` arrived after 2021).
    public static func knownTags(_ ruleSet: RuleSet) -> Set<String> {
        let base: Set<String> = ["v", "p", "sp", "rua", "ruf", "adkim", "aspf", "ri", "fo", "rf", "pct"]
        return ruleSet == .internetnl2021 ? base : base.union(["np", "psd", "t"])
    }

    public static func parse(_ text: String, ruleSet: RuleSet = .internetnlCurrent) throws(DMARCSyntaxError) -> DMARCRecord {
        var scanner = DMARCScanner(Array(text), ruleSet: ruleSet)
        return DMARCRecord(text: text, tags: try scanner.record())
    }
}

struct DMARCScanner {
    let chars: [Character]
    let ruleSet: RuleSet
    var index = 0

    init(_ chars: [Character], ruleSet: RuleSet) {
        self.chars = chars
        self.ruleSet = ruleSet
    }

    var atEnd: Bool { index >= chars.count }
    var rest: String { String(chars[min(index, chars.count)...]) }

    mutating func spaces() { while !atEnd, chars[index] == " " { index += 1 } }

    mutating func literal(_ word: String, caseless: Bool = true) -> Bool {
        let letters = Array(word)
        guard index + letters.count <= chars.count else { return false }
        for (offset, letter) in letters.enumerated() {
            let here = chars[index + offset]
            guard caseless ? here.lowercased() == letter.lowercased() : here == letter else { return false }
        }
        index += letters.count
        return true
    }

    mutating func record() throws(DMARCSyntaxError) -> [DMARCTag] {
        guard literal("v") else { throw DMARCSyntaxError("the record must start with 'v=DMARC1'", part: String(chars.prefix(8))) }
        spaces()
        guard literal("=") else { throw DMARCSyntaxError("the record must start with 'v=DMARC1'", part: String(chars.prefix(8))) }
        spaces()
        guard literal("DMARC1", caseless: false) else {
            throw DMARCSyntaxError("the version must be 'DMARC1' in upper case, as in 'v=DMARC1;'", part: String(chars.prefix(10)))
        }
        var tags = [DMARCTag(name: "v", value: "DMARC1")]
        spaces()
        guard literal(";") else {
            throw DMARCSyntaxError(atEnd ? "'v=DMARC1' must be followed by ';' (RFC 7489 erratum 5440) and then 'p='"
                                         : "'v=DMARC1' must be followed by ';'", part: "v=DMARC1" + rest)
        }
        spaces()
        var seen: Set<String> = ["v"]
        let save = index
        if let name = tagName(), name == "p" {
            tags.append(try tag(name))
            seen.insert("p")
        } else {
            index = save
            if !atEnd, chars[index] != ";" {
                let found = tagName() ?? rest
                index = save
                throw DMARCSyntaxError("'p=' must be the second tag, right after 'v=DMARC1;' (found '\(found)' there)", part: rest)
            }
        }
        while !atEnd {
            let before = index
            spaces()
            guard literal(";") else {
                let unexpected = String(rest.prefix { $0 != ";" })
                if unexpected.allSatisfy({ $0 == " " }) {
                    throw DMARCSyntaxError("space after the last tag: end the record right after the value, or with ';'", part: tags.last.map { "\($0.name)=\($0.value)" } ?? "")
                }
                index = before
                throw DMARCSyntaxError("unexpected '\(unexpected.trimmingSpaces)': tags are separated by ';'", part: unexpected)
            }
            spaces()
            if atEnd { break }
            let start = index
            guard let name = tagName() else { throw DMARCSyntaxError("expected a tag after ';'", part: rest) }
            if seen.contains(name) {
                throw DMARCSyntaxError(name == "p" ? "'p=' appears twice" : name == "v" ? "'v=DMARC1' may appear only once, first" : "tag '\(name)' appears twice",
                                       part: String(chars[start...].prefix { $0 != ";" }))
            }
            if name == "p" { throw DMARCSyntaxError("'p=' must be the second tag, right after 'v=DMARC1;'", part: String(chars[start...].prefix { $0 != ";" })) }
            guard DMARCParser.knownTags(ruleSet).contains(name) else {
                throw DMARCSyntaxError("unknown tag '\(name)' (known: \(DMARCParser.knownTags(ruleSet).sorted().joined(separator: ", ")))",
                                       part: String(chars[start...].prefix { $0 != ";" }))
            }
            seen.insert(name)
            tags.append(try tag(name))
        }
        return tags
    }

    /// A tag name followed by optional spaces and `=`, lower-cased; nil if there is none.
    mutating func tagName() -> String? {
        let start = index
        while !atEnd, chars[index].isASCII, chars[index].isLetter || chars[index].isNumber { index += 1 }
        let name = String(chars[start..<index]).lowercased()
        spaces()
        guard !name.isEmpty, literal("=") else { index = start; return nil }
        spaces()
        return name
    }
}
