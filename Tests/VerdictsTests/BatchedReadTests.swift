import Checks
import Foundation
import PeilModel
import PeilTestSupport
import Report
import Store
import Verdicts
import XCTest

/// `peil results` and `peil report` read a measurement through a cursor and judge it a batch at
/// a time: whatever the batch size, the verdicts and every file of the report are the same.
final class BatchedReadTests: DatabaseTestCase {
    let psl = PublicSuffixList(text: "nl\n")

    /// A measurement of 23 domains: most resolved with varied facts (some with web addresses,
    /// so connect tasks are linked and still queued), two left leased.
    private func measure() throws -> Int64 {
        let names = (1...23).map { String(format: "d%02d.nl", $0) }
        let layers: [Layer] = [.rijk, .gemeenten, .provincies]
        let list = "domain,layer,agency\n" + names.enumerated().map { "\($1),\(layers[$0 % 3].rawValue),agency \($0 % 4)" }.joined(separator: "\n")
        _ = try store.importSet(name: "lab", entries: try SeedList.parse(list, fileName: "lab.csv"))
        let id = try store.createMeasurement(sets: ["lab"])
        let tasks = try store.claimTasks(agentID: "agent", families: [.ipv4, .ipv6], limit: 100, leaseSeconds: 300)
        for (index, task) in tasks.sorted(by: { $0.domain < $1.domain }).enumerated() where index % 11 != 5 {
            let web = index % 4 == 0 ? HostAddresses(host: task.webHost, ipv4: ["198.18.1.\(index + 1)"], ipv6: ["2001:2:0:1::\(index + 1)"])
                : HostAddresses(host: task.webHost)
            let facts = DNSFacts(domain: task.domain, dnssec: index % 3 == 0 ? .secure : .insecure, nsZone: task.domain, nameservers: [],
                                 domainAddresses: HostAddresses(host: task.domain), web: web, webDNSSEC: .insecure,
                                 mx: [], nullMX: index % 5 == 0, txt: [], spf: index % 2 == 0 ? ["v=spf1 -all"] : [],
                                 dmarc: index % 3 == 1 ? ["v=DMARC1; p=reject"] : [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
            let report = TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                                    resolution: ResolutionObservation(facts: facts, queries: []))
            XCTAssertEqual(try store.recordReport(report, agentID: "agent", maxAttempts: 3, plan: ConnectPlanner.plan(facts)), .stored)
        }
        XCTAssertGreaterThan(try store.database.query("SELECT count(*) AS n FROM task_links").single().decode("n", as: Int.self), 0,
                             "some domains rely on connect tasks")
        return id
    }

    func testVerdictsAreTheSameInEveryBatchSize() async throws {
        let id = try measure()
        let whole = await DomainVerdicts.evaluate(try MeasurementObservations.load(store: store, measurementID: id), ruleSet: .internetnlCurrent, psl: psl)
        XCTAssertEqual(whole.count, 23)
        for size in [1, 7, 10_000] {
            var batches: [[DomainVerdicts]] = []
            try await DomainVerdicts.judgeInBatches(store: store, measurementID: id, ruleSets: [.internetnlCurrent, .internetnl2021], psl: psl,
                                                    batchSize: size) { judged, observations in
                XCTAssertEqual(judged.count, 2)
                XCTAssertEqual(judged[0].map(\.domain), observations.domains.map(\.name))
                batches.append(judged[0])
            }
            XCTAssertEqual(batches.count, (23 + size - 1) / size)
            XCTAssertEqual(batches.flatMap { $0 }, whole, "batch size \(size)")
        }
    }

    func testTheReportIsTheSameByteForByteInEveryBatchSize() async throws {
        let id = try measure()
        var files: [Int: [String: Data]] = [:], spooled: [Int: [String: Data]] = [:]
        for size in [1, 7, 10_000] {
            let psl = psl
            var loader = ReportLoader(store: store, loadSuffixList: { psl })
            loader.batchSize = size
            var input = try await loader.input(.stored(String(id)), sets: nil, baseline: String(id), rules: .internetnlCurrent,
                                               baselineRules: .internetnl2021, sliceBy: "agency")
            input.reportTime = "2026-12-03T22:00:00Z"
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-batched-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: directory) }
            let written = try ReportFiles.write(ReportBuilder.build(input, title: "batched"), to: directory)
            files[size] = Dictionary(uniqueKeysWithValues: try written.map { ($0.lastPathComponent, try Data(contentsOf: $0)) })

            // What `peil report` does: each batch added as it is judged, the rows spooled to disk.
            let streamed = directory.appendingPathComponent("streamed")
            let report = try await loader.report(.stored(String(id)), sets: nil, baseline: String(id), rules: .internetnlCurrent,
                                                 baselineRules: .internetnl2021, sliceBy: "agency", title: "batched",
                                                 scratch: try DiskScratch(in: streamed))
            XCTAssertTrue(report.domains.isSpooled)
            let files = try ReportFiles.write(report, to: streamed)
            spooled[size] = Dictionary(uniqueKeysWithValues: try files.map { ($0.lastPathComponent, try Data(contentsOf: $0)) })
        }
        // `peil diff` of the measurement with itself under two rule sets: in batches through a
        // scratch file, the same cells as read whole in memory.
        var loader = ReportLoader(store: store, loadSuffixList: { [psl] in psl })
        let whole = try await loader.diff(String(id), String(id), set: nil, rules: .internetnl2021, includeUnchanged: true)
        XCTAssertGreaterThan(whole.cells.count, 100)
        loader.batchSize = 3
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-diff-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let batched = try await loader.diff(String(id), String(id), set: nil, rules: .internetnl2021, includeUnchanged: true,
                                            scratch: try DiskScratch(in: directory))
        XCTAssertTrue(batched == whole)
        XCTAssertEqual(files[1]?.count, 8, "every file, slices.csv too")
        XCTAssertGreaterThan(files[1]?["domains.csv"]?.count ?? 0, 500)
        for size in [1, 7, 10_000] {
            for (name, data) in files[1] ?? [:] {
                XCTAssertEqual(files[size]?[name], data, "\(name) with batch size \(size)")
                XCTAssertEqual(spooled[size]?[name], data, "\(name) streamed with batch size \(size)")
            }
        }
    }
}
