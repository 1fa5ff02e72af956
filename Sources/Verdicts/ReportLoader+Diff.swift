import Checks
import PeilModel
import Report
import Store

extension ReportLoader {
    /// `before` and `after` (ids or names; Peil measurements judged under `rules`, default
    /// `internetnl-current`, imported ones as published) compared per domain and column over
    /// `set`, or over the union of both measurements' sets.
    public func diff(_ before: String, _ after: String, set: String?, rules: RuleSet?, includeUnchanged: Bool) async throws -> MeasurementDiff {
        try await diff(before, after, set: set, rules: rules, includeUnchanged: includeUnchanged, scratch: MemoryScratch())
    }

    /// ``diff(_:_:set:rules:includeUnchanged:)`` with the earlier measurement's cells kept in
    /// `scratch` (``DiskScratch``: on disk) while the later one is read: both are read and judged
    /// a batch at a time (imported results at once).
    public func diff<Scratch: ReportScratch>(_ before: String, _ after: String, set: String?, rules: RuleSet?, includeUnchanged: Bool,
                                             scratch: Scratch) async throws -> MeasurementDiff {
        let infos = [try store.measurementInfo(before), try store.measurementInfo(after)]
        let psl = infos.contains { !$0.imported } ? try loadSuffixList() : nil
        let ruleSet = rules ?? .internetnlCurrent
        let inputs = infos.map { metadata($0, ruleSet: ruleSet) }
        if inputs[0].ruleSet != inputs[1].ruleSet {
            warn("\(inputs[0].name) is judged under \(inputs[0].ruleSet), \(inputs[1].name) under \(inputs[1].ruleSet): "
                 + "a change may be a changed criterion (--rules \(inputs.first { $0.imported }?.ruleSet ?? "R") compares configurations only)")
        }
        var names: [String] = []
        for name in set.map({ [$0] }) ?? infos.flatMap(\.sets) where !names.contains(name) { names.append(name) }
        let sets = try names.map { ReportSet(name: $0, entries: try store.setMembers(name: $0)) }
        var accumulator = MeasurementDiff.Accumulator(sets: sets, includeUnchanged: includeUnchanged, scratch: scratch)
        try await feed(infos[0], ruleSet: ruleSet, psl: psl) { try accumulator.addBefore($0) }
        try await feed(infos[1], ruleSet: ruleSet, psl: psl) { try accumulator.addAfter($0) }
        return try accumulator.finish(before: inputs[0], after: inputs[1])
    }

    /// The domains of a completed Peil measurement with any column its sets test in one of
    /// `statuses` (judged under `rules`, default `internetnl-current`): what `peil rescan --only` measures again.
    public func domains(of reference: String, withAnyOf statuses: Set<Status>, rules: RuleSet?) async throws -> [String] {
        let info = try store.measurementInfo(reference)
        guard !info.imported else { throw VerdictsError("measurement \(info.id) is imported: it has no observations to measure again") }
        let input = try await load(info, ruleSet: rules ?? .internetnlCurrent, psl: try loadSuffixList())
        let sets = try info.sets.map { ReportSet(name: $0, entries: try store.setMembers(name: $0)) }
        return RescanSelection.domains(input.domains, withAnyOf: statuses, sets: sets)
    }
}

/// Which domains a rescan measures again. Pure.
public enum RescanSelection {
    /// The domains (sorted) with a cell in one of `statuses`, among the columns the sets that
    /// hold the domain test (``SetMember/tests(_:)``); domains outside every set are left out.
    public static func domains(_ domains: [MeasuredDomain], withAnyOf statuses: Set<Status>, sets: [ReportSet]) -> [String] {
        domains.filter { domain in
            let members = sets.compactMap { $0.members[domain.domain] }
            return domain.cells.contains { column, cell in
                statuses.contains(cell.status) && members.contains { $0.tests(column) }
            }
        }.map(\.domain).sorted()
    }
}
