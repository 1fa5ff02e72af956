import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// Issue 12, "watching it": a real Prometheus scrapes a coordinator and an agent during a
/// measurement, and its own query API shows the counters moving.
///
/// The coordinator runs on the host (it reaches PostgreSQL on the host's 127.0.0.1) and the agent
/// in a lab vantage namespace, whose 127.0.0.1 is its own loopback: no loopback reaches both. So
/// two Prometheus servers run, each on 127.0.0.1 of its own namespace scraping the endpoint on
/// that same loopback (the host's for the coordinator, the vantage's for the agent), and are
/// queried there: no traffic leaves a loopback. Needs root, `ops/pg start` and `prometheus`.
final class MetricsScrapeTests: XCTestCase {
    static let classLab = ClassLab(prefix: "pmx\(getpid() % 10_000)")

    override class func setUp() {
        super.setUp()
        classLab.up()
    }

    override class func tearDown() {
        classLab.down()
        super.tearDown()
    }

    func testPrometheusScrapesCoordinatorAndAgentAndSeesTheCountersMoveDuringAMeasurement() throws {
        try TestRequirements.require(.root, .postgreSQL, .peilBinary, .program(PrometheusServer.binary), .program("/usr/bin/curl"))
        let backbone = try Self.classLab.backbone()
        addTeardownBlock { backbone.tearDown() }
        let truth = backbone.lab.expectedFacts()
        let vantage = backbone.lab.vantageNamespace(for: [.ipv4, .ipv6])
        try backbone.makeKey("watched", allowListed: true)
        try backbone.importLabSet("lab")

        let coordinatorPort = try PrometheusServer.freePort(), agentPort = try PrometheusServer.freePort()
        let coordinator = try backbone.fleet.startCoordinator(["--resolve-only", "--metrics", "127.0.0.1:\(coordinatorPort)"])
        // Paced, so the measurement lasts long enough for several scrapes.
        _ = try backbone.startAgent("watched", families: [.ipv4, .ipv6],
                                    extra: ["--metrics", "127.0.0.1:\(agentPort)", "--rate", "2", "--concurrency", "2"])
        try backbone.waitForAgents(1)

        let hostPrometheus = try PrometheusServer(namespace: nil, port: try PrometheusServer.freePort(),
                                                  targets: ["coordinator": "127.0.0.1:\(coordinatorPort)"],
                                                  folder: backbone.directory.appendingPathComponent("prometheus-host"))
        addTeardownBlock { hostPrometheus.stop() }
        let vantagePrometheus = try PrometheusServer(namespace: vantage, port: try PrometheusServer.freePort(),
                                                     targets: ["agent": "127.0.0.1:\(agentPort)"],
                                                     folder: backbone.directory.appendingPathComponent("prometheus-vantage"))
        addTeardownBlock { vantagePrometheus.stop() }
        XCTAssertTrue(try eventually(timeout: 30, every: 0.5) { try hostPrometheus.value(#"up{job="coordinator"}"#) == 1 },
                      "Prometheus does not reach the coordinator:\n\(hostPrometheus.log)\n\(backbone.logs)")
        XCTAssertTrue(try eventually(timeout: 30, every: 0.5) { try vantagePrometheus.value(#"up{job="agent"}"#) == 1 },
                      "Prometheus does not reach the agent:\n\(vantagePrometheus.log)\n\(backbone.logs)")

        // Health: both up, as one line of JSON.
        let coordinatorHealth = try PrometheusServer.get("http://127.0.0.1:\(coordinatorPort)/health", namespace: nil)
        XCTAssertEqual(coordinatorHealth.status, 200, coordinatorHealth.body)
        XCTAssertTrue(coordinatorHealth.body.hasPrefix(#"{"checks":{"database":true},"status":"ok","uptime_seconds":"#), coordinatorHealth.body)
        let agentHealth = try PrometheusServer.get("http://127.0.0.1:\(agentPort)/health", namespace: vantage)
        XCTAssertEqual(agentHealth.status, 200, agentHealth.body)
        XCTAssertTrue(agentHealth.body.hasPrefix(#"{"checks":{"coordinator":true},"status":"ok""#), agentHealth.body)

        let id = try backbone.measure("lab")
        let stored = #"sum(peil_results_stored_total{job="coordinator",disposition="stored"})"#
        var first: Double?
        XCTAssertTrue(try eventually(timeout: 60, every: 0.5) {
            first = try hostPrometheus.value(stored)
            return (first ?? 0) > 0
        }, "no stored result seen by Prometheus:\n\(backbone.logs)")
        let firstSeen = try XCTUnwrap(first)
        XCTAssertLessThan(firstSeen, Double(truth.count), "the measurement was over at the first reading; nothing seen moving")
        var later: Double?
        XCTAssertTrue(try eventually(timeout: 60, every: 0.5) {
            later = try hostPrometheus.value(stored)
            return (later ?? 0) > firstSeen
        }, "results stored did not move past \(firstSeen) in Prometheus")
        print("results stored, as Prometheus saw them during the measurement: \(firstSeen), then \(later ?? 0), of \(truth.count)")

        let progress = try backbone.waitForCompletion(id, timeout: 120)
        XCTAssertTrue(progress.isComplete, "\(progress)\n\(backbone.logs)")
        // Prometheus catches up with the end: every result stored, every task done, all finished by the agent.
        var lastStored: Double?
        XCTAssertTrue(try eventually(timeout: 20, every: 0.5) {
            lastStored = try hostPrometheus.value(stored)
            return lastStored == Double(truth.count)
        }, "stored: \(String(describing: lastStored)) of \(truth.count)")
        XCTAssertTrue(try eventually(timeout: 20, every: 0.5) {
            try hostPrometheus.value(#"sum(peil_tasks{measurement="\#(id)",kind="resolve",state="done"})"#) == Double(truth.count)
        }, "the task gauge never showed every task done")
        XCTAssertTrue(try eventually(timeout: 20, every: 0.5) {
            (try vantagePrometheus.value(#"sum(peil_agent_tasks_finished_total{job="agent",kind="resolve"})"#) ?? 0) >= Double(truth.count)
        }, "the agent's finished tasks did not reach \(truth.count)")
        XCTAssertGreaterThan(try XCTUnwrap(try vantagePrometheus.value(#"sum(peil_agent_probe_duration_seconds_count{kind="resolve"})"#)), 0)
        XCTAssertGreaterThan(try XCTUnwrap(try hostPrometheus.value("peil_store_duration_seconds_count")), 0)
        XCTAssertGreaterThan(try XCTUnwrap(try hostPrometheus.value("peil_claim_duration_seconds_count")), 0)
        XCTAssertEqual(try hostPrometheus.value(#"peil_agents_connected{family="ipv6"}"#), 1)
        XCTAssertEqual(try hostPrometheus.value("peil_refused_keys_total"), 0)

        // `peil agents`: the agent, connected, with its families and version.
        let listing = try backbone.peil(["agents"]).output
        let row = try XCTUnwrap(listing.split(separator: "\n").first { $0.hasPrefix("watched ") }, listing)
        XCTAssertTrue(row.contains("connected") && row.contains("ipv4,ipv6") && row.contains(PeilVersion.current), listing)

        // The coordinator stops: its agent is no longer connected, and its health says so (503).
        coordinator.process.signal(SIGTERM)
        XCTAssertNotNil(coordinator.process.wait(timeout: .seconds(15)), "the coordinator did not stop")
        var lastHealth: (status: Int, body: String)?
        XCTAssertTrue(try eventually(timeout: 30, every: 0.5) {
            lastHealth = try PrometheusServer.get("http://127.0.0.1:\(agentPort)/health", namespace: vantage)
            return lastHealth?.status == 503
        }, "the agent's health stayed \(String(describing: lastHealth))")
        XCTAssertTrue(lastHealth?.body.hasPrefix(#"{"checks":{"coordinator":false},"status":"unhealthy""#) ?? false, "\(String(describing: lastHealth))")
    }
}
