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

    public init(measurementID: Int64, domains: [Domain], resolutions: [String: ResolutionObservation], connects: [String: [LinkedConnect]]) {
        self.measurementID = measurementID
        self.domains = domains
        self.resolutions = resolutions
        self.connects = connects
    }

    /// Reads the measurement's domains, resolutions and connect results (one query each).
    public static func load(store: PeilStore, measurementID: Int64) throws -> MeasurementObservations {
        MeasurementObservations(
            measurementID: measurementID,
            domains: try store.measuredDomains(measurementID: measurementID).map { Domain(name: $0.domain, state: $0.state, lastError: $0.lastError) },
            resolutions: try store.resolutionResults(measurementID: measurementID),
            connects: try store.connectResults(measurementID: measurementID))
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
