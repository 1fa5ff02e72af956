import Checks
import Foundation
import Lab
import PeilModel
import Report
import Store

/// Turns stored measurements and sets into a ``ReportInput``: a Peil measurement through
/// ``DomainVerdicts`` under a rule set (with its DNS facts for the supplier view), an imported
/// one from its published statuses, or a twin's ground truth as if it had been measured.
/// A Peil measurement's observations are read once, however many rule sets judge them.
public struct ReportLoader: Sendable {
    let store: PeilStore
    let loadSuffixList: @Sendable () throws -> PublicSuffixList
    let warn: @Sendable (String) -> Void
    /// Domains of a Peil measurement read and judged at a time.
    public var batchSize = DomainVerdicts.defaultBatchSize

    /// `loadSuffixList` reads the Public Suffix List when a Peil measurement is judged; `warn`
    /// receives notes for the user (a rule set that does not apply).
    public init(store: PeilStore, loadSuffixList: @escaping @Sendable () throws -> PublicSuffixList,
                warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.loadSuffixList = loadSuffixList
        self.warn = warn
    }

    /// What to report on: a stored measurement (id or name), or a twin's ground truth file.
    public enum Source: Sendable {
        case stored(String)
        case truth(URL)
    }

    /// The input for `source` over `sets` (default: its own sets), against `baseline` when given,
    /// with the recorded explanations (comply or explain) as of now, sliced by `sliceBy` (`layer`
    /// or a tag name, normalised by ``SetTags/name(_:)``) when given.
    /// - Throws: ``VerdictsError`` when no member of the sets has the tag.
    public func input(_ source: Source, sets: [String]?, baseline: String?, rules: RuleSet?, baselineRules: RuleSet?,
                      sliceBy: String? = nil) async throws -> ReportInput {
        var input: ReportInput
        switch source {
        case .stored(let reference):
            input = try await storedInput(reference, sets: sets, baseline: baseline, rules: rules, baselineRules: baselineRules)
        case .truth(let url):
            input = try await truthInput(url, sets: sets, baseline: baseline)
        }
        try complete(&input, sliceBy: sliceBy)
        return input
    }

    /// The report on `source` (as ``input(_:sets:baseline:rules:baselineRules:sliceBy:)`` reads it),
    /// a stored measurement read, judged and added a batch at a time (``ReportAccumulator``): its
    /// domain rows and the baseline's cells go to `scratch` (``DiskScratch`` keeps them on disk), the rest of a domain is
    /// dropped with its batch. A rescan's measurement and imported results are read whole.
    public func report<Scratch: ReportScratch>(_ source: Source, sets: [String]?, baseline: String?, rules: RuleSet?, baselineRules: RuleSet?,
                                               sliceBy: String? = nil, title: String? = nil, scratch: Scratch) async throws -> Report {
        guard case .stored(let reference) = source else {
            let input = try await input(source, sets: sets, baseline: baseline, rules: rules, baselineRules: baselineRules, sliceBy: sliceBy)
            var accumulator = ReportAccumulator(input, scratch: scratch)
            try accumulator.addBaseline(input.baseline?.domains ?? [])
            try accumulator.add(input.measurement.domains, underBaselineRules: input.measurementUnderBaselineRules?.domains)
            return try accumulator.finish(title: title)
        }
        let plan = try storedPlan(reference, sets: sets, baseline: baseline, rules: rules, baselineRules: baselineRules)
        var input = plan.input
        try complete(&input, sliceBy: sliceBy)
        var accumulator = ReportAccumulator(input, scratch: scratch)
        try await plan.feedBaseline { batch in try accumulator.addBaseline(batch) }
        try await plan.feed { current, under in try accumulator.add(current, underBaselineRules: under) }
        return try accumulator.finish(title: title)
    }

    /// The recorded explanations as of now and the slice (checked against the sets).
    func complete(_ input: inout ReportInput, sliceBy: String?) throws {
        input.explanations = try store.explanations()
        input.reportTime = Self.timestamp(Date())
        if let sliceBy {
            input.sliceBy = try Self.slice(sliceBy, in: input.sets)
        }
    }

    /// `layer`, or the normalised name of a tag some member of `sets` has.
    static func slice(_ text: String, in sets: [ReportSet]) throws -> String {
        guard let name = SetTags.name(text) else { throw VerdictsError("--by '\(text)' names no tag") }
        if name == "layer" { return name }
        let known = Set(sets.flatMap { $0.members.values.flatMap(\.tags.keys) })
        guard known.contains(name) else {
            let names = known.isEmpty ? "they have no tags" : "their tags are " + known.sorted().joined(separator: ", ")
            throw VerdictsError("no member of set \(sets.map(\.name).joined(separator: ", ")) has tag '\(name)' (from '\(text)'); "
                + "\(names), and layer is built in")
        }
        return name
    }

