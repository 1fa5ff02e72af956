@testable import Agent
@testable import Coordinator
import Foundation
import PeilModel
import Store
import Telemetry
import XCTest

/// The names, types and labels the roles' metrics render as in Prometheus text format
/// (docs/OPERATIONS.md lists them; a renamed metric breaks dashboards, so it breaks here first).
final class MetricsRenderingTests: XCTestCase {
    private func lines(_ registry: MetricsRegistry) -> [String] {
        String(decoding: registry.render(), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func testCoordinatorCountsResultsRefusalsLatenciesAndSetsTaskAndAgentGauges() throws {
        let registry = MetricsRegistry()
        let metrics = CoordinatorMetrics(factory: registry.factory)
        metrics.stored(kind: .resolve, disposition: .stored, in: .milliseconds(3))
        metrics.stored(kind: .resolve, disposition: .stored, in: .milliseconds(30))
        metrics.stored(kind: nil, disposition: .duplicate, in: .milliseconds(2))
        metrics.claimed(in: .milliseconds(7))
        metrics.keysRefused(total: 2)
        metrics.keysRefused(total: 2)
        metrics.keysRefused(total: 3)
        var tally = RefusalTally()
        _ = tally.count(.wrongKind, agentID: "a")
        _ = tally.count(.wrongKind, agentID: "b")
        metrics.resultsRefused(tally)
        _ = tally.count(.tooLarge, agentID: "a")
        metrics.resultsRefused(tally)
        metrics.tasks([TaskStateCount(measurementID: 4, kind: "resolve", state: "queued", count: 10),
                       TaskStateCount(measurementID: 4, kind: "resolve", state: "done", count: 2)])
        metrics.tasks([TaskStateCount(measurementID: 4, kind: "resolve", state: "done", count: 12)])
        let now = ContinuousClock.now
        metrics.agentsConnected([AgentSession(routingID: Data("r1".utf8), agentID: "dual", sessionID: "s1", publicKey: "k1", families: [.ipv4, .ipv6], concurrency: 4, lastHeard: now),
                                 AgentSession(routingID: Data("r2".utf8), agentID: "four", sessionID: "s2", publicKey: "k2", families: [.ipv4], concurrency: 4, lastHeard: now)])

        let text = lines(registry)
        for expected in [
            "# TYPE peil_results_stored_total counter",
            #"peil_results_stored_total{kind="resolve",disposition="stored"} 2"#,
            #"peil_results_stored_total{kind="unknown",disposition="duplicate"} 1"#,
            "# TYPE peil_store_duration_seconds histogram",
            #"peil_store_duration_seconds_bucket{le="0.005"} 2"#,
            #"peil_store_duration_seconds_bucket{le="0.05"} 3"#,
            "peil_store_duration_seconds_count 3",
            "# TYPE peil_claim_duration_seconds histogram",
            "peil_claim_duration_seconds_count 1",
            "# TYPE peil_refused_keys_total counter",
            "peil_refused_keys_total 3",
            #"peil_results_refused_total{reason="wrong_kind"} 2"#,
            #"peil_results_refused_total{reason="too_large"} 1"#,
            "# TYPE peil_tasks gauge",
            #"peil_tasks{measurement="4",kind="resolve",state="done"} 12.0"#,
            #"peil_tasks{measurement="4",kind="resolve",state="queued"} 0.0"#,
            #"peil_agents_connected{family="ipv4"} 2.0"#,
            #"peil_agents_connected{family="ipv6"} 1.0"#,
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text.joined(separator: "\n"))")
        }
        XCTAssertEqual(metrics.health.databaseReachable, true)
        metrics.databaseChecked(reachable: false)
        XCTAssertEqual(metrics.health.databaseReachable, false)
    }

    func testAgentCountsFinishedTasksAndProbeLatencyPerKindAndTracksRunningAndConnected() {
        let registry = MetricsRegistry()
        let metrics = AgentMetrics(factory: registry.factory)
        XCTAssertTrue(lines(registry).contains("peil_agent_tasks_running 0.0"))
        metrics.loopState(connected: true, running: 3)
        metrics.probeFinished(kind: .resolve, outcome: .completed, after: .milliseconds(800))
        metrics.probeFinished(kind: .resolve, outcome: .timeout, after: .seconds(40))
        metrics.probeFinished(kind: .web, outcome: .completed, after: .seconds(2))
        let text = lines(registry)
        for expected in [
            "# TYPE peil_agent_tasks_running gauge",
            "peil_agent_tasks_running 3.0",
            "# TYPE peil_agent_tasks_finished_total counter",
            #"peil_agent_tasks_finished_total{kind="resolve",outcome="completed"} 1"#,
            #"peil_agent_tasks_finished_total{kind="resolve",outcome="timeout"} 1"#,
            #"peil_agent_tasks_finished_total{kind="web",outcome="completed"} 1"#,
            "# TYPE peil_agent_probe_duration_seconds histogram",
            #"peil_agent_probe_duration_seconds_bucket{kind="resolve",le="1.0"} 1"#,
            #"peil_agent_probe_duration_seconds_bucket{kind="resolve",le="60.0"} 2"#,
            #"peil_agent_probe_duration_seconds_count{kind="web"} 1"#,
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text.joined(separator: "\n"))")
        }
        XCTAssertTrue(metrics.health.connected)
        metrics.loopState(connected: false, running: 0)
        XCTAssertFalse(metrics.health.connected)
        XCTAssertTrue(lines(registry).contains("peil_agent_tasks_running 0.0"))
    }

