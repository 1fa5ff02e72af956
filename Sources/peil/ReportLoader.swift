import ArgumentParser
import Checks
import Foundation
import Lab
import PeilModel
import Report
import Store

/// Turns stored measurements and sets into a ``ReportInput``: a Peil measurement through
/// ``DomainVerdicts`` under a rule set (with its DNS facts for the supplier view), an imported
/// one from its published statuses, or a twin's ground truth as if it had been measured.
struct ReportLoader {
    let store: PeilStore
    let mailAuth: MailAuthOptions

    /// What to report on: a stored measurement (id or name), or a twin's ground truth file.
    enum Source {
        case stored(String)
        case truth(URL)
    }

    /// The input for `source` over `sets` (default: its own sets), against `baseline` when given.
    func input(_ source: Source, sets: [String]?, baseline: String?, rules: RuleSet?, baselineRules: RuleSet?) async throws -> ReportInput {
        switch source {
        case .stored(let reference):
            try await storedInput(reference, sets: sets, baseline: baseline, rules: rules, baselineRules: baselineRules)
        case .truth(let url):
            try await truthInput(url, sets: sets, baseline: baseline)
        }
    }

    /// A stored measurement (id or name). `rules` judges a Peil measurement (default
    /// `internetnl-current`); `baselineRules` a Peil baseline (default: `rules`).
    func storedInput(_ reference: String, sets: [String]?, baseline baselineReference: String?,
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

    /// A twin's ground truth (`peil lab world --truth FILE`) as a measurement judged under
    /// `internetnl-2021`, with the truth's causes as evidence and its DNS facts.
    func truthInput(_ url: URL, sets: [String]?, baseline baselineReference: String?) async throws -> ReportInput {
        let truth = try JSONDecoder().decode([TwinDomainTruth].self, from: Data(contentsOf: url))
        func cells(_ columns: [String: TwinColumn]) -> [String: ReportCell] { columns.mapValues { ReportCell($0.status, $0.because) } }
        let current = MeasurementInput(
            id: nil, name: "twin truth (\(url.lastPathComponent))", date: day(Date()), ruleSet: RuleSet.internetnl2021.rawValue, imported: false,
            domains: truth.map { MeasuredDomain(domain: $0.domain, web: cells($0.web), mail: cells($0.mail), facts: $0.facts) })
        let psl = try mailAuth.loadList()
        var baseline: MeasurementInput?
        if let baselineReference {
            baseline = try await load(try store.measurementInfo(baselineReference), ruleSet: .internetnl2021, psl: psl)
        }
        let sameRules = baseline?.ruleSet == current.ruleSet
        let names = sets ?? Array(Set(truth.flatMap(\.sets))).sorted { ($0 == "primary" ? 0 : 1, $0) < ($1 == "primary" ? 0 : 1, $1) }
        return ReportInput(measurement: current, baseline: baseline, measurementUnderBaselineRules: sameRules ? current : nil,
                           attributionNote: sameRules ? nil : "a twin's truth is judged under internetnl-2021 only",
                           sets: try names.map { ReportSet(name: $0, entries: try store.setMembers(name: $0)) },
                           organisationalDomain: { psl.organisationalDomain(of: $0) })
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
