import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// The backbone end to end: PostgreSQL, the minimal lab, a coordinator and agents as real
/// processes, over ZeroMQ with CURVE. Needs root (network namespaces) and `ops/pg start`.
final class BackboneTests: XCTestCase {
    static let classLab = ClassLab(prefix: "pit\(getpid() % 10_000)")

    override class func setUp() {
        super.setUp()
        classLab.up()
    }

    override class func tearDown() {
        classLab.down()
        super.tearDown()
    }

    private func backbone() throws -> Backbone {
        try TestRequirements.require(.root, .postgreSQL)
        let backbone = try Self.classLab.backbone()
        addTeardownBlock { backbone.tearDown() }
        return backbone
    }

    /// Every stored fact and DNSSEC status equals what the lab serves, for every lab domain,
    /// measured by two agents (dual-stack and IPv4-only vantage points); a third, IPv6-only
    /// agent is given no resolve task (they need an IPv4-capable vantage).
    func testTwoAgentsMeasureEveryLabDomainAndEveryStoredFactMatchesTheLab() throws {
        let backbone = try backbone()
        let truth = backbone.lab.expectedFacts()
        XCTAssertGreaterThanOrEqual(truth.count, 20)
        try backbone.makeKey("dual", allowListed: true)
        try backbone.makeKey("four", allowListed: true)
        try backbone.makeKey("six", allowListed: true)
        try backbone.importLabSet("lab")
        _ = try backbone.startCoordinator()
        _ = try backbone.startAgent("dual", families: [.ipv4, .ipv6])
        _ = try backbone.startAgent("four", families: [.ipv4])
        _ = try backbone.startAgent("six", families: [.ipv6])
        try backbone.waitForAgents(3)
        let started = ContinuousClock.now
        let id = try backbone.measure("lab")
        let progress = try backbone.waitForCompletion(id, timeout: 120)
        print("measurement of \(truth.count) lab domains by 2 agents: \(ContinuousClock.now - started)")
        XCTAssertTrue(progress.isComplete, "measurement incomplete: \(progress)\n\(backbone.logs)")
        XCTAssertEqual(progress.done, truth.count)
        XCTAssertEqual(progress.notTestable, 0)

        let results = try backbone.store.resolutionResults(measurementID: id)
        XCTAssertEqual(Set(results.keys), Set(truth.map(\.domain)))
        for expected in truth {
            guard var measured = results[expected.domain]?.facts else { continue }
            XCTAssertEqual(measured.dnssec, expected.dnssec, "\(expected.domain): DNSSEC status")
            measured.dnssecReason = expected.dnssecReason  // the resolver's words, not the lab's
            XCTAssertEqual(measured, expected, "\(expected.domain): stored facts differ from what the lab serves")
            let queries = results[expected.domain]?.queries ?? []
            XCTAssertTrue(queries.contains { $0.type == "SOA" && $0.name == expected.domain }, "\(expected.domain): raw SOA query stored")
        }
        // Both agents took part, and the raw observations are stored as they arrived.
        XCTAssertEqual(Set(progress.agents.map(\.agentID)), ["dual", "four"], "\(progress.agents)")
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM reports"), truth.count)

        // `peil results` derives the DNS-decided mail columns from what was stored (no connect
        // tasks ran: the web columns are errors, never failures).
        let csv = try backbone.peil(["results", "--measurement", "\(id)", "--rule-set", "internetnl-2021"]).output
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.first, ["domain", "dnssec", "tls_available", "tls_ncsc", "https_redirect", "hsts", "ipv6_web", "ipv6_nameserver",
                                    "ipv6_webserver", "dmarc", "dkim", "spf", "dmarc_policy", "spf_policy", "starttls", "starttls_ncsc",
                                    "dnssec_mx", "dane", "ipv6_mail", "mail_ipv6_nameserver", "ipv6_mailserver"])
        XCTAssertEqual(rows.dropFirst().map { $0[0] }, truth.map(\.domain).sorted())
        let words: Set<String> = ["passed", "failed", "warning", "info", "no_mx", "unreachable", "not_testable", "not_applicable", "error", "not_tested"]
        for row in rows.dropFirst() {
            XCTAssertEqual(row.count, 21, "\(row)")
            XCTAssertEqual(row[2], "error", "\(row): no web probe ran")
            XCTAssertTrue(row.dropFirst().allSatisfy(words.contains), "\(row)")
        }
        // A null MX alone means there is no mail to secure: dnssec_mx is not tested.
        for facts in truth where facts.nullMX && facts.mx.count == 1 {
            XCTAssertEqual(rows.first { $0[0] == facts.domain }?[16], "not_tested", facts.domain)
        }
    }

    /// SIGKILL one agent mid-measurement: its leases are released when it misses its
    /// heartbeats, the other agent finishes, and every domain is in the final results once.
    func testAgentKilledMidMeasurementEveryDomainMeasuredExactlyOnce() throws {
        let backbone = try backbone()
        let truth = backbone.lab.expectedFacts()
        try backbone.makeKey("doomed", allowListed: true)
        try backbone.makeKey("survivor", allowListed: true)
        try backbone.importLabSet("lab")
        _ = try backbone.startCoordinator(agentTimeout: 2)
        // Paced at 3 tasks a second, so it is surely mid-measurement when killed.
        let doomed = try backbone.startAgent("doomed", families: [.ipv4, .ipv6], extra: ["--rate", "3", "--concurrency", "4"])
        let id = try backbone.measure("lab")
        XCTAssertTrue(try eventually(timeout: 60) { try backbone.store.progress(measurementID: id).done >= 3 }, backbone.logs)
        doomed.signal(SIGKILL)
        XCTAssertTrue(doomed.waitForExit(timeout: 10))
        let atKill = try backbone.store.progress(measurementID: id)
        XCTAssertLessThan(atKill.done, truth.count, "the agent finished before it was killed; the test proves nothing")
        XCTAssertGreaterThan(atKill.leased, 0, "the killed agent held no leases")

        _ = try backbone.startAgent("survivor", families: [.ipv4, .ipv6])
        let progress = try backbone.waitForCompletion(id, timeout: 120)
        XCTAssertTrue(progress.isComplete, "\(progress)\n\(backbone.logs)")
        XCTAssertEqual(progress.done, truth.count)
        XCTAssertEqual(progress.notTestable, 0)
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM results WHERE measurement_id = \(id)"), truth.count)
        XCTAssertEqual(try backbone.count("SELECT count(DISTINCT domain) AS count FROM results WHERE measurement_id = \(id)"), truth.count)
        // The tasks the killed agent held were leased again and finished by the survivor.
        XCTAssertGreaterThan(try backbone.count("SELECT count(*) AS count FROM results WHERE attempt >= 2 AND agent_id = 'survivor'"), 0)
        let results = try backbone.store.resolutionResults(measurementID: id)
        for expected in truth {
            var measured = try XCTUnwrap(results[expected.domain]?.facts, expected.domain)
            measured.dnssecReason = expected.dnssecReason
            XCTAssertEqual(measured, expected, expected.domain)
        }
    }

    /// SIGTERM is a graceful stop: the agent finishes what it runs, gets its results
    /// acknowledged, says BYE and exits 0; what it had not started goes to the next agent.
    func testAgentStoppedWithSIGTERMFinishesItsWorkAndLeavesNothingBehind() throws {
        let backbone = try backbone()
        let truth = backbone.lab.expectedFacts()
        try backbone.makeKey("leaver", allowListed: true)
        try backbone.makeKey("stayer", allowListed: true)
        try backbone.importLabSet("lab")
        let coordinator = try backbone.startCoordinator(agentTimeout: 60)
        let leaver = try backbone.startAgent("leaver", families: [.ipv4], extra: ["--rate", "3", "--concurrency", "4"])
        let id = try backbone.measure("lab")
        XCTAssertTrue(try eventually(timeout: 60) { try backbone.store.progress(measurementID: id).done >= 2 }, backbone.logs)
        leaver.signal(SIGTERM)
        XCTAssertTrue(leaver.waitForExit(timeout: 30), "the agent did not stop:\n\(leaver.log)")
        XCTAssertEqual(leaver.process.terminationStatus, 0, leaver.log)
        // Its leases were released by BYE at once, not by the 60 s agent timeout.
        XCTAssertTrue(try eventually(timeout: 5) { try backbone.store.progress(measurementID: id).leased == 0 }, backbone.logs)
        XCTAssertTrue(coordinator.log.contains("said BYE"), coordinator.log)
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM reports o JOIN tasks t ON t.id = o.task_id WHERE o.agent_id = 'leaver' AND t.state <> 'done'"), 0,
                       "every task the leaver reported on is done")

        _ = try backbone.startAgent("stayer", families: [.ipv4, .ipv6])
        let progress = try backbone.waitForCompletion(id, timeout: 120)
        XCTAssertEqual(progress.done, truth.count, "\(progress)\n\(backbone.logs)")
        XCTAssertEqual(try backbone.count("SELECT count(DISTINCT domain) AS count FROM results WHERE measurement_id = \(id)"), truth.count)
        coordinator.signal(SIGTERM)
        XCTAssertTrue(coordinator.waitForExit(timeout: 15))
        XCTAssertEqual(coordinator.process.terminationStatus, 0, coordinator.log)
    }

    /// The coordinator keeps no state PostgreSQL does not hold: SIGKILL it mid-measurement,
    /// start a new one on the same endpoint, and the agents carry on to the end.
    func testCoordinatorKilledAndRestartedTheMeasurementCompletes() throws {
        let backbone = try backbone()
        let truth = backbone.lab.expectedFacts()
        try backbone.makeKey("steady", allowListed: true)
        try backbone.importLabSet("lab")
        let first = try backbone.startCoordinator()
        _ = try backbone.startAgent("steady", families: [.ipv4, .ipv6], extra: ["--rate", "4", "--concurrency", "4"])
        let id = try backbone.measure("lab")
        XCTAssertTrue(try eventually(timeout: 60) { try backbone.store.progress(measurementID: id).done >= 2 }, backbone.logs)
        first.signal(SIGKILL)
        XCTAssertTrue(first.waitForExit(timeout: 10))
        XCTAssertLessThan(try backbone.store.progress(measurementID: id).done, truth.count, "finished before the kill; proves nothing")

        _ = try backbone.startCoordinator()
        let progress = try backbone.waitForCompletion(id, timeout: 120)
        XCTAssertTrue(progress.isComplete, "\(progress)\n\(backbone.logs)")
        XCTAssertEqual(progress.done, truth.count)
        XCTAssertEqual(progress.notTestable, 0)
        XCTAssertEqual(try backbone.count("SELECT count(DISTINCT domain) AS count FROM results WHERE measurement_id = \(id)"), truth.count)
    }

    /// An agent whose key is not on the allow-list is refused at the CURVE handshake, says
    /// so and exits non-zero; nothing it could send is stored.
    func testAgentWithKeyNotOnTheAllowListIsRefusedAndNothingIsStored() throws {
        let backbone = try backbone()
        try backbone.makeKey("member", allowListed: true)
        try backbone.makeKey("stranger", allowListed: false)
        try backbone.importLabSet("lab")
        let coordinator = try backbone.startCoordinator()
        let id = try backbone.measure("lab")
        let stranger = try backbone.startAgent("stranger", families: [.ipv4, .ipv6])
        XCTAssertTrue(stranger.waitForExit(timeout: 30), "a refused agent should give up")
        XCTAssertNotEqual(stranger.process.terminationStatus, 0)
        XCTAssertTrue(stranger.log.contains("not on the allow-list"), stranger.log)
        XCTAssertTrue(coordinator.log.contains("not allow-listed"), coordinator.log)
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM agents"), 0)
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM reports"), 0)
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM tasks WHERE state <> 'queued' OR attempt > 0"), 0)
        XCTAssertEqual(try backbone.store.progress(measurementID: id).queued, backbone.lab.expectedFacts().count)
    }
}
