import CIDN2

/// A normalised, validated DNS domain name: lower case, no trailing dot, internationalised
/// labels in their ASCII (punycode `xn--`) form.
///
/// `DomainName(parsing:)` is the only way in, so every value of this type is a name Peil can
/// measure. It encodes and decodes as a single JSON string (decoding validates again).
public struct DomainName: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The normalised name, e.g. `"xn--bcher-kva.example"`.
    public let value: String

    /// Longest name in presentation form without the trailing dot (RFC 1035: 255 octets on the
    /// wire, which is 253 characters written out).
    public static let maximumLength = 253
    /// Longest label (RFC 1035).
    public static let maximumLabelLength = 63

    /// Normalises and validates `text`.
    ///
    /// Normalisation: trim surrounding whitespace, lower case, strip one trailing dot, convert
    /// Unicode (U-label) names to ASCII A-labels with IDNA2008 + UTS #46 non-transitional
    /// processing (libidn2). Validation: at most 253 characters, at least two labels, each label
    /// 1–63 letters, digits or hyphens and not starting or ending with a hyphen, and a top-level
    /// label that is not all digits.
    /// - Throws: ``DomainNameError`` saying why the name is not acceptable.
    public init(parsing text: String) throws(DomainNameError) {
        var name = text.trimmingWhitespace()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty else { throw DomainNameError(input: text, reason: .empty) }
        if name.unicodeScalars.contains(where: { !$0.isASCII }) {
            name = try Self.toASCII(name, input: text)
        }
        name = name.lowercased()
        try Self.validate(name, input: text)
        self.value = name
    }

    /// The labels from left to right, e.g. `["www", "example", "nl"]`.
    public var labels: [Substring] { value.split(separator: ".", omittingEmptySubsequences: false) }

    /// The top-level label, e.g. `"nl"`.
    public var topLevelLabel: Substring { labels.last ?? "" }

    public var description: String { value }

    public static func < (lhs: DomainName, rhs: DomainName) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    private static func toASCII(_ name: String, input: String) throws(DomainNameError) -> String {
        var output: UnsafeMutablePointer<CChar>?
        let flags = Int32(IDN2_NONTRANSITIONAL.rawValue | IDN2_NFC_INPUT.rawValue)
        let status = idn2_to_ascii_8z(name, &output, flags)
        defer { idn2_free(output) }
        guard status == Int32(IDN2_OK.rawValue), let output else {
            let why = idn2_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            throw DomainNameError(input: input, reason: .internationalised(why))
        }
        return String(cString: output)
    }

    private static func validate(_ name: String, input: String) throws(DomainNameError) {
        func fail(_ reason: DomainNameError.Reason) -> DomainNameError {
            DomainNameError(input: input, reason: reason)
        }
        guard name.utf8.count <= maximumLength else { throw fail(.tooLong(name.utf8.count)) }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { throw fail(.emptyLabel) }
            guard label.utf8.count <= maximumLabelLength else {
                throw fail(.labelTooLong(String(label), label.utf8.count))
            }
            guard label.utf8.allSatisfy(Self.isLetterDigitHyphen) else {
                throw fail(.badCharacter(label: String(label)))
            }
            guard label.first != "-", label.last != "-" else {
                throw fail(.hyphenAtEdge(label: String(label)))
            }
        }
        guard labels.count >= 2 else { throw fail(.singleLabel) }
        if let top = labels.last, top.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            throw fail(.numericTopLevel(String(top)))
        }
    }

    private static func isLetterDigitHyphen(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D
    }
}

/// Why a text is not an acceptable ``DomainName``.
public struct DomainNameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text as it was given.
    public var input: String
    public var reason: Reason

    /// The rule the name breaks.
    public enum Reason: Hashable, Sendable {
        case empty
        /// The name has this many characters, over 253.
        case tooLong(Int)
        /// Two dots in a row, or a leading dot.
        case emptyLabel
        /// The label and its length, over 63.
        case labelTooLong(String, Int)
        case badCharacter(label: String)
        case hyphenAtEdge(label: String)
        /// A bare label such as `localhost`; Peil measures registered names.
        case singleLabel
        case numericTopLevel(String)
        /// libidn2 refused the Unicode name; its explanation.
        case internationalised(String)
    }

    public init(input: String, reason: Reason) {
        self.input = input
        self.reason = reason
    }

    /// Why, in words, e.g. "label 'a_b' has a character other than letter, digit or hyphen".
    public var why: String {
        switch reason {
        case .empty: "the name is empty"
        case .tooLong(let length): "the name is \(length) characters long, over \(DomainName.maximumLength)"
        case .emptyLabel: "the name has an empty label (two dots in a row or a leading dot)"
        case .labelTooLong(let label, let length):
            "label '\(label.prefix(20))…' is \(length) characters long, over \(DomainName.maximumLabelLength)"
        case .badCharacter(let label): "label '\(label)' has a character other than letter, digit or hyphen"
        case .hyphenAtEdge(let label): "label '\(label)' starts or ends with a hyphen"
        case .singleLabel: "the name has a single label; at least two are needed"
        case .numericTopLevel(let top): "top-level label '\(top)' is all digits"
        case .internationalised(let why): "the internationalised name cannot be converted to ASCII: \(why)"
        }
    }

    public var description: String { "'\(input)' is not a valid domain name: \(why)" }
}

/// The government layer an organisation belongs to, as the Dutch measurement reports group them.
public enum Layer: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    /// Ministries and other core central government.
    case rijk
    /// Executive agencies (uitvoeringsorganisaties).
    case uitvoerders
    case provincies
    case waterschappen
    case gemeenten
    /// Joint arrangements of municipalities and others.
    case gemeenschappelijkeRegelingen = "gemeenschappelijke_regelingen"
    case overige

    /// Declaration order, which is the order reports list layers in.
    public static func < (lhs: Layer, rhs: Layer) -> Bool {
        let order = Layer.allCases
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

extension String {
    /// The text without leading and trailing whitespace and newlines (no Foundation needed).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
