import Foundation
import PeilModel

/// Measured bulk-column statuses compared with a twin's ground truth, per column and per cell
/// (what `peil lab compare` prints; the demo, `ops/twin-measure`, `ops/mail-columns` and the
/// twin integration test all use it).
///
/// Inputs are read as the JSON the commands write, decoded into local types keyed by strings:
/// the truth is `peil lab truth --json` (per domain, `web` and `mail` maps of column to
/// `{status, because, derived?}`); the results are JSON lines, either `peil results --format
/// jsonl` (per domain, `web` and `mail` maps of column to `{status, because}`) or
/// `peil resolve --mail-columns` (the mail columns flat on the line, causes in `because`; a
/// line `{"domain": …, "failed": true}` for a domain whose run failed). Every column that both
/// sides have is compared; a cell agrees when the measured status is the truth's status or its
/// `derived` status (the truth keeps a few March 2021 quirks as reported; `derived` is the
/// rule's status). A failed domain disagrees, as `missing`, in every column the file measured.
public struct TwinComparison: Sendable, Equatable {
    /// One disagreeing domain.
    public struct Case: Sendable, Equatable {
        public var domain: String
        public var truthBecause: String
        public var measuredBecause: String
    }

    /// The domains where one column's truth and measured statuses disagree the same way.
    public struct Disagreement: Sendable, Equatable {
        public var column: BulkColumnID
        public var truth: Status
        /// Nil when the domain's run failed (printed `missing`).
        public var measured: Status?
        public var cases: [Case]
    }

    /// Agreeing cells per column.
    public var agreeing: [BulkColumnID: Int]
    /// Compared cells per column.
    public var compared: [BulkColumnID: Int]
    /// Most domains first (ties in the order first met).
    public var disagreements: [Disagreement]
    /// Result lines read (domains measured).
    public var measuredDomains: Int

    public var cells: Int { compared.values.reduce(0, +) }
    public var agreeingCells: Int { agreeing.values.reduce(0, +) }
    /// Whether every compared cell agrees.
    public var agreesEverywhere: Bool { disagreements.isEmpty }

    /// Compares `results` (JSON lines) with `truth` (a JSON array).
    /// - Throws: `DecodingError` for a malformed truth or result line, or a status that is not
    ///   one of the ten words.
    public static func compare(truth: Data, results: Data) throws -> TwinComparison {
        let truthDomains = try JSONDecoder().decode([TruthDomain].self, from: truth)
        var expected: [String: TruthDomain] = [:]
        for domain in truthDomains { expected[domain.domain] = domain }
        let lines = try String(decoding: results, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("{") }
            .map { try JSONDecoder().decode(MeasuredDomain.self, from: Data($0.utf8)) }
        // The columns this file measured, for the domains whose run failed.
        var measuredColumns: [BulkTest: Set<String>] = [:]
        for line in lines {
            for (part, cells) in line.parts { measuredColumns[part, default: []].formUnion(cells.keys) }
        }

        var comparison = TwinComparison(agreeing: [:], compared: [:], disagreements: [], measuredDomains: lines.count)
        var groupIndex: [String: Int] = [:]
        for line in lines {
            guard let truth = expected[line.domain] else { continue }
            var parts = line.parts
            if line.failed {
                for (part, columns) in measuredColumns {
                    parts[part] = Dictionary(uniqueKeysWithValues: columns.map { ($0, MeasuredCell(status: nil, because: "")) })
                }
            }
            for part in BulkTest.allCases {
                for (name, cell) in (parts[part] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard let want = truth.part(part)[name] else { continue }
                    let key = BulkColumnID(part, name)
                    comparison.compared[key, default: 0] += 1
                    if let status = cell.status, status == want.status || status == want.derived {
                        comparison.agreeing[key, default: 0] += 1
                        continue
                    }
                    let group = "\(key)\u{0}\(want.status.rawValue)\u{0}\(cell.status?.rawValue ?? "missing")"
                    let found = Case(domain: line.domain, truthBecause: want.because, measuredBecause: cell.because)
                    if let index = groupIndex[group] {
                        comparison.disagreements[index].cases.append(found)
                    } else {
                        groupIndex[group] = comparison.disagreements.count
                        comparison.disagreements.append(Disagreement(column: key, truth: want.status, measured: cell.status, cases: [found]))
                    }
                }
            }
        }
        // Stable: most domains first, ties in the order first met.
        comparison.disagreements = comparison.disagreements.enumerated()
            .sorted { ($0.element.cases.count, -$0.offset) > ($1.element.cases.count, -$1.offset) }
            .map(\.element)
        return comparison
    }

