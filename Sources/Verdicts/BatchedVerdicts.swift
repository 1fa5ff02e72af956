import Checks
import PeilModel
import Store

extension DomainVerdicts {
    /// Domains read and judged at a time by ``judgeInBatches(store:measurementID:ruleSets:psl:batchSize:_:)``.
    public static let defaultBatchSize = 1_000

    /// Judges a measurement's domains in name order under each of `ruleSets`, a batch at a time:
    /// `body` gets each batch's verdicts (one array per rule set, in `ruleSets`' order) with the
    /// batch's observations, and neither is kept after it returns, so memory follows the batch,
    /// not the measurement (``MeasurementCursor``). A rescan, whose domains come from the
    /// measurements it rescans, is read whole (``MeasurementObservations/load(store:measurementID:)``)
    /// and given to `body` as one batch.
    public static func judgeInBatches(store: PeilStore, measurementID: Int64, ruleSets: [RuleSet], psl: PublicSuffixList,
                                      batchSize: Int = defaultBatchSize,
                                      _ body: (_ judged: [[DomainVerdicts]], _ observations: MeasurementObservations) async throws -> Void) async throws {
        if try store.rescanOrigin(measurementID: measurementID) != nil {
            let observations = try MeasurementObservations.load(store: store, measurementID: measurementID)
            var judged: [[DomainVerdicts]] = []
            for ruleSet in ruleSets { judged.append(await evaluate(observations, ruleSet: ruleSet, psl: psl)) }
            try await body(judged, observations)
            return
        }
        let rpki = try store.rpkiSnapshot(measurementID: measurementID)
        let cursor = try MeasurementCursor(store: store, measurementID: measurementID, batchSize: batchSize)
        defer { cursor.close() }
        while let batch = try cursor.next() {
            let observations = MeasurementObservations(
                measurementID: measurementID,
                domains: batch.map { MeasurementObservations.Domain(name: $0.name, state: $0.state, lastError: $0.lastError) },
                resolutions: Dictionary(batch.compactMap { domain in domain.resolution.map { (domain.name, $0) } }, uniquingKeysWith: { first, _ in first }),
                connects: Dictionary(batch.filter { !$0.connects.isEmpty }.map { ($0.name, $0.connects) }, uniquingKeysWith: { first, _ in first }),
                rpki: rpki)
            var judged: [[DomainVerdicts]] = []
            for ruleSet in ruleSets { judged.append(await evaluate(observations, ruleSet: ruleSet, psl: psl)) }
            try await body(judged, observations)
        }
    }
}