    func testAgentCountsTLSScansSharedOrOwnWithTheirHandshakesAndConnections() {
        let registry = MetricsRegistry()
        let metrics = AgentMetrics(factory: registry.factory)
        func web(_ tls: TLSScanResult) -> TaskReport {
            TaskReport(taskID: 1, attempt: 1, outcome: .completed,
                       connect: ConnectObservation(web: WebObservation(tls: tls, https: nil, http: nil, port80: .refused)))
        }
        metrics.tlsScanFinished(kind: .web, report: web(TLSScanResult(outcome: .completed, handshakes: 20, connections: 18)))
        metrics.tlsScanFinished(kind: .web, report: web(TLSScanResult(outcome: .completed, handshakes: 6, connections: 6, serverScanReused: true)))
        metrics.tlsScanFinished(kind: .web, report: web(TLSScanResult(outcome: .noTLS, handshakes: 15)))
        metrics.tlsScanFinished(kind: .mail, report: TaskReport(taskID: 2, attempt: 1, outcome: .completed,
                                                                connect: ConnectObservation(mail: MailServerObservation(tls: TLSScanResult(outcome: .noStartTLS, handshakes: 1, connections: 1)))))
        // No scan in the report: nothing counted.
        metrics.tlsScanFinished(kind: .web, report: TaskReport(taskID: 3, attempt: 1, outcome: .timeout))
        metrics.tlsScanFinished(kind: .resolve, report: TaskReport(taskID: 4, attempt: 1, outcome: .completed))
        let text = lines(registry)
        for expected in [
            #"peil_agent_tls_scans_total{kind="web",outcome="completed",server_scan="own"} 1"#,
            #"peil_agent_tls_scans_total{kind="web",outcome="completed",server_scan="shared"} 1"#,
            #"peil_agent_tls_scans_total{kind="web",outcome="noTLS",server_scan="own"} 1"#,
            #"peil_agent_tls_scans_total{kind="mail",outcome="noStartTLS",server_scan="own"} 1"#,
            #"peil_agent_tls_handshakes_total{kind="web"} 41"#,
            #"peil_agent_tls_handshakes_total{kind="mail"} 1"#,
            #"peil_agent_tls_connections_total{kind="web"} 24"#,
            #"peil_agent_tls_connections_total{kind="mail"} 1"#,
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text.joined(separator: "\n"))")
        }
        XCTAssertEqual(text.filter { $0.hasPrefix("peil_agent_tls_scans_total") }.count, 4, text.joined(separator: "\n"))
        XCTAssertFalse(metrics.health.connected)
        XCTAssertTrue(lines(registry).contains("peil_agent_tasks_running 0.0"))
    }
}
