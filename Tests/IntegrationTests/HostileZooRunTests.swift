import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// The whole hostile zoo (``HostileZoo``: the hostile DNS world, a domain per hostile TLS, HTTP
/// and SMTP endpoint, and one at special-purpose addresses) measured by a real coordinator and
/// a dual-stack agent: every task ends within its deadline, the agent's peak memory over the run
/// is printed, and an agent sent SIGTERM in the middle of the zoo exits within its drain bound
/// and gives its leases back. Each case's own status is checked by the probe and lab tests
/// (`HostileDNSLabTests`, `LabHostile*PortTests`); here the run as a whole. Needs root and
/// `ops/pg start`.
final class HostileZooRunTests: XCTestCase {
    /// The coordinator's lease here: the agent's task deadline is 50 s (lease − 1/6).
    static let leaseSeconds = 60
    /// The agent's drain bound (`AgentStateMachine.Settings.drainLimit`).
    static let drainLimit: TimeInterval = 20
    /// What a loaded machine may add to a bound (process exit, the last report's send).
    static let slack: TimeInterval = 10

    func testTheZooEndsWithinItsDeadlinesAndAnAgentStopsInTimeInTheMiddleOfIt() throws {
        try TestRequirements.require(.root, .postgreSQL, .peilBinary)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("peil-zoo-\(getpid())")
        var configuration = LabConfiguration(prefix: "pzo\(getpid() % 1000)", stateDirectory: state)
        configuration.endpointServer = PeilProcess.peilBinary
        let lab = Lab(configuration: configuration, world: HostileZoo.world, endpoints: HostileZoo.endpoints)
        defer { try? lab.down() }
        try lab.up()
        let backbone = try Backbone(lab: lab)
        defer { backbone.tearDown() }
        try backbone.importLabSet("zoo")
        try backbone.makeKey("zoo", allowListed: true)
        // One attempt per task: a task that runs out its deadline (deepsilent.nl's resolution) is
        // not tried again; this run is about deadlines, the queue's tests are about retries.
        _ = try backbone.fleet.startCoordinator(["--lease-seconds", "\(Self.leaseSeconds)", "--max-attempts", "1"])
        let agent = try backbone.startAgent("zoo", families: [.ipv4, .ipv6], extra: ["--log-level", "debug"])
        try backbone.waitForAgents(1)
        let vantage = lab.vantageNamespace(for: [.ipv4, .ipv6])
        let unroutedBefore = try Self.packetsWithoutRoute(in: vantage)

        // One whole run of the zoo.
        let started = Date()
        let id = try backbone.measure("zoo")
        let progress = try backbone.waitForCompletion(id, timeout: 900)
        XCTAssertTrue(progress.isComplete, "the zoo did not finish: \(progress)\n\(backbone.logs)")
        let peakKiB = try XCTUnwrap(Self.peakResidentKiB(agent.process.pid), "the agent's VmHWM")
        print("zoo: \(HostileZoo.world.domains.count) domains, \(progress.total) tasks in \(String(format: "%.1f", Date().timeIntervalSince(started))) s;"
              + " agent peak memory \(peakKiB / 1024) MiB (VmHWM)")
        XCTAssertLessThan(peakKiB, 1 << 20, "the agent's peak memory over the zoo stays under 1 GiB")

        let times = Self.taskTimes(agent.log)
        XCTAssertGreaterThanOrEqual(times.count, progress.total, "every task's time is logged")
        for time in times.sorted(by: { $0.took > $1.took }).prefix(8) {
            print(String(format: "  %@ %@: %@ in %.2f s of %.2f s", time.kind, time.domain, time.outcome, time.took, time.budget))
        }
        // A cancelled probe has the cancel grace to come back; nothing runs past that.
        for time in times where time.took > time.budget + 5 {
            XCTFail("\(time.kind) \(time.domain) ran \(time.took) s, its deadline was \(time.budget) s")
        }

        let output = try backbone.peil(["results", "--measurement", "\(id)", "--format", "jsonl"]).output
        let lines = output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(Set(lines.compactMap { $0["domain"] as? String }), Set(HostileZoo.world.domains.map(\.name)), "every zoo domain has results")
        func cell(_ domain: String, _ test: String, _ column: String) -> [String: Any] {
            let line = lines.first { $0["domain"] as? String == domain }
            return ((line?[test] as? [String: Any])?[column] as? [String: Any]) ?? [:]
        }
        func status(_ domain: String, _ test: String, _ column: String) -> String { cell(domain, test, column)["status"] as? String ?? "missing" }
        func shown(_ domain: String, _ test: String, _ column: String) -> String {
            "\(column) \(status(domain, test, column)) (\(cell(domain, test, column)["because"] as? String ?? "-"))"
        }
        // The agent's fence refuses special-purpose addresses: not a measurement, never failed,
        // and not one packet was even tried (the vantage has no route there: the kernel would
        // have counted it).
        for (test, column) in [("web", "tls_available"), ("mail", "starttls")] {
            let word = status(HostileZoo.specialDomain, test, column)
            print("  \(HostileZoo.specialDomain): \(shown(HostileZoo.specialDomain, test, column))")
            XCTAssertEqual(word, "error", shown(HostileZoo.specialDomain, test, column))
            XCTAssertTrue(shown(HostileZoo.specialDomain, test, column).contains("not probed"), shown(HostileZoo.specialDomain, test, column))
        }
        let unroutedAfter = try Self.packetsWithoutRoute(in: vantage)
        print("packets the vantage had no route for: \(unroutedBefore) before the run, \(unroutedAfter) after")
        XCTAssertEqual(unroutedAfter, unroutedBefore, "a packet to a special-purpose address was attempted")
        // The counters do count such an attempt: one connect per family from the vantage, which
        // the kernel refuses for want of a route (nothing leaves the namespace).
        let control = "import socket\nfor family, address in ((socket.AF_INET, '10.1.2.3'), (socket.AF_INET6, 'fc00::1')):\n"
            + "    s = socket.socket(family, socket.SOCK_STREAM)\n    try: s.connect((address, 443))\n    except OSError as e: print(e.errno)\n"
        let refused = try TestProcess.run("/usr/sbin/ip", ["netns", "exec", vantage, "python3", "-c", control]).standardOutput
        XCTAssertEqual(refused.split(separator: "\n"), ["\(ENETUNREACH)", "\(ENETUNREACH)"], "the control connects had a route")
        XCTAssertEqual(try Self.packetsWithoutRoute(in: vantage), unroutedAfter.map { $0 + 1 }, "the counters did not see the control connects")
        for (domain, _, _) in HostileZoo.webCases { print("  \(domain): \(shown(domain, "web", "tls_available")), \(shown(domain, "web", "https_redirect"))") }
        for (domain, _) in HostileZoo.mailCases { print("  \(domain): \(shown(domain, "mail", "starttls"))") }

        // SIGTERM in the middle of the zoo: once connect tasks are running.
        let second = try backbone.measure("zoo")
        let midway = try eventually(timeout: 300, every: 0.5) {
            try backbone.count("SELECT count(*) AS count FROM tasks WHERE measurement_id = \(second) AND state = 'leased' AND kind <> 'resolve'") >= 3
        }
        XCTAssertTrue(midway, "no connect tasks running in the second run\n\(backbone.logs)")
        let running = try backbone.count("SELECT count(*) AS count FROM tasks WHERE measurement_id = \(second) AND state = 'leased'")
        let stopped = Date()
        agent.signal(SIGTERM)
        let exited = agent.waitForExit(timeout: Self.drainLimit + Self.slack + 30)
        let took = Date().timeIntervalSince(stopped)
        print(String(format: "SIGTERM with %d tasks leased: the agent exited after %.1f s (drain bound %.0f s)", running, took, Self.drainLimit))
        XCTAssertTrue(exited, "the agent still runs \(took) s after SIGTERM")
        XCTAssertLessThan(took, Self.drainLimit + Self.slack, "exit within the drain bound")
        XCTAssertEqual(agent.process.terminationStatus, 0, agent.log.suffix(2000).description)
        // Its leases are back in the queue (BYE), none left to expire.
        let released = try eventually(timeout: 10) {
            try backbone.count("SELECT count(*) AS count FROM tasks WHERE state = 'leased' AND leased_by = 'zoo'") == 0
        }
        XCTAssertTrue(released, "the stopped agent's leases were not given back")
    }

