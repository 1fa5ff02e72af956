import Checks
import Foundation
import Hummingbird
import PeilModel
import Store
import Verdicts

/// The writes of `peil serve`, one implementation each, called by the JSON API's handlers and
/// by the pages' forms alike: each checks the key's role (and its tag limit) itself, so neither
/// caller can forget to.
extension APIRoutes {
    /// Replaces set `name`'s membership with `files`, parsed as `peil import` parses files
    /// (``PeilModel/SeedList``): a bad line refuses the whole list (every bad line named).
    func importSetAction(_ context: APIContext, name: String, files: [SeedFile]) async throws -> ImportSummary {
        _ = try context.requireUnlimited(.analyst, "import sets")
        context.auditTarget.set("set " + name)
        let entries = try SeedList.parse(files)
        let summary = try await runner.run { try $0.importSet(name: name, entries: entries) }
        await reportInputs.removeAll()  // a report over this set covers its new members
        return summary
    }

    /// A measurement over the union of `sets`; its id.
    func startMeasurementAction(_ context: APIContext, sets: [String]) async throws -> Int64 {
        _ = try context.requireUnlimited(.analyst, "start measurements over whole sets")
        let id = try await runner.run { try $0.createMeasurement(sets: sets) }
        context.auditTarget.set("measurement \(id)")
        return id
    }

    /// Ends every open task of measurement `id` not testable; how many.
    func cancelMeasurementAction(_ context: APIContext, id: Int64) async throws -> Int {
        let key = try context.requireUnlimited(.analyst, "cancel measurements")
        context.auditTarget.set("measurement \(id)")
        return try await runner.run { try $0.cancelMeasurement(id, reason: "measurement cancelled through the API by key \(key.name)") }
    }

    /// Measures again, as a rescan of measurement `id`, the domains `choice` names (a
    /// tag-limited key: only its own).
    func rescanAction(_ context: APIContext, id: Int64, choice: RescanChoice, rules: RuleSet?) async throws -> RescanAnswer {
        _ = try context.require(.analyst)
        let visible = try await visibleDomains(context)
        context.auditTarget.set("measurement \(id)")
        do {
            let rescan = try await loader.rescan(String(id), choice: choice, rules: rules, allowed: visible)
            context.auditTarget.set("measurement \(id) → \(rescan.id)")
            return RescanAnswer(id: rescan.id, rescanOf: rescan.of, domains: rescan.domains)
        } catch let error as VerdictsError {
            throw APIError(.unprocessableContent, error.description)
        }
    }

    /// Records the key's explanation of `column` for `domain` (a tag-limited key: its own domains only).
    func addExplanationAction(_ context: APIContext, domain name: String, column columnName: String, text: String,
                              until: String?) async throws -> Explanation {
        let key = try context.require(.analyst)
        let visible = try await visibleDomains(context)
        let domain: DomainName
        do { domain = try DomainName(parsing: name) } catch { throw APIError(.unprocessableContent, "'\(name)' is not a domain name") }
        guard visible?.contains(domain.value) ?? true else { throw APIError(.notFound, "domain '\(domain.value)' is in no set (see GET /sets)") }
        let column: BulkColumnID
        do { column = try BulkColumns.column(named: columnName) } catch { throw APIError(.unprocessableContent, error.description) }
        context.auditTarget.set("\(domain.value) \(column.key)")
        return try await runner.run {
            try $0.addExplanation(domain: domain, column: column, text: text, by: "API key \(key.name)", until: until)
        }
    }

    /// Withdraws explanation `id` (a tag-limited key: only one of its own domains').
    func expireExplanationAction(_ context: APIContext, id: Int64) async throws -> Explanation {
        _ = try context.require(.analyst)
        let visible = try await visibleDomains(context)
        context.auditTarget.set("explanation \(id)")
        let all = try await runner.run { try $0.explanations() }
        guard let explanation = all.first(where: { $0.id == id }), visible?.contains(explanation.domain) ?? true else {
            throw APIError(.notFound, "there is no explanation \(id)")
        }
        return try await runner.run { try $0.removeExplanation(id: id) }
    }
}
