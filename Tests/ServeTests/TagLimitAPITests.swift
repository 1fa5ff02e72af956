import Foundation
import PeilModel
import Serve
import Store
import XCTest

/// A key limited to one organisation's domains (tag agency=Alpha) never sees Beta's z.nl:
/// not in lists, not by name (404), not in sets' counts, reports or explanations.
final class TagLimitAPITests: APITestCase {
    func testAnotherOrganisationsDomainIsInvisible() async throws {
        let alpha = try makeKey("alpha", .analyst, tag: TagLimit(name: "agency", value: "Alpha"))
        try importTaggedSet()
        _ = try store.importSet(name: "beta-only", entries: try SeedListFixture.csv("domain,agency\nz.nl,Beta\n"))
        let id = try store.createMeasurement(sets: ["gov"])
        try complete(id)
        _ = try store.addExplanation(domain: try .init(parsing: "z.nl"), column: try BulkColumns.column(named: "web.hsts"), text: "Beta's reason",
                                     by: "beta", until: nil)
        try await withAPI { api in
            let results = try await api.call(.get, "/api/v1/measurements/\(id)/results", key: alpha)
            XCTAssertEqual(results.items.map { $0["domain"] }, [.string("a.nl"), .string("b.nl")])
            for format in ["csv", "jsonl", "batch"] {
                let export = try await api.call(.get, "/api/v1/measurements/\(id)/results?format=\(format)", key: alpha)
                XCTAssertEqual(export.status, 200)
                XCTAssertFalse(export.text.contains("z.nl"), "\(format) leaks z.nl")
            }
            let count1 = try await api.call(.get, "/api/v1/measurements/\(id)/results?domain=z.nl", key: alpha).items.count
            XCTAssertEqual(count1, 0)
            let status2 = try await api.call(.get, "/api/v1/measurements/\(id)/domains/z.nl", key: alpha).status
            XCTAssertEqual(status2, 404)
            let status3 = try await api.call(.get, "/api/v1/measurements/\(id)/domains/a.nl", key: alpha).status
            XCTAssertEqual(status3, 200)

            let sets = try await api.call(.get, "/api/v1/sets", key: alpha)
            XCTAssertEqual(sets.items.map { $0["name"] }, [.string("gov")], "a set without Alpha's domains is not listed")
            XCTAssertEqual(sets.items.first?["domains"], .number(2))

            let report = try await api.call(.get, "/api/v1/measurements/\(id)/report", key: alpha)
            XCTAssertEqual(report.status, 200)
            XCTAssertFalse(report.text.contains("z.nl"), "the report leaks z.nl")
            XCTAssertTrue(report.text.contains("a.nl"))

            let explanations = try await api.call(.get, "/api/v1/explanations", key: alpha)
            XCTAssertEqual(explanations.items.count, 0)
            let explainBeta = try await api.call(.post, "/api/v1/explanations", key: alpha,
                                                 body: #"{"domain": "z.nl", "column": "web.hsts", "text": "not ours"}"#)
            XCTAssertEqual(explainBeta.status, 404)
            XCTAssertFalse(explainBeta.text.contains("Beta"))

            let status4 = try await api.call(.post, "/api/v1/measurements", key: alpha, body: #"{"sets": ["gov"]}"#).status
            XCTAssertEqual(status4, 403)
            let status5 = try await api.call(.post, "/api/v1/sets", key: alpha,
                                              body: #"{"name": "gov", "files": [{"name": "l", "text": "a.nl"}]}"#).status
            XCTAssertEqual(status5, 403)
            let status6 = try await api.call(.post, "/api/v1/measurements/\(id)/cancel", key: alpha).status
            XCTAssertEqual(status6, 403)
            let rescanBeta = try await api.call(.post, "/api/v1/measurements/\(id)/rescans", key: alpha, body: #"{"domains": ["z.nl"]}"#)
            XCTAssertEqual(rescanBeta.status, 422)
            let rescanFailed = try await api.call(.post, "/api/v1/measurements/\(id)/rescans", key: alpha, body: #"{"only": ["failed"]}"#)
            XCTAssertEqual(rescanFailed.status, 201)
            XCTAssertEqual(rescanFailed.json?["domains"], .array([.string("a.nl"), .string("b.nl")]), "only Alpha's own domains")
        }
    }
}
