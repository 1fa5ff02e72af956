import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// Issue 14's browser test: the dashboard in a real Chromium driven by Selenium, over a real
/// measurement of twin domains. The twin, restricted to the list's domains
/// (``TwinWorld/restricted(to:)``), is up with two agent hosts; the coordinator and
/// `peil serve` run in the coordinator host on its lab address (PostgreSQL through its Unix
/// socket), and Chromium, chromedriver and the Selenium script (`ops/dashboard-browser`) run in
/// that same namespace: the browser reaches only the dashboard's lab address. The script logs
/// in with an analyst key, imports a small tagged list, starts a measurement, watches its
/// progress reach 100 %, opens the report and a failed domain's evidence, explains that
/// failure, rescans the domain, downloads the CSV; a read key's writes are refused; a key
/// limited to one organisation sees only its domains. Screenshots go to
/// `var/dashboard-screenshots/`. Needs root, `ops/pg start`, `chromium`, `chromium-driver`
/// and `python3-selenium`.
final class DashboardBrowserTests: XCTestCase {
    static let python = "/usr/bin/python3"
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    static let port = 8080

    func testAnAnalystMeasuresExplainsAndRescansInTheBrowserAndKeysSeeOnlyWhatTheyMay() throws {
        try TestRequirements.require(.root, .postgreSQL, .peilBinary, .program(Self.python), .program(Self.chromium), .program(Self.chromedriver))
        let selenium = try TestProcess.run(Self.python, ["-c", "import selenium"])
        try XCTSkipIf(selenium.status != 0, "needs python3-selenium: \(selenium.standardError)")

        let twin = TwinGenerator.generate(seed: 2021, data: try TwinSeedData.load(from: TestPaths.seedData))
        // The list: twin domains of two organisations, one of them with a failed column to explain;
        // only their zones (and those they depend on) come up.
        let list = try Self.list(truth: twin.truth())
        let world = twin.restricted(to: list.alpha + list.beta)
        var configuration = LabConfiguration(prefix: "pdb\(getpid() % 1000)",
                                             stateDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("peil-dashboard-\(getpid())"))
        configuration.endpointServer = PeilProcess.peilBinary
        configuration.hosts = 2
        let lab = Lab(configuration: configuration, world: TwinCompiler.labWorld(world), endpoints: TwinEndpoints.plan(world))
        defer { try? lab.down() }
        let started = ContinuousClock.now
        try lab.up()
        print("dashboard test: lab up after \(ContinuousClock.now - started)")
        let coordinatorHost = try XCTUnwrap(lab.hosts.first { $0.role == .coordinator })
        let address = try XCTUnwrap(coordinatorHost.ipv4)

        let backbone = try Backbone(lab: lab, onHosts: true)
        defer { backbone.tearDown() }
        let agentHosts = lab.hosts.filter { $0.role == .agent }
        for host in agentHosts { try backbone.makeKey(LabFleet.agentName(on: host), allowListed: true) }
        _ = try backbone.startCoordinator(resolveOnly: false)
        for host in agentHosts { _ = try backbone.startAgent(on: host, extra: ["--concurrency", "16"]) }
        try backbone.waitForAgents(agentHosts.count)

        let listFile = backbone.directory.appendingPathComponent("dashboard-list.csv")
        try list.text.write(to: listFile, atomically: true, encoding: .utf8)

        func apiKey(_ name: String, _ role: String, tag: String? = nil) throws -> String {
            let output = try backbone.peil(["keys", "api", name, "--role", role] + (tag.map { ["--tag", $0] } ?? [])).output
            return try XCTUnwrap(output.split(whereSeparator: \.isNewline).map(String.init).last { $0.hasPrefix("peil_") }, output)
        }
        let analyst = try apiKey("analyst", "analyst"), reader = try apiKey("reader", "read")
        let alpha = try apiKey("alpha", "analyst", tag: "organisation=Alpha")

        let socketDatabase = try XCTUnwrap(backbone.fleet.database)
        let serve = try PeilProcess(name: "serve", namespace: coordinatorHost.namespace,
                                    arguments: ["serve", "--bind", "\(address):\(Self.port)", "--database", socketDatabase, "--rate-burst", "600", "--rate-per-second", "100"],
                                    directory: backbone.directory)
        defer { serve.stop() }

        print("dashboard test: fleet and server up after \(ContinuousClock.now - started)")
        let screenshots = TestPaths.inRepository("var/dashboard-screenshots")
        try? FileManager.default.removeItem(at: screenshots)
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let script = TestPaths.inRepository("ops/dashboard-browser").path
        let run = try TestProcess.run("/usr/sbin/ip", [
            "netns", "exec", coordinatorHost.namespace, Self.python, script,
            "--base", "http://\(address):\(Self.port)", "--analyst-key", analyst, "--read-key", reader, "--org-key", alpha,
            "--list", listFile.path, "--set", "browser", "--failed-domain", list.failedDomain, "--failed-column", list.failedColumn,
            "--own-domains", list.alpha.joined(separator: ","), "--other-domains", list.beta.joined(separator: ","),
            "--screenshots", screenshots.path, "--timeout", "600",
        ], timeout: .seconds(900))
        print(run.standardOutput)
        guard run.status == 0 else {
            return XCTFail("the browser scenario failed:\n\(run.standardOutput)\n\(run.standardError)\nserve:\n\(serve.log)\n\(backbone.logs)")
        }

        // What the browser did is in the database: the set, the measurement and its rescan, the explanation, the audit.
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM sets WHERE name = 'browser'"), 1)
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM explanations e JOIN domains d ON d.id = e.domain_id WHERE d.name = \(list.failedDomain)"), 1)
        XCTAssertGreaterThanOrEqual(try backbone.count("SELECT count(*) AS count FROM measurements"), 2, "no rescan measurement")
        XCTAssertGreaterThan(try backbone.count("SELECT count(*) AS count FROM api_audit a JOIN api_keys k ON k.id = a.key_id WHERE k.name = 'reader' AND a.status = 403"), 0,
                             "the read key's refused writes are not in the audit")
        let pngs = try FileManager.default.contentsOfDirectory(atPath: screenshots.path).filter { $0.hasSuffix(".png") }.sorted()
        XCTAssertGreaterThanOrEqual(pngs.count, 8, "screenshots: \(pngs)")
        print("screenshots in \(screenshots.path): \(pngs.joined(separator: ", "))")
    }

