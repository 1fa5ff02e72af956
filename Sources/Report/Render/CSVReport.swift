import PeilModel

import Foundation

/// The report's numbers as CSV: `adoption.csv`, `layers.csv`, `domains.csv`, `suppliers.csv`,
/// and with `--by` `slices.csv`. Percentages with two decimals, changes in percentage points;
/// empty where there is none. Comply or explain: `explained_failed` counts the explained
/// failures (also in `failed`), `adoption_without_explained` leaves them out; in `domains.csv`
/// an explained failure is `failed*`, and `formal_reaction` names the tests with one.
/// Every field goes through ``CSV/field(_:)``.
public enum CSVReport {
    public static func adoption(_ report: Report) -> String {
        var lines = [CSV.row(["set", "column", "label"] + Status.allCases.map(\.rawValue) + ["other", "adopted", "judged", "adoption",
                      "baseline_adopted", "baseline_judged", "baseline_adoption", "delta_pp",
                      "adoption_under_baseline_rules", "configuration_pp", "criteria_pp", "cells_changed_by_rules"] + explainedHeader)]
        for row in report.adoption {
            var fields = [row.set, row.column, report.label(row.column)] + counts(row.current)
            fields += [String(row.current.adopted), String(row.current.judged), fixed(row.current.adoption)]
            fields += [row.baseline.map { String($0.adopted) } ?? "", row.baseline.map { String($0.judged) } ?? "",
                       fixed(row.baseline?.adoption), fixed(row.deltaPoints)]
            fields += [fixed(row.currentUnderBaselineRules?.adoption), fixed(row.configurationPoints), fixed(row.criteriaPoints),
                       row.cellsChangedByRules.map(String.init) ?? ""]
            lines.append(CSV.row(fields + explained(row.current)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func layers(_ report: Report) -> String {
        var lines = [CSV.row(["set", "layer", "column", "label"] + Status.allCases.map(\.rawValue) + ["other", "adopted", "judged", "adoption",
                      "baseline_adoption", "delta_pp"] + explainedHeader)]
        for row in report.layers {
            let fields = [row.set, row.layerName, row.column, report.label(row.column)] + counts(row.current)
                + [String(row.current.adopted), String(row.current.judged), fixed(row.current.adoption),
                   fixed(row.baseline?.adoption), fixed(row.deltaPoints)]
            lines.append(CSV.row(fields + explained(row.current)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Per set, value of the `--by` slice and column (`peil report --by`, `peil compare --by --format csv`).
    public static func slices(_ report: Report) -> String {
        var lines = [CSV.row(["set", "by", "value", "members", "column", "label"] + Status.allCases.map(\.rawValue)
                                + ["other", "adopted", "judged", "adoption", "baseline_adoption", "delta_pp"] + explainedHeader)]
        for row in report.slices {
            let fields = [row.set, row.by, row.value, String(row.members), row.column, report.label(row.column)] + counts(row.current)
                + [String(row.current.adopted), String(row.current.judged), fixed(row.current.adoption),
                   fixed(row.baseline?.adoption), fixed(row.deltaPoints)]
            lines.append(CSV.row(fields + explained(row.current)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let explainedHeader = ["explained_failed", "adoption_without_explained"]

    static func explained(_ tally: Tally) -> [String] {
        [String(tally.explainedFailures), fixed(tally.adoptionWithoutExplained)]
    }

    /// One row per domain: its sets, layer, providers and the status of every column.
    public static func domains(_ report: Report) -> String {
        var text = ""
        domains(report) { text += $0 }
        return text
    }

    /// ``domains(_:)`` a line at a time to `write`.
    public static func domains(_ report: Report, _ write: (String) throws -> Void) rethrows {
        let keys = report.columns.map(\.key)
        try write((["domain", "sets", "layer", "organisation", "mail_provider", "dns_provider", "web_hosting"] + keys + ["formal_reaction"])
            .joined(separator: ",") + "\n")
        for row in report.domains {
            let fields = [row.domain, row.sets.joined(separator: " "), row.layer ?? "", row.organisation ?? "",
                          row.providers.mail ?? "", row.providers.dns ?? "", row.providers.web ?? ""]
                + keys.map { key in row.cells[key].map { $0.status.rawValue + ($0.explanation == nil ? "" : "*") } ?? "" }
                + [row.formalReaction.joined(separator: " ")]
            try write(CSV.row(fields) + "\n")
        }
    }

    /// One row per provider: its domains and failed cells per column its kind owns.
    public static func suppliers(_ report: Report) -> String {
        let keys = report.columns.map(\.key)
        var lines = [(["kind", "provider", "domains", "failed_cells"] + keys).joined(separator: ",")]
        for group in report.suppliers.groups {
            let fields = [group.kind.rawValue, group.provider, String(group.domains), String(group.totalFailures)]
                + keys.map { group.kind.owns($0) ? String(group.failures[$0] ?? 0) : "" }
            lines.append(CSV.row(fields))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func counts(_ tally: Tally) -> [String] {
        let known = Status.allCases.map { tally.count($0) }
        return known.map(String.init) + [String(tally.total - known.reduce(0, +))]
    }

    static func fixed(_ value: Double?) -> String {
        value.map { String(format: "%.2f", $0) } ?? ""
    }
}
