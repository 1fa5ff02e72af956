import Checks
import Foundation
import Hummingbird
import PeilModel
import Report
import Store
import Verdicts

extension APIRoutes {
    /// A loader over the server's store, reading the Public Suffix List it was configured with.
    var loader: ReportLoader {
        let configuration = configuration
        return ReportLoader(store: runner.store, loadSuffixList: { try configuration.loadSuffixList() })
    }

    /// `GET /measurements/{id}/report`: the report `peil report` writes as `report.json`:
    /// adoption per set, layer and (`by`) tag, against `baseline` (an id or name) when given,
    /// over `sets` (comma-separated; default the measurement's). A tag-limited key's report
    /// covers its own domains only.
    @Sendable func report(_ request: Request, context: APIContext) async throws -> Response {
        let id = try measurementID(context)
        let query = request.uri.queryParameters
        let sets = ReportLoader.list(query["sets"].map(String.init))
        if let sets, sets.isEmpty { throw APIError(.badRequest, "sets names no set") }
        let asked = ReportQuery(sets: sets, baseline: query["baseline"].map(String.init), rules: try ruleSet(request),
                                baselineRules: try ruleSet(request, "baselineRules"), by: query["by"].map(String.init))
        return try JSON.response(try await buildReport(asked, context, id: id))
    }

    /// What a report is over: `sets` (nil: the measurement's), against `baseline`, under
    /// `rules` and `baselineRules`, sliced `by` a tag.
    struct ReportQuery: Sendable {
        var sets: [String]?
        var baseline: String?
        var rules: RuleSet?
        var baselineRules: RuleSet?
        var by: String?
    }

    /// The report of measurement `id` as `query` asks for it, over the key's own domains when
    /// it is tag-limited (`only`: over those of them only): the API's report and the pages'
    /// are this one.
    func buildReport(_ query: ReportQuery, _ context: APIContext, id: Int64, only: Set<String>? = nil) async throws -> Report {
        var visible = try await visibleDomains(context)
        if let only { visible = visible.map { $0.intersection(only) } ?? only }
        var input: ReportInput
        let key = ReportInputKey(measurement: id, sets: query.sets, baseline: query.baseline, rules: query.rules?.rawValue,
                                       baselineRules: query.baselineRules?.rawValue, sliceBy: query.by)
        let loader = loader, runner = runner
        do {
            input = try await reportInputs.value(key, finished: {
                try await runner.run { try $0.progress(measurementID: id).isComplete }
            }, load: {
                try await loader.input(.stored(String(id)), sets: query.sets, baseline: query.baseline, rules: query.rules,
                                       baselineRules: query.baselineRules, sliceBy: query.by)
            })
            // Explanations change without the measurement changing: always the current ones.
            input.explanations = try await runner.run { try $0.explanations() }
            input.reportTime = ReportLoader.timestamp(Date())
        } catch let error as VerdictsError {
            throw APIError(.unprocessableContent, error.description)
        }
        if let visible { input = input.limited(to: visible) }
        return ReportBuilder.build(input, title: nil)
    }

    /// `POST /measurements/{id}/rescans`: measures again the named domains, or those with a
    /// column in one of `only`'s statuses (``Verdicts/ReportLoader/rescan(_:choice:rules:allowed:)``);
    /// a tag-limited key only its own domains.
    @Sendable func rescan(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.require(.analyst)
        let id = try measurementID(context)
        let body = try await body(RescanRequest.self, request, "POST", "/measurements/{id}/rescans")
        guard (body.domains == nil) != (body.only == nil) else { throw APIError(.badRequest, "give domains or only, not both") }
        let rules = try body.rules.map { text in
            guard let rules = RuleSet(rawValue: text) else { throw APIError(.badRequest, "unknown rule set '\(text)'") }
            return rules
        }
        let choice: RescanChoice
        if let only = body.only {
            let statuses = try only.map { word in
                guard let status = Status(rawValue: word) else { throw APIError(.badRequest, "'\(word)' is not a status") }
                return status
            }
            choice = .statuses(Set(statuses))
        } else {
            choice = .domains(body.domains ?? [])
        }
        return try JSON.response(try await rescanAction(context, id: id, choice: choice, rules: rules), status: .created)
    }
}

extension ReportInput {
    /// This input over `domains` only: measured domains, set members and explanations of
    /// other organisations are left out, so nothing of theirs reaches the report.
    func limited(to domains: Set<String>) -> ReportInput {
        var input = self
        input.measurement.domains = measurement.domains.filter { domains.contains($0.domain) }
        input.baseline?.domains = (baseline?.domains ?? []).filter { domains.contains($0.domain) }
        input.measurementUnderBaselineRules?.domains = (measurementUnderBaselineRules?.domains ?? []).filter { domains.contains($0.domain) }
        input.sets = sets.map { set in
            var set = set
            set.members = set.members.filter { domains.contains($0.key) }
            return set
        }
        input.explanations = explanations.filter { domains.contains($0.domain) }
        return input
    }
}
