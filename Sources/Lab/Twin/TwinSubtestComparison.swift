import Foundation
import PeilModel

/// Measured subtests against a twin's truth for them (``TwinDomainTruth/subtests``: the
/// security headers, CAA, DANE for the web server, security.txt and the same website over IPv4
/// and IPv6; the mail servers' CAA; Peil's own TLS-RPT), under the rule set each
/// result line was judged with (`peil results --format jsonl` writes it as `ruleSet`).
public struct TwinSubtestComparison: Sendable, Hashable {
    /// Compared cells by batch name.
    public var compared: [String: Int] = [:]
    /// Agreeing cells by batch name.
    public var agreeing: [String: Int] = [:]
    /// `domain subtest (rule set): truth X (cause), measured Y (evidence)`, sorted.
    public var disagreements: [String] = []

    public var cells: Int { compared.values.reduce(0, +) }
    public var agreeingCells: Int { agreeing.values.reduce(0, +) }

    /// Compares `results` (JSON lines with `domain`, `ruleSet` and `subtests`) with `truth`;
    /// domains without a truth, and rule sets the truth has no subtests for, are skipped. A
    /// subtest the line lacks disagrees as `missing`.
    /// - Throws: `DecodingError` for a malformed line.
    public static func compare(truth: [TwinDomainTruth], results: Data) throws -> TwinSubtestComparison {
        let expected = Dictionary(truth.map { ($0.domain, $0.subtests) }, uniquingKeysWith: { first, _ in first })
        var comparison = TwinSubtestComparison()
        for line in String(decoding: results, as: UTF8.self).split(whereSeparator: \.isNewline) where line.hasPrefix("{") {
            let row = try JSONDecoder().decode(ResultLine.self, from: Data(line.utf8))
            guard let wanted = expected[row.domain]?[row.ruleSet ?? "internetnl-current"] else { continue }
            for (name, want) in wanted.sorted(by: { $0.key < $1.key }) {
                comparison.compared[name, default: 0] += 1
                let measured = row.subtests?[name] ?? row.peilSubtests?[name]
                if measured?.status == want.status {
                    comparison.agreeing[name, default: 0] += 1
                    continue
                }
                comparison.disagreements.append("\(row.domain) \(name) (\(row.ruleSet ?? "internetnl-current")): truth \(want.status.rawValue) (\(want.because)), "
                                                + "measured \(measured?.status.rawValue ?? "missing")" + (measured.map { " (\($0.because.prefix(300)))" } ?? ""))
            }
        }
        comparison.disagreements.sort()
        return comparison
    }

    /// Agreement per subtest, one line each, then the total.
    public func table() -> String {
        var lines = compared.keys.sorted().map { name in
            name.padding(toLength: 40, withPad: " ", startingAt: 0) + " \(agreeing[name] ?? 0) of \(compared[name] ?? 0)"
        }
        lines.append("subtests: \(agreeingCells) of \(cells) cells agree with the twin's truth")
        return lines.joined(separator: "\n")
    }

    struct ResultLine: Decodable {
        var domain: String
        var ruleSet: String?
        var subtests: [String: StatusCell]?
        var peilSubtests: [String: StatusCell]?
    }
}
