/// Parses one set file line by line, so a list of any length is read without holding it:
/// the caller reads the lines (without their line breaks) and hands them over in order. Pure.
///
/// The first line decides the format (``SeedList/format(ofHeader:)``); a CSV header that cannot
/// be read refuses the whole file (one problem, on line 1). Every bad line after it is kept in
/// ``problems`` with its number, so a refused file names all of them, as ``SeedList/parse(_:)-([SeedFile])`` does.
public struct SeedLineParser: Sendable {
    /// The file's name, for the problems.
    public let fileName: String
    /// Every bad line so far.
    public private(set) var problems: [SeedListError.Problem] = []
    private var header: Header?
    private var lineNumber = 0
    private var headerRefused = false

    public init(fileName: String) {
        self.fileName = fileName
    }

    /// The entry of the next line, if it has one (blank lines, comments and the header have
    /// none; nor has a bad line, which is added to ``problems``).
    public mutating func parse(line text: String) -> SetEntry? {
        lineNumber += 1
        guard !headerRefused else { return nil }
        var line = text
        if lineNumber == 1 {
            if line.hasPrefix("\u{FEFF}") { line = String(line.dropFirst()) }
            let format = SeedList.format(ofHeader: line)
            do {
                header = try Header(format: format, line: format == .plain ? "" : line)
            } catch {
                problems.append(.init(file: fileName, line: 1, why: error.why))
                headerRefused = true
                return nil
            }
            guard format == .plain else { return nil }
        }
        guard let header, !line.trimmingWhitespace().isEmpty else { return nil }
        do {
            return try Self.parseLine(line, header: header)
        } catch {
            problems.append(.init(file: fileName, line: lineNumber, why: error.why))
            return nil
        }
    }

    struct LineError: Error { var why: String }

    /// A CSV header: its width, and which columns are the layer, the web host, the organisation and tags.
    struct Header {
        var format: SeedFormat
        var width = 0
        var layer: Int?
        var webHost: Int?
        var organisation: Int?
        var tags: [(index: Int, name: String)] = []

        init(format: SeedFormat, line: String) throws(LineError) {
            self.format = format
            guard format == .broad || format == .tagged else {
                width = format == .plain ? 0 : CSVLine.fields(of: line).count
                return
            }
            let names = CSVLine.fields(of: line).map { $0.trimmingWhitespace() }
            width = names.count
            var seen: [String: String] = [:]
            for (index, header) in names.enumerated().dropFirst() {
                guard let name = SetTags.name(header) else { throw LineError(why: "column \(index + 1) '\(header)' has no name to tag with") }
                if format == .broad && index == 1 || format == .tagged && name == "layer" { layer = index; continue }
                if format == .tagged && name == "web_host" { webHost = index; continue }
                if let earlier = seen[name] { throw LineError(why: "columns '\(earlier)' and '\(header)' are both tag '\(name)'") }
                seen[name] = header
                if name == "agency" || name == "organisation" { organisation = organisation ?? index }
                tags.append((index, name))
            }
        }
    }

    static func parseLine(_ line: String, header: Header) throws(LineError) -> SetEntry? {
        let format = header.format, width = header.width
        if format == .plain {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            // A domain, optionally followed by the web host to test for it (default www.<domain>).
            let words = content.split(whereSeparator: \.isWhitespace).map(String.init)
            switch words.count {
            case 0: return nil
            case 1: return SetEntry(domain: try domain(words[0]))
            case 2: return SetEntry(domain: try domain(words[0]), webHost: try domain(words[1]))
            default: throw LineError(why: "'\(words.joined(separator: " "))' is not a domain with an optional web host")
            }
        }
        let fields = CSVLine.fields(of: line).map { $0.trimmingWhitespace() }
        guard fields.count == width else {
            throw LineError(why: "has \(fields.count) columns, expected \(width)")
        }
        switch format {
        case .primaryWeb, .primaryMail:
            guard let layer = Layer(rawValue: fields[1].lowercased()) else {
                throw LineError(why: "unknown layer '\(fields[1])'")
            }
            let name = try domain(fields[0])
            if format == .primaryMail {
                return SetEntry(domain: name, layer: layer, testsWeb: false, testsMail: true)
            }
            var bare = name
            if name.value.hasPrefix("www.") { bare = try domain(String(name.value.dropFirst(4))) }
            return SetEntry(domain: bare, layer: layer, webHost: name, testsWeb: true, testsMail: false)
        case .broad, .tagged:
            var layer: Layer?
            if let index = header.layer, !fields[index].isEmpty {
                let text = fields[index].lowercased()
                layer = format == .broad ? SeedList.broadDomainTypes[text] : Layer(rawValue: text) ?? SeedList.broadDomainTypes[text]
                guard layer != nil else { throw LineError(why: "unknown \(format == .broad ? "domain type" : "layer") '\(fields[index])'") }
            }
            if format == .broad && layer == nil { throw LineError(why: "unknown domain type ''") }
            var tags: [String: String] = [:]
            for (index, name) in header.tags where !fields[index].isEmpty { tags[name] = fields[index] }
            var webHost: DomainName?
            if let index = header.webHost, !fields[index].isEmpty { webHost = try domain(fields[index]) }
            let organisation = header.organisation.flatMap { fields[$0].isEmpty ? nil : fields[$0] }
            return SetEntry(domain: try domain(fields[0]), layer: layer, organisation: organisation, webHost: webHost, tags: tags)
        case .plain:
            return nil
        }
    }

    static func domain(_ text: String) throws(LineError) -> DomainName {
        do {
            return try DomainName(parsing: text)
        } catch {
            throw LineError(why: "bad domain '\(text)': \(error.why)")
        }
    }
}
