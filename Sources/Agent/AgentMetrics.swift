import CoreMetrics
import Metrics
import PeilModel
import Synchronization

/// What an agent counts, through the swift-metrics API with the factory it is given (names,
/// types and labels in docs/OPERATIONS.md), and its health for `/health`: whether it is
/// connected (welcomed by the coordinator and not yet given up on it).
public final class AgentMetrics: Sendable {
    private let factory: any MetricsFactory
    private let started = ContinuousClock.now
    private let running: Gauge
    private let state = Mutex((connected: false, running: -1))

    public init(factory: any MetricsFactory) {
        self.factory = factory
        running = Gauge(label: "peil_agent_tasks_running", dimensions: [], factory: factory)
        running.record(0)
    }

    /// The socket loop's view after a round: welcomed or not, and the tasks it runs.
    func loopState(connected: Bool, running count: Int) {
        let changed = state.withLock { state -> Bool in
            defer { state = (connected, count) }
            return state.running != count
        }
        if changed { running.record(count) }
    }

    /// A probe of a `kind` task came back with `outcome` after `duration`.
    func probeFinished(kind: TaskKind, outcome: ProbeOutcome, after duration: Duration) {
        CoreMetrics.Timer(label: "peil_agent_probe_duration_seconds", dimensions: [("kind", kind.rawValue)], factory: factory)
            .record(duration: duration)
        Counter(label: "peil_agent_tasks_finished_total", dimensions: [("kind", kind.rawValue), ("outcome", outcome.rawValue)],
                factory: factory).increment()
    }

    /// A `web` or `mail` task's report: its TLS scan, if it made one, counted by how it ended
    /// and whether its server-wide parameters came from an earlier scan of the endpoint
    /// (`server_scan` "shared" or "own"), with its handshakes and TCP connections.
    func tlsScanFinished(kind: TaskKind, report: TaskReport) {
        let scan: TLSScanResult? = switch kind {
        case .web: report.connect?.web?.tls
        case .mail: report.connect?.mail?.tls
        case .resolve, .reach, .nameserver: nil
        }
        guard let scan else { return }
        let dimensions = [("kind", kind.rawValue)]
        Counter(label: "peil_agent_tls_scans_total",
                dimensions: dimensions + [("outcome", scan.outcome.rawValue), ("server_scan", scan.serverScanReused == true ? "shared" : "own")],
                factory: factory).increment()
        Counter(label: "peil_agent_tls_handshakes_total", dimensions: dimensions, factory: factory).increment(by: scan.handshakes)
        if let connections = scan.connections {
            Counter(label: "peil_agent_tls_connections_total", dimensions: dimensions, factory: factory).increment(by: connections)
        }
    }

    /// For `/health`: whether the agent is connected to its coordinator, and its uptime.
    public var health: (connected: Bool, uptime: Duration) {
        (state.withLock { $0.connected }, ContinuousClock.now - started)
    }
}