    /// `yyyy-mm-ddThh:mm:ssZ` in UTC, as explanations record their time.
    public static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter.string(from: date)
    }

    /// A stored measurement (id or name). `rules` judges a Peil measurement (default
    /// `internetnl-current`); `baselineRules` a Peil baseline (default: `rules`).
    func storedInput(_ reference: String, sets: [String]?, baseline baselineReference: String?,
                     rules: RuleSet?, baselineRules: RuleSet?) async throws -> ReportInput {
        let plan = try storedPlan(reference, sets: sets, baseline: baselineReference, rules: rules, baselineRules: baselineRules)
        var input = plan.input
        var baseline: [MeasuredDomain] = []
        try await plan.feedBaseline { baseline += $0 }
        input.baseline?.domains = baseline
        let judged = try await load(plan.info, ruleSets: plan.ruleSets, psl: plan.psl)
        input.measurement.domains = judged[0].domains
        input.measurementUnderBaselineRules?.domains = plan.under(judged.map { $0.domains }) ?? []
        return input
    }

    /// A stored measurement's report input without the domains of the measurement and its
    /// baseline: ``ReportPlan/feedBaseline(_:)`` and ``ReportPlan/feed(_:)`` read them.
    func storedPlan(_ reference: String, sets: [String]?, baseline baselineReference: String?,
                    rules: RuleSet?, baselineRules: RuleSet?) throws -> ReportPlan {
        let info = try store.measurementInfo(reference)
        let baselineInfo = try baselineReference.map { try store.measurementInfo($0) }
        var psl: PublicSuffixList?
        if !info.imported || baselineInfo?.imported == false { psl = try loadSuffixList() }
        if info.imported, rules != nil {
            warn("\(label(info)) is imported (statuses only): --rules does not apply to it")
        }
        let ruleSet = rules ?? .internetnlCurrent
        let baseline = baselineInfo.map { metadata($0, ruleSet: baselineRules ?? ruleSet) }
        // A Peil measurement is read once, judged under its rules and, against a baseline
        // judged under others, under the baseline's too.
        var ruleSets = [ruleSet]
        var note: String?
        if !info.imported, let baseline, baseline.ruleSet != ruleSet.rawValue {
            if let old = RuleSet(rawValue: baseline.ruleSet) {
                ruleSets.append(old)
            } else {
                note = "the baseline's rule set '\(baseline.ruleSet)' is unknown to this build, so the observations cannot be judged under it"
            }
        }
        let under: ReportPlan.Under = info.imported || baseline == nil ? .none : ruleSets.count > 1 ? .second : note == nil ? .same : .none
        let current = metadata(info, ruleSet: ruleSet)
        var underInput: MeasurementInput?
        if under != .none {
            underInput = current
            underInput?.ruleSet = ruleSets[ruleSets.count - 1].rawValue
        }
        let names = sets ?? info.sets
        let reportSets = try names.map { ReportSet(name: $0, entries: try store.setMembers(name: $0)) }
        let organisational: @Sendable (String) -> String? = { [psl] name in psl?.organisationalDomain(of: name) }
        let input = ReportInput(measurement: current, baseline: baseline, measurementUnderBaselineRules: underInput, attributionNote: note,
                                sets: reportSets, organisationalDomain: organisational)
        return ReportPlan(loader: self, input: input, info: info, ruleSets: ruleSets, psl: psl, underMode: under,
                          baselineInfo: baselineInfo, baselineRuleSet: baselineRules ?? ruleSet)
    }

    /// A measurement without its domains, as ``load(_:ruleSets:psl:)`` gives it: imported
    /// results under their own rule set, a Peil measurement under `ruleSet`.
    func metadata(_ info: MeasurementInfo, ruleSet: RuleSet) -> MeasurementInput {
        info.imported
            ? MeasurementInput(id: info.id, name: label(info), date: info.measuredOn ?? day(info.createdAt), ruleSet: info.ruleSet ?? "unknown",
                               imported: true, sourceSet: info.sourceSet, domains: [])
            : MeasurementInput(id: info.id, name: label(info), date: day(info.createdAt), ruleSet: ruleSet.rawValue, imported: false, domains: [])
    }

    /// One measurement: imported statuses as stored, or a Peil measurement judged under `ruleSet`.
    func load(_ info: MeasurementInfo, ruleSet: RuleSet, psl: PublicSuffixList?) async throws -> MeasurementInput {
        try await load(info, ruleSets: [ruleSet], psl: psl)[0]
    }

    /// One measurement: imported statuses as stored (once, whatever `ruleSets` says), or a Peil
    /// measurement judged under each of `ruleSets`, read and judged in batches
    /// (``DomainVerdicts/judgeInBatches(store:measurementID:ruleSets:psl:batchSize:_:)``): what is kept
    /// of a domain is its cells, subtests and DNS facts, not its observations.
    func load(_ info: MeasurementInfo, ruleSets: [RuleSet], psl: PublicSuffixList?) async throws -> [MeasurementInput] {
        if info.imported {
            let rows = try store.importedResults(measurementID: info.id)
            return [PublishedResults.measurement(rows, id: info.id, name: label(info), date: info.measuredOn ?? day(info.createdAt),
                                                 ruleSet: info.ruleSet ?? "unknown", sourceSet: info.sourceSet)]
        }
        var domains = [[MeasuredDomain]](repeating: [], count: ruleSets.count)
        try await judge(info, ruleSets: ruleSets, psl: psl) { judged in
            for (index, batch) in judged.enumerated() { domains[index] += batch }
        }
        return zip(ruleSets, domains).map { ruleSet, domains in
            MeasurementInput(id: info.id, name: label(info), date: day(info.createdAt), ruleSet: ruleSet.rawValue, imported: false, domains: domains)
        }
    }

    /// One measurement a batch at a time: imported statuses as stored (one batch), or a Peil
    /// measurement judged under `ruleSet` (``judge(_:ruleSets:psl:_:)``).
    func feed(_ info: MeasurementInfo, ruleSet: RuleSet, psl: PublicSuffixList?,
              _ body: (_ batch: [MeasuredDomain]) async throws -> Void) async throws {
        if info.imported { return try await body(try await load(info, ruleSets: [ruleSet], psl: psl)[0].domains) }
        try await judge(info, ruleSets: [ruleSet], psl: psl) { judged in try await body(judged[0]) }
    }

    /// A Peil measurement judged under each of `ruleSets` a batch at a time
    /// (``DomainVerdicts/judgeInBatches(store:measurementID:ruleSets:psl:batchSize:_:)``): `body`
    /// gets each batch's domains per rule set, with their cells, subtests and DNS facts.
    func judge(_ info: MeasurementInfo, ruleSets: [RuleSet], psl: PublicSuffixList?,
               _ body: (_ judged: [[MeasuredDomain]]) async throws -> Void) async throws {
        guard let psl else { throw VerdictsError("the Public Suffix List is needed to judge measurement \(info.id)") }
        try await DomainVerdicts.judgeInBatches(store: store, measurementID: info.id, ruleSets: ruleSets, psl: psl, batchSize: batchSize) { judged, observations in
            try await body(judged.map { verdicts in
                verdicts.map {
                    MeasuredDomain(domain: $0.domain, web: $0.web, mail: $0.mail, facts: observations.resolutions[$0.domain]?.facts,
                                   subtests: $0.subtests, peilSubtests: $0.peilSubtests)
                }
            })
        }
    }

    /// A twin's ground truth (`peil lab world --truth FILE`) as a measurement judged under
    /// `internetnl-2021`, with the truth's causes as evidence and its DNS facts.
    public func truthInput(_ url: URL, sets: [String]?, baseline baselineReference: String?) async throws -> ReportInput {
        let truth = try JSONDecoder().decode([TwinDomainTruth].self, from: Data(contentsOf: url))
        let current = MeasurementInput(
            id: nil, name: "twin truth (\(url.lastPathComponent))", date: day(Date()), ruleSet: RuleSet.internetnl2021.rawValue, imported: false,
            domains: truth.map { MeasuredDomain(domain: $0.domain, web: $0.web.mapValues(Self.withoutDerived), mail: $0.mail.mapValues(Self.withoutDerived),
                                                facts: $0.facts) })
        let psl = try loadSuffixList()
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

    /// A truth cell as a measured one: its status and cause.
    static func withoutDerived(_ cell: StatusCell) -> StatusCell { StatusCell(cell.status, cell.because) }

    func label(_ info: MeasurementInfo) -> String { info.name ?? "measurement \(info.id)" }

    func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// Parses a comma-separated list option.
    public static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}