    /// A tagged list of twin domains: `organisation` Alpha for the first half, Beta for the
    /// rest; the first Alpha domain has a failed DMARC policy (or, failing that, a failed web
    /// column) to explain, named by its column key (`mail.dmarc_policy`).
    static func list(truth: [TwinDomainTruth]) throws -> (text: String, alpha: [String], beta: [String], failedDomain: String, failedColumn: String) {
        // Web servers whose IPv6 address answers: a silent one holds its tasks to their connect
        // timeouts (about 15 s, again in the rescan), which this test is not about.
        let sorted = truth.sorted { $0.domain < $1.domain }.filter { $0.web["ipv6_webserver"]?.status != .failed }
        let failing = sorted.first { $0.mail["dmarc_policy"]?.status == .failed }
            ?? sorted.first { ($0.web.values.contains { $0.status == .failed }) }
        let failed = try XCTUnwrap(failing, "the twin has no failed domain")
        let column = failed.mail["dmarc_policy"]?.status == .failed ? "mail.dmarc_policy"
            : "web." + failed.web.first { $0.value.status == .failed }!.key
        let others = sorted.filter { $0.domain != failed.domain && $0.web["tls_available"]?.status == .passed }.prefix(7).map(\.self)
        let alpha = [failed] + others.prefix(3), beta = Array(others.dropFirst(3))
        var text = "domain,layer,web_host,organisation\n"
        for entry in alpha { text += "\(entry.domain),\(entry.layer),\(entry.webHost),Alpha\n" }
        for entry in beta { text += "\(entry.domain),\(entry.layer),\(entry.webHost),Beta\n" }
        return (text, alpha.map(\.domain), beta.map(\.domain), failed.domain, column)
    }
}
