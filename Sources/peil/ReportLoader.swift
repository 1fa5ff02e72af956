import ArgumentParser
import Checks
import Foundation
import PeilModel
import Report
import Store

/// Turns stored measurements and sets into a ``ReportInput``: a Peil measurement through
/// ``DomainVerdicts`` under a rule set (with its DNS facts for the supplier view), an imported
/// one from its published statuses.
struct ReportLoader {
    let store: PeilStore
    let mailAuth: MailAuthOptions

    /// The input for measurement `reference` (id or name) over `sets` (default: its own sets),
    /// against `baseline` when given. `rules` judges a Peil measurement (default
    /// `internetnl-current`); `baselineRules` a Peil baseline (default: `rules`).
    func input(measurement reference: String, sets: [String]?, baseline baselineReference: String?,
               rules: RuleSet?, baselineRules: RuleSet?) async throws -> ReportInput {
        let info = try store.measurementInfo(reference)
        let baselineInfo = try baselineReference.map { try store.measurementInfo($0) }
        var psl: PublicSuffixList?
        func list() throws -> PublicSuffixList {
            if let psl { return psl }
            let loaded = try mailAuth.loadList()
            psl = loaded
            return loaded
        }
        if !info.imported || baselineInfo?.imported == false { _ = try list() }
        if info.imported, rules != nil {
            FileHandle.standardError.write(Data("note: \(label(info)) is imported (statuses only): --rules does not apply to it\n".utf8))
        }
        let ruleSet = rules ?? .internetnlCurrent
        let current = try await load(info, ruleSet: ruleSet, psl: psl)
        var baseline: MeasurementInput?
        var under: MeasurementInput?
        var note: String?
        if let baselineInfo {
            baseline = try await load(baselineInfo, ruleSet: baselineRules ?? ruleSet, psl: psl)
            if !info.imported, let baseline {
                if baseline.ruleSet == current.ruleSet {
                    under = current
                } else if let old = RuleSet(rawValue: baseline.ruleSet) {
                    under = try await load(info, ruleSet: old, psl: psl)
                } else {
                    note = "the baseline's rule set '\(baseline.ruleSet)' is unknown to this build, so the observations cannot be judged under it"
                }
            }
        }
        let names = sets ?? info.sets
        let reportSets = try names.map { ReportSet(name: $0, entries: try store.setMembers(name: $0)) }
        let organisational: @Sendable (String) -> String? = { [psl] name in psl?.organisationalDomain(of: name) }
        return ReportInput(measurement: current, baseline: baseline, measurementUnderBaselineRules: under, attributionNote: note,
                           sets: reportSets, organisationalDomain: organisational)
    }

    /// One measurement: imported statuses as stored, or a Peil measurement judged under `ruleSet`.
    func load(_ info: MeasurementInfo, ruleSet: RuleSet, psl: PublicSuffixList?) async throws -> MeasurementInput {
        if info.imported {
            let rows = try store.importedResults(measurementID: info.id)
            return PublishedResults.measurement(rows, id: info.id, name: label(info), date: info.measuredOn ?? day(info.createdAt),
                                                ruleSet: info.ruleSet ?? "unknown", sourceSet: info.sourceSet)
        }
        guard let psl else { throw ValidationError("the Public Suffix List is needed to judge measurement \(info.id)") }
        let verdicts = try await DomainVerdicts.evaluate(store: store, measurementID: info.id, ruleSet: ruleSet, psl: psl)
        let facts = try store.resolutionResults(measurementID: info.id).mapValues(\.facts)
        func cells(_ columns: [String: BulkColumn]) -> [String: ReportCell] {
            columns.mapValues { ReportCell($0.status, $0.because) }
        }
        let domains = verdicts.map {
            MeasuredDomain(domain: $0.domain, web: cells($0.web), mail: cells($0.mail), facts: facts[$0.domain])
        }
        return MeasurementInput(id: info.id, name: label(info), date: day(info.createdAt), ruleSet: ruleSet.rawValue,
                                imported: false, domains: domains)
    }

    func label(_ info: MeasurementInfo) -> String { info.name ?? "measurement \(info.id)" }

    func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// Parses a comma-separated list option.
    static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}
