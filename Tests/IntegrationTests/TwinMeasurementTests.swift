import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// The web and mail tests end to end on the twin: a sample of its domains, up with every
/// provider and platform of the twin and its endpoints (its own server, real nginx and Postfix;
/// ``TwinWorld/restricted(to:)``: the zones of the other domains are left out), measured by
/// IPv4-only, IPv6-only and dual-stack agents (resolve, then reach, nameserver, web and mail
/// connect tasks), and `peil results` compared with the whole twin's ground truth. Needs root
/// and `ops/pg start`.
final class TwinMeasurementTests: XCTestCase {
    /// Every `sampleEvery`-th domain of the twin (sorted by name), about 300, plus every domain
    /// served by nginx or Postfix.
    static let sampleEvery = 8

    func testWebAndMailColumnsAgreeWithTheGroundTruth() throws {
        try TestRequirements.require(.root, .postgreSQL, .peilBinary)
        let twin = TwinGenerator.generate(seed: 2021, data: try TwinSeedData.load(from: Self.dataDirectory))
        let truth = Dictionary(uniqueKeysWithValues: twin.truth().map { ($0.domain, $0) })
        let realWeb = Set(twin.webPlatforms.filter { $0.server != nil }.map(\.id))
        let realMail = Set(twin.mailPlatforms.filter { $0.server != nil }.flatMap(\.hostNames))
        let onRealServers = Set(twin.domains.filter { realWeb.contains($0.web.platform) || $0.mail.mx.contains { realMail.contains($0.host) } }.map(\.name))
        XCTAssertFalse(onRealServers.isEmpty, "the twin has no nginx or Postfix hosts")
        let sample = truth.keys.sorted().enumerated()
            .filter { $0.offset % Self.sampleEvery == 0 || onRealServers.contains($0.element) }.compactMap { truth[$0.element] }
        let silent = sample.filter { $0.web["tls_available"]?.status == .error }
        XCTAssertFalse(silent.isEmpty, "the sample has no host whose port 443 is silent; the timeout rule goes unchecked")
        // Only the sample's zones (and those they depend on) come up: its truth stays the whole twin's.
        let world = twin.restricted(to: sample.map(\.domain))
        let restrictedTruth = Dictionary(uniqueKeysWithValues: world.truth().map { ($0.domain, $0) })
        for domain in sample { XCTAssertEqual(restrictedTruth[domain.domain], domain, "\(domain.domain): restricting the twin changed its truth") }

        let state = FileManager.default.temporaryDirectory.appendingPathComponent("peil-twinweb-\(getpid())")
        var configuration = LabConfiguration(prefix: "pitw\(getpid() % 1000)", stateDirectory: state)
        configuration.endpointServer = PeilProcess.peilBinary
        let lab = Lab(configuration: configuration, world: TwinCompiler.labWorld(world), endpoints: TwinEndpoints.plan(world))
        defer { try? lab.down() }
        let labStarted = Date()
        try lab.up()
        print("twin (\(world.domains.count) of \(twin.domains.count) domains) up with endpoints: \(String(format: "%.1f", Date().timeIntervalSince(labStarted))) s")

        let backbone = try Backbone(lab: lab)
        defer { backbone.tearDown() }
        let list = backbone.directory.appendingPathComponent("sample.txt")
        try (sample.map { "\($0.domain) \($0.webHost)" }.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        try backbone.peil(["import", "--set", "sample", list.path])
        for name in ["four", "six", "dual"] { try backbone.makeKey(name, allowListed: true) }
        _ = try backbone.startCoordinator(resolveOnly: false)
        // Debug lines: each probe's time, for the figures below.
        let trust = ["--trust-store", lab.certificateAuthorityFile.path, "--concurrency", "48", "--log-level", "debug"]
        let agents = [try backbone.startAgent("four", families: [.ipv4], extra: trust),
                      try backbone.startAgent("six", families: [.ipv6], extra: trust),
                      try backbone.startAgent("dual", families: [.ipv4, .ipv6], extra: trust)]
        try backbone.waitForAgents(3)
        let measured = Date()
        let cpuBefore = TwinMeasurementFigures.CPUSnapshot.now()
        let id = try backbone.measure("sample")
        // Leased and queued tasks each second: are the agents' slots leased, and is there work queued?
        var samples: [(queued: Int, leased: Int)] = []
        var progress = try backbone.store.progress(measurementID: id)
        while !progress.isComplete && Date().timeIntervalSince(measured) < 900 {
            samples.append((progress.queued, progress.leased))
            Thread.sleep(forTimeInterval: 1)
            progress = try backbone.store.progress(measurementID: id)
        }
        let cpuAfter = TwinMeasurementFigures.CPUSnapshot.now()
        let wall = Date().timeIntervalSince(measured)
        XCTAssertTrue(progress.isComplete, "measurement did not finish: \(progress)\n\(backbone.logs)")
        print("\(sample.count) domains, \(progress.total) tasks measured in \(String(format: "%.1f", wall)) s "
              + "(\(String(format: "%.1f", Double(progress.total) / wall)) tasks/s)")
        print(try TwinMeasurementFigures.report(store: backbone.store, measurement: id, agentLogs: agents.map(\.log), wall: wall,
                                                slots: 3 * 48, before: cpuBefore, after: cpuAfter))
        let mean = { (values: [Int]) in String(format: "%.1f", Double(values.reduce(0, +)) / Double(max(values.count, 1))) }
        print("each second (\(samples.count) samples): leased mean \(mean(samples.map(\.leased))), max \(samples.map(\.leased).max() ?? 0); "
              + "queued mean \(mean(samples.map(\.queued))); seconds with work queued and fewer than 100 leased: "
              + "\(samples.filter { $0.queued > 0 && $0.leased < 100 }.count)")
        XCTAssertEqual(progress.notTestable, 0, backbone.logs)
        // IPv6 connect tasks went only to agents with an IPv6 vantage, IPv4 ones only to IPv4 vantages.
        XCTAssertEqual(try backbone.count("""
            SELECT count(*) AS count FROM results r JOIN tasks t ON t.id = r.task_id
            WHERE (t.family = 'ipv6' AND r.agent_id = 'four') OR (t.family = 'ipv4' AND r.agent_id = 'six')
            """), 0)

        // `peil results --format json` of the twin: Internet.nl's batch API response, per test.
        for test in ["web", "mail"] {
            let document = try backbone.peil(["results", "--measurement", "\(id)", "--format", "json", "--test", test]).output
            let errors = try BatchSchema.validationErrors(document)
            XCTAssertNil(errors, "\(test): " + String((errors ?? "").prefix(3000)))
            XCTAssertTrue(document.contains("\"\(test)_"), "\(test): no subtest in the document")
        }
        let output = try backbone.peil(["results", "--measurement", "\(id)", "--rule-set", "internetnl-2021", "--format", "jsonl"]).output
        let comparison = try TwinComparison.compare(truth: try JSONEncoder().encode(sample), results: Data(output.utf8))
        let cells = comparison.cells
        func lines(_ disagreement: TwinComparison.Disagreement, _ cases: [TwinComparison.Case]) -> [String] {
            cases.map { "\($0.domain) \(disagreement.column): truth \(disagreement.truth.rawValue) (\($0.truthBecause)), measured \(disagreement.measured?.rawValue ?? "missing") (\($0.measuredBecause))" }
        }
        let disagreements = comparison.disagreements.flatMap { lines($0, $0.cases) }
        let realServerDisagreements = comparison.disagreements.flatMap { lines($0, $0.cases.filter { onRealServers.contains($0.domain) }) }
        // A probe that timed out is never a failed standard.
        for disagreement in comparison.disagreements where [.error, .unreachable].contains(disagreement.truth) {
            XCTAssertNotEqual(disagreement.measured, .failed, lines(disagreement, disagreement.cases).joined(separator: "\n"))
        }
        XCTAssertEqual(cells, sample.count * 20, "every sampled domain has its 8 web and 12 mail columns")
        XCTAssertEqual(realServerDisagreements, [], "nginx and Postfix hosts get the verdicts the ground truth says")

        // RPKI: the twin's routing given to the measurement; every sampled domain's RPKI
        // subtests are what the routing's causes say for the addresses its truth has.
        let routing = TwinRouting(twin)
        let roas = backbone.directory.appendingPathComponent("roas.json"), origins = backbone.directory.appendingPathComponent("origins.txt")
        try routing.roaExport().write(to: roas)
        try Data(routing.originTable().utf8).write(to: origins)
        try backbone.peil(["rpki", "load", "--measurement", "\(id)", "--roas", roas.path, "--origins", origins.path])
        let withRPKI = try backbone.peil(["results", "--measurement", "\(id)", "--format", "jsonl"]).output
        let rpki = try routing.compare(truth: sample, results: Data(withRPKI.utf8))
        print("RPKI subtests: \(rpki.cells - rpki.disagreements.count) of \(rpki.cells) cells agree with the twin's routing")
        XCTAssertEqual(rpki.cells, sample.count * 10)
        XCTAssertEqual(rpki.disagreements, [], rpki.disagreements.prefix(20).joined(separator: "\n"))

        // The web and mail subtests the twin varies (security headers, CAA, DANE, security.txt, the
        // same website over IPv4 and IPv6; the mail servers' CAA; Peil's own TLS-RPT), under both
        // rule sets: every sampled domain's are what the truth says of its causes.
        for (rules, document) in [("internetnl-current", withRPKI), ("internetnl-2021", output)] {
            let subtests = try TwinSubtestComparison.compare(truth: sample, results: Data(document.utf8))
            print("web and mail subtests (\(rules)): \(subtests.agreeingCells) of \(subtests.cells) cells agree with the twin's truth")
            print(subtests.table())
            XCTAssertEqual(subtests.cells, sample.count * 11, rules)
            XCTAssertEqual(subtests.disagreements, [], subtests.disagreements.prefix(30).joined(separator: "\n"))
        }

        // The cloud mail provider: one mail task per address, however many domains use it.
        let cloud = try backbone.store.database.query("""
            SELECT count(*) AS tasks, count(DISTINCT t.address) AS addresses, count(DISTINCT l.domain_id) AS domains,
                   (SELECT COALESCE(sum((r.observation->'mail'->'tls'->>'handshakes')::int), 0) FROM tasks c JOIN results r ON r.task_id = c.id
                    WHERE c.measurement_id = \(id) AND c.kind = 'mail' AND c.domain LIKE '%.wolkmail.com') AS handshakes
            FROM tasks t JOIN task_links l ON l.task_id = t.id
            WHERE t.measurement_id = \(id) AND t.kind = 'mail' AND t.domain LIKE '%.wolkmail.com'
            """).single()
        let (tasks, addresses, domains): (Int, Int, Int) = (try cloud.decode("tasks"), try cloud.decode("addresses"), try cloud.decode("domains"))
        print("cloud mail: \(domains) domains, \(addresses) addresses, \(try cloud.decode("handshakes", as: Int.self)) STARTTLS connections")
        XCTAssertGreaterThan(domains, addresses, "the sample shares cloud mail addresses")
        XCTAssertEqual(try backbone.count("""
            SELECT count(*) AS count FROM tasks WHERE measurement_id = \(id) AND kind = 'mail' AND domain LIKE '%.wolkmail.com'
            """), addresses, "one mail task per cloud address (task_links rows: \(tasks))")
        let agreement = cells == 0 ? 0 : 100.0 * Double(cells - disagreements.count) / Double(cells)
        print("web and mail columns: \(cells - disagreements.count) of \(cells) cells agree (\(String(format: "%.2f", agreement))%)")
        for disagreement in disagreements.prefix(30) { print("  " + disagreement) }
        XCTAssertGreaterThanOrEqual(agreement, 99.5, disagreements.prefix(30).joined(separator: "\n"))
    }

    /// `shared/data` (see ``TestPaths``).
    static var dataDirectory: URL { TestPaths.seedData }
}
