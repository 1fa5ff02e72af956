/// A macro-string of RFC 7208 §7.1, parsed: literal text and macro expansions.
public struct SPFMacroString: Sendable, Hashable, CustomStringConvertible {
    /// One piece of a macro-string.
    public enum Token: Sendable, Hashable {
        /// Literal text; `%%`, `%_` and `%-` are already literal here (`%`, space, `%20`).
        case literal(String)
        /// `%{letter digits r delimiters}`.
        case macro(Macro)
    }

    /// One `%{…}` expansion.
    public struct Macro: Sendable, Hashable {
        /// The macro letter, lower case.
        public var letter: Character
        /// Upper-case letter: the value is URL-escaped after expansion.
        public var escaped: Bool
        /// Keep only this many right-hand parts.
        public var keep: Int?
        public var reversed: Bool
        /// Characters to split on; `.` when none were given.
        public var delimiters: Set<Character>
    }

    public var tokens: [Token]
    /// The text as written.
    public var text: String
    public var description: String { text }

    /// Letters allowed in a domain-spec; `c`, `r` and `t` are allowed only in explanations.
    static let domainLetters: Set<Character> = ["s", "l", "o", "d", "i", "p", "h", "v"]
    static let explanationLetters: Set<Character> = domainLetters.union(["c", "r", "t"])
    static let delimiterCharacters: Set<Character> = [".", "-", "+", ",", "/", "_", "="]

    /// Parses `text`. `explanation` allows spaces and the letters c, r, t (an `exp` TXT
    /// record); otherwise only visible ASCII and the domain letters are allowed.
    public init(parsing text: String, explanation: Bool = false) throws(SPFMacroError) {
        try self.init(parsing: text, letters: explanation ? Self.explanationLetters : Self.domainLetters, spaces: explanation)
    }

    /// Parses with the given macro letters allowed, and spaces if `spaces`.
    init(parsing text: String, letters: Set<Character>, spaces: Bool) throws(SPFMacroError) {
        self.text = text
        let explanation = spaces
        var tokens: [Token] = []
        var literal = ""
        var index = text.startIndex
        func flush() {
            if !literal.isEmpty { tokens.append(.literal(literal)); literal = "" }
        }
        while index < text.endIndex {
            let character = text[index]
            guard let ascii = character.asciiValue, ascii >= 0x20, ascii <= 0x7E, ascii != 0x20 || explanation else {
                throw SPFMacroError("character \(Self.show(character)) is not allowed")
            }
            guard character == "%" else {
                literal.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            guard next < text.endIndex else { throw SPFMacroError("'%' at the end: write '%%' for a percent sign") }
            switch text[next] {
            case "%": literal += "%"; index = text.index(after: next)
            case "_": literal += " "; index = text.index(after: next)
            case "-": literal += "%20"; index = text.index(after: next)
            case "{":
                guard let close = text[next...].firstIndex(of: "}") else { throw SPFMacroError("'%{' without '}'") }
                let body = text[text.index(after: next)..<close]
                flush()
                tokens.append(.macro(try Self.macro(body, letters: letters)))
                index = text.index(after: close)
            default:
                throw SPFMacroError("'%' must be followed by '{', '%', '_' or '-', not \(Self.show(text[next]))")
            }
        }
        flush()
        self.tokens = tokens
    }

    private static func macro(_ body: Substring, letters: Set<Character>) throws(SPFMacroError) -> Macro {
        guard let first = body.first, first.isASCII, first.isLetter else { throw SPFMacroError("'%{\(body)}' has no macro letter") }
        let letter = Character(first.lowercased())
        guard letters.contains(letter) else {
            let onlyExplanation = explanationLetters.contains(letter)
            throw SPFMacroError(onlyExplanation ? "macro '%{\(first)}' is allowed only in an explanation (exp) text"
                                               : "'%{\(first)}' is not a macro letter")
        }
        var rest = body.dropFirst()
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        rest = rest.dropFirst(digits.count)
        var keep: Int?
        if !digits.isEmpty {
            guard let value = Int(digits.prefix(6)), value > 0 else { throw SPFMacroError("'%{\(body)}': the number of parts must be at least 1") }
            keep = value
        }
        var reversed = false
        if let r = rest.first, r == "r" || r == "R" { reversed = true; rest = rest.dropFirst() }
        var delimiters = Set<Character>()
        for character in rest {
            guard delimiterCharacters.contains(character) else { throw SPFMacroError("'%{\(body)}': '\(character)' is not a delimiter") }
            delimiters.insert(character)
        }
        return Macro(letter: letter, escaped: first.isUppercase, keep: keep, reversed: reversed,
                     delimiters: delimiters.isEmpty ? ["."] : delimiters)
    }

    /// Whether the string ends in a macro expansion (the `macro-expand` alternative of RFC 7208
    /// `domain-end`).
    var endsWithMacro: Bool {
        if case .macro = tokens.last { return true }
        return text.hasSuffix("%%") || text.hasSuffix("%_") || text.hasSuffix("%-")
    }

    /// Expands with `value(letter)` giving the raw value of each macro letter.
    public func expand(_ value: (Character) async -> String) async -> String {
        var result = ""
        for token in tokens {
            switch token {
            case .literal(let text): result += text
            case .macro(let macro): result += Self.transform(await value(macro.letter), macro)
            }
        }
        return result
    }

    static func transform(_ raw: String, _ macro: Macro) -> String {
        var parts = raw.split(omittingEmptySubsequences: false) { macro.delimiters.contains($0) }.map(String.init)
        if macro.reversed { parts.reverse() }
        if let keep = macro.keep, keep < parts.count { parts = Array(parts.suffix(keep)) }
        let joined = parts.joined(separator: ".")
        return macro.escaped ? urlEscape(joined) : joined
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func urlEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    static func show(_ character: Character) -> String {
        if let ascii = character.asciiValue, ascii >= 0x21, ascii <= 0x7E { return "'\(character)'" }
        return character.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
    }
}

/// Why a macro-string is malformed.
public struct SPFMacroError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
