import Checks
import PeilModel
import Report
import Store

/// A stored measurement's report input with the measurement's own domains still to be read
/// (``ReportLoader/storedPlan(_:sets:baseline:rules:baselineRules:)``).
struct ReportPlan {
    /// Which domains stand for the measurement under the baseline's rules.
    enum Under {
        /// None: no baseline, imported results, or the baseline's rule set is unknown here.
        case none
        /// The measurement's own judgement (the baseline has the same rules).
        case same
        /// The judgement under the second rule set.
        case second
    }

    let loader: ReportLoader
    /// The input without the measurement's domains (and those under the baseline's rules).
    let input: ReportInput
    let info: MeasurementInfo
    /// The measurement's rule set, then the baseline's when it differs.
    let ruleSets: [RuleSet]
    let psl: PublicSuffixList?
    let underMode: Under
    let baselineInfo: MeasurementInfo?
    /// The rule set a Peil baseline is judged under.
    let baselineRuleSet: RuleSet

    /// The domains under the baseline's rules among a batch judged under ``ruleSets``.
    func under(_ judged: [[MeasuredDomain]]) -> [MeasuredDomain]? {
        switch underMode {
        case .none: nil
        case .same: judged[0]
        case .second: judged[1]
        }
    }

    /// Reads and judges the baseline, if any, a batch at a time (imported results at once).
    func feedBaseline(_ body: (_ batch: [MeasuredDomain]) async throws -> Void) async throws {
        guard let baselineInfo else { return }
        try await loader.feed(baselineInfo, ruleSet: baselineRuleSet, psl: psl, body)
    }

    /// Reads and judges the measurement a batch at a time (imported results at once): each
    /// batch's domains, and the same domains under the baseline's rules when the report has them.
    func feed(_ body: (_ current: [MeasuredDomain], _ underBaselineRules: [MeasuredDomain]?) async throws -> Void) async throws {
        if info.imported {
            let domains = try await loader.load(info, ruleSets: ruleSets, psl: psl)[0].domains
            return try await body(domains, nil)
        }
        try await loader.judge(info, ruleSets: ruleSets, psl: psl) { judged in
            try await body(judged[0], under(judged))
        }
    }
}
