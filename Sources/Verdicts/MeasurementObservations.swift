import PeilModel
import Store

/// Everything stored about one measurement that its verdicts are drawn from, read and decoded
/// once: its domains with the state of their resolve task, their resolutions and their
/// connect results. Judging it under several rule sets reads nothing again.
public struct MeasurementObservations: Sendable {
    public struct Domain: Sendable, Hashable {
        public var name: String
        /// The resolve task's state: `done`, `not_testable`, or still `queued`/`leased`.
        public var state: String
        public var lastError: String?

        public init(name: String, state: String, lastError: String? = nil) {
            self.name = name
            self.state = state
            self.lastError = lastError
        }
    }

    public var measurementID: Int64
    /// Sorted by name.
    public var domains: [Domain]
    public var resolutions: [String: ResolutionObservation]
    public var connects: [String: [LinkedConnect]]
    /// The routing the RPKI subtests are judged on (`peil rpki load`); nil when none was given.
    public var rpki: RPKISnapshot?

    public init(measurementID: Int64, domains: [Domain], resolutions: [String: ResolutionObservation], connects: [String: [LinkedConnect]],
                rpki: RPKISnapshot? = nil) {
        self.measurementID = measurementID
        self.domains = domains
        self.resolutions = resolutions
        self.connects = connects
        self.rpki = rpki
    }

    /// Reads the measurement's domains, resolutions and connect results (one query each). For a
    /// rescan (``RescanOrigin``), the domains it did not measure again come from the measurement
    /// it rescans, following the chain, so a rescan covers the whole of its sets.
    public static func load(store: PeilStore, measurementID: Int64) throws -> MeasurementObservations {
        let own = MeasurementObservations(
            measurementID: measurementID,
            domains: try store.measuredDomains(measurementID: measurementID).map { Domain(name: $0.domain, state: $0.state, lastError: $0.lastError) },
            resolutions: try store.resolutionResults(measurementID: measurementID),
            connects: try store.connectResults(measurementID: measurementID),
            rpki: try store.rpkiSnapshot(measurementID: measurementID))
        guard let origin = try store.rescanOrigin(measurementID: measurementID) else { return own }
        return own.overlaying(try load(store: store, measurementID: origin.rescanOf), rescanned: Set(origin.rescanned))
    }

    /// This rescan's own observations of `rescanned`, and `older`'s of every other domain.
    func overlaying(_ older: MeasurementObservations, rescanned: Set<String>) -> MeasurementObservations {
        let kept = older.domains.filter { !rescanned.contains($0.name) }
        let keptNames = Set(kept.map(\.name))
        return MeasurementObservations(
            measurementID: measurementID,
            domains: (domains.filter { rescanned.contains($0.name) } + kept).sorted { $0.name < $1.name },
            resolutions: resolutions.filter { rescanned.contains($0.key) }.merging(older.resolutions.filter { keptNames.contains($0.key) }) { new, _ in new },
            connects: connects.filter { rescanned.contains($0.key) }.merging(older.connects.filter { keptNames.contains($0.key) }) { new, _ in new },
            rpki: rpki ?? older.rpki)
    }

    /// The DNS facts of every domain with a resolution, by domain.
    public var facts: [String: DNSFacts] { resolutions.mapValues(\.facts) }
}

/// Why verdicts or a report input could not be assembled.
public struct VerdictsError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
