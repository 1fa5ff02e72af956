import CoreMetrics
import Metrics
import Foundation
import PeilModel
import Store
import Synchronization

/// What a coordinator counts, through the swift-metrics API with the factory it is given (the
/// names, types and labels are listed in docs/OPERATIONS.md), and its health for `/health`.
/// The loop records events as they happen; the agent gauges are set from the periodic
/// refresh, the task gauges from a grouped query on a connection of its own
/// (``TaskCountPacing``), never per message.
public final class CoordinatorMetrics: Sendable {
    private let factory: any MetricsFactory
    private let started = ContinuousClock.now
    private let claimDuration: CoreMetrics.Timer
    private let storeDuration: CoreMetrics.Timer
    private let refusedKeys: Counter
    private let state = Mutex(RefreshState())

    private struct RefreshState {
        /// The task gauges set by the last refresh: a combination gone from the counts is set to 0.
        var taskLabels: Set<[String]> = []
        /// Results refused so far by reason, as last counted (the tally keeps totals).
        var refusedResults: [ReportRefusal: Int] = [:]
        var refusedKeys = 0
        /// Whether the last database refresh worked, and when it ran.
        var databaseReachable: Bool?
    }

    /// The timer of each claim query's duration (one value per claim).
    public static let claimDurationLabel = "peil_claim_duration_seconds"

    public init(factory: any MetricsFactory) {
        self.factory = factory
        claimDuration = CoreMetrics.Timer(label: Self.claimDurationLabel, dimensions: [], factory: factory)
        storeDuration = CoreMetrics.Timer(label: "peil_store_duration_seconds", dimensions: [], factory: factory)
        refusedKeys = Counter(label: "peil_refused_keys_total", dimensions: [], factory: factory)
    }

    /// A claim query took `duration`.
    func claimed(in duration: Duration) { claimDuration.record(duration: duration) }

    /// A result was stored (or judged) in `duration`, with `disposition`, for a task of `kind`
    /// (`unknown` when the lease is from before this coordinator started).
    func stored(kind: TaskKind?, disposition: ReportDisposition, in duration: Duration) {
        storeDuration.record(duration: duration)
        Counter(label: "peil_results_stored_total", dimensions: [("kind", kind?.rawValue ?? "unknown"), ("disposition", disposition.rawValue)],
                factory: factory).increment()
    }

    /// The ZAP authenticator has refused `total` keys so far.
    func keysRefused(total: Int) {
        let added = state.withLock { state -> Int in
            defer { state.refusedKeys = max(state.refusedKeys, total) }
            return total - state.refusedKeys
        }
        if added > 0 { refusedKeys.increment(by: added) }
    }

    /// The refusal tally's totals by reason.
    func resultsRefused(_ tally: RefusalTally) {
        var totals: [ReportRefusal: Int] = [:]
        for counts in tally.byAgent.values { for (refusal, count) in counts { totals[refusal, default: 0] += count } }
        let added = state.withLock { state -> [(ReportRefusal, Int)] in
            defer { state.refusedResults = totals }
            return totals.sorted { $0.key < $1.key }.compactMap { refusal, total in
                let added = total - state.refusedResults[refusal, default: 0]
                return added > 0 ? (refusal, added) : nil
            }
        }
        for (refusal, count) in added {
            Counter(label: "peil_results_refused_total", dimensions: [("reason", refusal.rawValue)], factory: factory).increment(by: count)
        }
    }

    /// The connected agent sessions' families: one gauge per family.
    func agentsConnected(_ sessions: some Collection<AgentSession>) {
        for family in AddressFamily.allCases {
            Gauge(label: "peil_agents_connected", dimensions: [("family", family.rawValue)], factory: factory)
                .record(sessions.filter { $0.families.contains(family) }.count)
        }
    }

    /// The tasks table's counts by measurement, kind and state; combinations that vanished are set to 0.
    func tasks(_ counts: [TaskStateCount]) {
        let labels = Set(counts.map { ["\($0.measurementID)", $0.kind, $0.state] })
        let vanished = state.withLock { state -> Set<[String]> in
            defer { state.taskLabels = labels }
            return state.taskLabels.subtracting(labels)
        }
        for count in counts { taskGauge(["\(count.measurementID)", count.kind, count.state]).record(count.count) }
        for label in vanished { taskGauge(label).record(0) }
    }

    private func taskGauge(_ label: [String]) -> Gauge {
        Gauge(label: "peil_tasks", dimensions: [("measurement", label[0]), ("kind", label[1]), ("state", label[2])], factory: factory)
    }

    /// Whether the last periodic database query worked.
    func databaseChecked(reachable: Bool) {
        state.withLock { $0.databaseReachable = reachable }
    }

    /// For `/health`: the database check (unknown before the first refresh counts as reachable:
    /// the coordinator does not start without its database) and the uptime.
    public var health: (databaseReachable: Bool, uptime: Duration) {
        (state.withLock { $0.databaseReachable ?? true }, ContinuousClock.now - started)
    }
}
