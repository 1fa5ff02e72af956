import Foundation
import PeilModel

/// Reads the government report's published results (`primary-2021-03/web.csv`, `mail.csv`):
/// `domain,layer,formal_reaction,` then one column per standard holding a status word. Pure.
///
/// All or nothing: a file with any bad line is refused, naming every bad line as
/// `file:line: why` (a wrong number of columns, an unknown layer, a bad domain, a word that is
/// not a status word, a domain given twice).
public enum PublishedResults {
    public static func parse(_ files: [SeedFile]) throws(SeedListError) -> [PublishedRow] {
        var rows: [PublishedRow] = []
        var problems: [SeedListError.Problem] = []
        for file in files {
            let parsed = parse(file)
            rows += parsed.rows
            problems += parsed.problems
        }
        if problems.isEmpty && rows.isEmpty {
            problems.append(.init(file: files.map(\.name).joined(separator: ", "), line: nil, why: "no results"))
        }
        guard problems.isEmpty else { throw SeedListError(problems: problems) }
        return rows
    }

    static func parse(_ file: SeedFile) -> (rows: [PublishedRow], problems: [SeedListError.Problem]) {
        var lines = file.text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.map(String.init)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        func problem(_ line: Int?, _ why: String) -> SeedListError.Problem { .init(file: file.name, line: line, why: why) }
        let header = CSVLine.fields(of: lines.first ?? "").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let test: BulkTest
        switch SeedList.format(ofHeader: lines.first ?? "") {
        case .primaryWeb: test = .web
        case .primaryMail: test = .mail
        default:
            return ([], [problem(1, "not a published results file: the header is not 'domain,layer,formal_reaction,…' of web.csv or mail.csv")])
        }
        let columns = Array(header.dropFirst(3))
        if let bad = columns.first(where: { $0.isEmpty || !$0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) {
            return ([], [problem(1, "column name '\(bad)' is not a bulk column name")])
        }
        if Set(columns).count != columns.count { return ([], [problem(1, "a column is named twice")]) }
        var rows: [PublishedRow] = []
        var problems: [SeedListError.Problem] = []
        var seen: [String: Int] = [:]
        for (index, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let number = index + 1
            let fields = CSVLine.fields(of: line).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == header.count else {
                problems.append(problem(number, "has \(fields.count) columns, expected \(header.count)"))
                continue
            }
            var why: [String] = []
            let name = try? DomainName(parsing: fields[0])
            if name == nil { why.append("bad domain '\(fields[0])'") }
            let layer = Layer(rawValue: fields[1].lowercased())
            if layer == nil { why.append("unknown layer '\(fields[1])'") }
            let reaction = fields[2].lowercased()
            if reaction != "yes" && reaction != "no" { why.append("formal_reaction '\(fields[2])' is not yes or no") }
            var statuses: [String: Status] = [:]
            for (column, word) in zip(columns, fields.dropFirst(3)) {
                if let status = Status(rawValue: word) { statuses[column] = status } else { why.append("\(column): '\(word)' is not a status word") }
            }
            if let name, let earlier = seen[name.value] { why.append("\(name.value) is already on line \(earlier)") }
            guard why.isEmpty, let name, let layer else {
                problems.append(problem(number, why.joined(separator: "; ")))
                continue
            }
            seen[name.value] = number
            let domain = test == .web && name.value.hasPrefix("www.") ? String(name.value.dropFirst(4)) : name.value
            rows.append(PublishedRow(domain: domain, host: name.value, test: test, layer: layer, formalReaction: reaction == "yes",
                                     statuses: statuses))
        }
        return (rows, problems)
    }

    /// The rows as a measurement: one domain per name with both tests' cells and the layer each
    /// test was published under.
    public static func measurement(_ rows: [PublishedRow], id: Int64?, name: String, date: String, ruleSet: String,
                                   sourceSet: String?) -> MeasurementInput {
        var domains: [String: MeasuredDomain] = [:]
        for row in rows {
            var domain = domains[row.domain] ?? MeasuredDomain(domain: row.domain, cells: [:])
            for (column, status) in row.statuses {
                domain.cells[BulkColumnID(row.test, column).key] = StatusCell(status, "as published for \(row.host) on \(date)")
            }
            domain.publishedLayers[row.test.rawValue] = row.layer
            if row.formalReaction { domain.formalReactions.insert(row.test.rawValue) }
            domains[row.domain] = domain
        }
        return MeasurementInput(id: id, name: name, date: date, ruleSet: ruleSet, imported: true, sourceSet: sourceSet,
                                domains: domains.values.sorted { $0.domain < $1.domain })
    }
}