    /// The printed table: agreement per column, the totals, then every disagreement with up to
    /// `maxExamples` domains and both causes.
    public func table(maxExamples: Int = 5) -> String {
        func left(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        func right(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
        func percent(_ part: Int, _ whole: Int) -> String { String(format: "%.2f", whole == 0 ? 0 : 100.0 * Double(part) / Double(whole)) }
        var lines = [left("column", 26) + right("agree", 8) + right("cells", 8) + right("%", 9)]
        for column in compared.keys.sorted(by: { $0.key < $1.key }) {
            let agree = agreeing[column] ?? 0, total = compared[column] ?? 0
            lines.append(left(column.key, 26) + right("\(agree)", 8) + right("\(total)", 8) + right(percent(agree, total), 8) + "%")
        }
        lines.append(left("all", 26) + right("\(agreeingCells)", 8) + right("\(cells)", 8) + right(percent(agreeingCells, cells), 8)
            + "%  (\(measuredDomains) domains)")
        for disagreement in disagreements {
            lines.append("")
            lines.append("\(disagreement.column.key): truth \(disagreement.truth.rawValue) → measured \(disagreement.measured?.rawValue ?? "missing"): \(disagreement.cases.count) domains")
            for found in disagreement.cases.prefix(maxExamples) {
                lines.append("  \(found.domain)")
                lines.append("    truth:    \(found.truthBecause)")
                lines.append("    measured: \(String(found.measuredBecause.unicodeScalars.prefix(300)))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

// MARK: the JSON as the commands write it

private struct TruthCell: Decodable {
    var status: Status
    var because: String
    var derived: Status?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        status = try container.decode(Status.self, forKey: AnyKey("status"))
        because = try container.decodeIfPresent(String.self, forKey: AnyKey("because")) ?? ""
        derived = try container.decodeIfPresent(Status.self, forKey: AnyKey("derived"))
    }
}

private struct TruthDomain: Decodable {
    var domain: String
    var web: [String: TruthCell]?
    var mail: [String: TruthCell]?

    func part(_ test: BulkTest) -> [String: TruthCell] { (test == .web ? web : mail) ?? [:] }
}

private struct MeasuredCell: Decodable {
    /// Nil for a domain whose run failed.
    var status: Status?
    var because: String

    init(status: Status?, because: String) {
        self.status = status
        self.because = because
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        status = try container.decode(Status.self, forKey: AnyKey("status"))
        because = try container.decodeIfPresent(String.self, forKey: AnyKey("because")) ?? ""
    }
}

/// One result line: `web` / `mail` maps of cells, or (`peil resolve --mail-columns`) the
/// mail columns flat on the line with their causes in `because`.
private struct MeasuredDomain: Decodable {
    var domain: String
    var failed: Bool
    var parts: [BulkTest: [String: MeasuredCell]]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        domain = try container.decode(String.self, forKey: AnyKey("domain"))
        failed = try container.decodeIfPresent(Bool.self, forKey: AnyKey("failed")) ?? false
        parts = [:]
        for part in BulkTest.allCases where container.contains(AnyKey(part.rawValue)) {
            parts[part] = try container.decode([String: MeasuredCell].self, forKey: AnyKey(part.rawValue))
        }
        guard parts.isEmpty else { return }
        let because = (try? container.decode([String: String].self, forKey: AnyKey("because"))) ?? [:]
        var flat: [String: MeasuredCell] = [:]
        for key in container.allKeys where !["domain", "failed", "because"].contains(key.stringValue) {
            if let status = try? container.decode(Status.self, forKey: key) {
                flat[key.stringValue] = MeasuredCell(status: status, because: because[key.stringValue] ?? "")
            } else if let cell = try? container.decode(MeasuredCell.self, forKey: key) {
                flat[key.stringValue] = cell
            }
        }
        if !flat.isEmpty { parts[.mail] = flat }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
