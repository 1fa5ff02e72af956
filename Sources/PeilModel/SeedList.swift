/// One domain of a set: what a set file says about it.
public struct SetEntry: Hashable, Sendable, Codable {
    public var domain: DomainName
    public var layer: Layer?
    /// The organisation that holds the domain (the broad list's `Agency`).
    public var organisation: String?
    /// The web host to test when it is not `www.<domain>` (a portal such as `mijn.digid.nl`).
    /// nil means `www.<domain>`; ``effectiveWebHost`` spells it out.
    public var webHost: DomainName?
    /// The set asks for the website test of this domain.
    public var testsWeb: Bool
    /// The set asks for the e-mail test of this domain.
    public var testsMail: Bool
    /// The list's extra columns, by tag name (``SetTags/name(_:)``): `agency` → `Ministerie van …`.
    public var tags: [String: String]

    public init(domain: DomainName, layer: Layer? = nil, organisation: String? = nil,
                webHost: DomainName? = nil, testsWeb: Bool = true, testsMail: Bool = true, tags: [String: String] = [:]) {
        self.domain = domain
        self.layer = layer
        self.organisation = organisation
        self.webHost = webHost
        self.testsWeb = testsWeb
        self.testsMail = testsMail
        self.tags = tags
    }

    /// The web host to measure: ``webHost``, or `www.<domain>`.
    public var effectiveWebHost: String { webHost?.value ?? "www." + domain.value }
}

/// The file formats a set can be imported from, recognised by their header line.
public enum SeedFormat: String, Sendable, CaseIterable {
    /// Primary `web.csv`: `domain,layer,formal_reaction,…,tls_available,…`; one web host a row.
    case primaryWeb = "primary web.csv"
    /// Primary `mail.csv`: `domain,layer,formal_reaction,dmarc,…`; one mail domain a row.
    case primaryMail = "primary mail.csv"
    /// Broad `domains.csv`: `Domain Name,Domain Type,Agency`, optionally more columns (tags).
    case broad = "broad domains.csv"
    /// A CSV list with a header whose first column is `domain`: an optional `layer` (a layer or
    /// a broad domain type) and `web_host`, every other column a tag.
    case tagged = "tagged list"
    /// One domain a line, optionally followed by its web host; `#` starts a comment; blank lines are ignored.
    case plain = "plain list"
}

/// A file given to ``SeedList/parse(_:)``: its name (for messages) and its text.
public struct SeedFile: Sendable, Hashable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// Why a set file was refused: every bad line, with its number and what is wrong with it.
public struct SeedListError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One refused line (or, with `line` nil, a problem with the file as a whole).
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        public var file: String
        /// 1-based line number, counting the header.
        public var line: Int?
        public var why: String

        public init(file: String, line: Int?, why: String) {
            self.file = file
            self.line = line
            self.why = why
        }

        public var description: String {
            line.map { "\(file):\($0): \(why)" } ?? "\(file): \(why)"
        }
    }

    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        let count = problems.count
        let head = "set refused, nothing imported: \(count) problem\(count == 1 ? "" : "s")"
        return ([head] + problems.map { "  " + $0.description }).joined(separator: "\n")
    }
}

/// Parses set files into ``SetEntry`` values. Pure: it takes the files' text, never reads them.
///
/// A file with any bad line is refused as a whole, naming every bad line. Rows naming the same
/// domain (after normalisation) merge into one entry: the tests asked for add up, and the first
/// layer, organisation and web host given win, per tag the first value given.
///
/// Tags: in the broad and the tagged formats every column but the domain, the layer (`layer`,
/// the broad list's `Domain Type`) and `web_host` is a tag, named by ``SetTags/name(_:)``;
/// an empty value sets no tag. `Agency` (or `organisation`) also gives the organisation.
public enum SeedList {
    /// The domain types of the broad list and the layers they map to.
    public static let broadDomainTypes: [String: Layer] = [
        "rijksoverheid": .rijk, "gemeenten": .gemeenten, "provincies": .provincies,
        "waterschappen": .waterschappen, "gemeenschappelijke regelingen": .gemeenschappelijkeRegelingen,
    ]

    /// The format of a file, from its first line.
    public static func format(ofHeader header: String) -> SeedFormat {
        let columns = CSVLine.fields(of: header).map { $0.trimmingWhitespace().lowercased() }
        if columns.starts(with: ["domain", "layer", "formal_reaction"]) {
            if columns.contains("tls_available") { return .primaryWeb }
            if columns.contains("dmarc") { return .primaryMail }
        }
        if columns.starts(with: ["domain name", "domain type", "agency"]) { return .broad }
        if columns.count >= 2 && columns[0] == "domain" { return .tagged }
        return .plain
    }

    /// Parses one file, detecting its format from the header line.
    /// - Throws: ``SeedListError`` listing every bad line.
    public static func parse(_ text: String, fileName: String = "input") throws(SeedListError) -> [SetEntry] {
        try parse([SeedFile(name: fileName, text: text)])
    }

    /// Parses several files into one set (a primary folder's `web.csv` and `mail.csv`).
    /// - Throws: ``SeedListError`` listing every bad line of every file.
    public static func parse(_ files: [SeedFile]) throws(SeedListError) -> [SetEntry] {
        var entries: [SetEntry] = []
        var problems: [SeedListError.Problem] = []
        for file in files {
            var parser = SeedLineParser(fileName: file.name)
            // "\r\n" is one Character in Swift, so a split on "\n" alone would miss CRLF files.
            for line in file.text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
                if let entry = parser.parse(line: String(line)) { entries.append(entry) }
            }
            problems += parser.problems
        }
        try refuse(problems, entries: entries.count, files: files.map(\.name))
        return merge(entries)
    }

    /// Throws what a whole import of `files` is refused for: every problem, or "no domains"
    /// when the files gave no entry at all (the end of ``parse(_:)-([SeedFile])`` and of a
    /// streamed import alike).
    public static func refuse(_ problems: [SeedListError.Problem], entries: Int, files: [String]) throws(SeedListError) {
        var problems = problems
        if problems.isEmpty && entries == 0 {
            problems.append(.init(file: files.joined(separator: ", "), line: nil, why: "no domains"))
        }
        guard problems.isEmpty else { throw SeedListError(problems: problems) }
    }

    /// Merges entries for the same domain, sorted by domain.
    public static func merge(_ entries: [SetEntry]) -> [SetEntry] {
        var merged: [DomainName: SetEntry] = [:]
        for entry in entries {
            guard var existing = merged[entry.domain] else {
                merged[entry.domain] = entry
                continue
            }
            existing.layer = existing.layer ?? entry.layer
            existing.organisation = existing.organisation ?? entry.organisation
            existing.webHost = existing.webHost ?? entry.webHost
            existing.testsWeb = existing.testsWeb || entry.testsWeb
            existing.testsMail = existing.testsMail || entry.testsMail
            existing.tags.merge(entry.tags) { first, _ in first }
            merged[entry.domain] = existing
        }
        return merged.values.sorted { $0.domain < $1.domain }
    }
}

/// Splits one CSV line (RFC 4180 quoting within a line: `"a, b"`, `""` for a quote).
public enum CSVLine {
    /// The fields of `line`, unquoted.
    public static func fields(of line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            switch character {
            case "\"" where quoted:
                // A doubled quote inside quotes is a literal quote; a single one ends the quoting.
                var lookahead = iterator
                if lookahead.next() == "\"" { current.append("\""); iterator = lookahead } else { quoted = false }
            case "\"" where current.isEmpty: quoted = true
            case "," where !quoted:
                fields.append(current)
                current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