    /// The IPv4 and IPv6 `OutNoRoutes` counters of `namespace`: packets the kernel had no route
    /// for (what a connect to an address outside the lab would have counted).
    static func packetsWithoutRoute(in namespace: String) throws -> [Int] {
        let ip = "/usr/sbin/ip"
        return try ["/proc/net/snmp", "/proc/net/snmp6"].map { file -> Int in
            let text = try TestProcess.run(ip, ["netns", "exec", namespace, "cat", file]).standardOutput
            let lines = text.split(separator: "\n")
            if file.hasSuffix("6") {
                let line = try XCTUnwrap(lines.first { $0.hasPrefix("Ip6OutNoRoutes") })
                return try XCTUnwrap(Int(line.split(whereSeparator: \.isWhitespace).last ?? ""), String(line))
            }
            // Two "Ip:" lines: the names, then the values.
            let ipLines = lines.filter { $0.hasPrefix("Ip: ") }
            let names = try XCTUnwrap(ipLines.first).split(separator: " "), values = try XCTUnwrap(ipLines.last).split(separator: " ")
            let index = try XCTUnwrap(names.firstIndex(of: "OutNoRoutes"))
            return try XCTUnwrap(Int(values[index]), String(ipLines.last ?? ""))
        }
    }

    /// The process's peak resident memory (VmHWM), KiB.
    static func peakResidentKiB(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }

    struct TaskTime {
        var kind: String
        var domain: String
        var outcome: String
        var took: Double
        var budget: Double
    }

    /// The agent's "task N attempt A KIND DOMAIN: OUTCOME in X s of Y s" debug lines.
    static func taskTimes(_ log: String) -> [TaskTime] {
        log.split(separator: "\n").compactMap { line -> TaskTime? in
            guard let range = line.range(of: #"task \d+ attempt \d+ \S+ \S+: \S+ in [0-9.]+ s of [0-9.]+ s"#, options: .regularExpression) else { return nil }
            let words = line[range].split(separator: " ")
            guard words.count == 13, let took = Double(words[8]), let budget = Double(words[11]) else { return nil }
            return TaskTime(kind: String(words[4]), domain: String(words[5].dropLast()), outcome: String(words[6]), took: took, budget: budget)
        }
    }
}
