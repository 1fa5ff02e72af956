import Checks
import PeilModel
import Report
import Store

extension DomainVerdicts {
    /// Every domain of measurement `measurementID`, read from the store and judged under
    /// `ruleSet`: what `peil results` prints and `peil serve` serves.
    public static func judge(store: PeilStore, measurementID: Int64, ruleSet: RuleSet, psl: PublicSuffixList) async throws -> [DomainVerdicts] {
        await evaluate(try MeasurementObservations.load(store: store, measurementID: measurementID), ruleSet: ruleSet, psl: psl)
    }
}

/// Which domains a rescan measures again: named ones, or those with a column in some statuses.
public enum RescanChoice: Sendable, Hashable {
    /// Domain names as given (each parsed as a ``PeilModel/DomainName``).
    case domains([String])
    /// The domains with any column their sets test in one of these statuses.
    case statuses(Set<Status>)
}

extension ReportLoader {
    /// Starts a rescan of `reference` (an id or name) measuring again the domains `choice`
    /// names, among those `allowed` lets through (nil: all): `peil rescan` and the API.
    /// - Returns: the new measurement's id, the one it rescans, and the domains measured again.
    /// - Throws: ``VerdictsError`` for a bad domain name, no status, or nothing to rescan;
    ///   ``StoreError`` for an unknown measurement or a rescan the store refuses.
    public func rescan(_ reference: String, choice: RescanChoice, rules: RuleSet?,
                       allowed: Set<String>? = nil) async throws -> (id: Int64, of: Int64, domains: [String]) {
        let info = try store.measurementInfo(reference)
        var names: [String]
        switch choice {
        case .domains(let given):
            names = try given.map { name in
                do { return try DomainName(parsing: name).value } catch { throw VerdictsError("'\(name)' is not a domain name: \(error)") }
            }
        case .statuses(let statuses):
            guard !statuses.isEmpty else { throw VerdictsError("--only names no status") }
            names = try await domains(of: String(info.id), withAnyOf: statuses, rules: rules)
            if let allowed { names = names.filter(allowed.contains) }
            guard !names.isEmpty else {
                throw VerdictsError("no domain of measurement \(info.id) has a column in \(statuses.map(\.rawValue).sorted().joined(separator: ", ")): nothing to rescan")
            }
        }
        if let allowed, let outside = names.first(where: { !allowed.contains($0) }) {
            throw StoreError.invalidRescan("not in the sets of measurement \(info.id): \(outside)")
        }
        return (try store.createRescan(of: info.id, domains: names), info.id, names)
    }
}
