import Foundation
import PeilModel
import Serve
import Store
import XCTest

/// The report, explanations and rescans through the API.
final class ReportAPITests: APITestCase {
    func testTheReportAgainstABaselineAndSlicedByTag() async throws {
        let reader = try makeKey("reader", .read)
        try importTaggedSet()
        let baseline = try store.createMeasurement(sets: ["gov"])
        try complete(baseline)
        let id = try store.createMeasurement(sets: ["gov"])
        try complete(id)
        try await withAPI { api in
            let report = try await api.call(.get, "/api/v1/measurements/\(id)/report?baseline=\(baseline)&by=agency", key: reader)
            XCTAssertEqual(report.status, 200)
            XCTAssertEqual(report.json?["sliceBy"], .string("agency"))
            XCTAssertNotNil(report.json?["baseline"]?["name"])
            guard case .array(let adoption) = report.json?["adoption"] else { return XCTFail("no adoption") }
            XCTAssertFalse(adoption.isEmpty)
            let badSlice = try await api.call(.get, "/api/v1/measurements/\(id)/report?by=colour", key: reader)
            XCTAssertEqual(badSlice.status, 422)
            let status1 = try await api.call(.get, "/api/v1/measurements/\(id)/report?baseline=nope", key: reader).status
            XCTAssertEqual(status1, 404)
        }
    }

    func testExplanationsAreRecordedByTheKeyAndListed() async throws {
        let analyst = try makeKey("analyst", .analyst)
        try importTaggedSet()
        try await withAPI { api in
            let recorded = try await api.call(.post, "/api/v1/explanations", key: analyst,
                                              body: #"{"domain": "A.nl", "column": "hsts", "text": "<script>alert(1)</script>", "until": "2027-06-30"}"#)
            XCTAssertEqual(recorded.status, 201)
            XCTAssertEqual(recorded.json?["by"], .string("API key analyst"))
            XCTAssertEqual(recorded.json?["column"], .string("web.hsts"))
            let listed = try await api.call(.get, "/api/v1/explanations", key: analyst)
            XCTAssertEqual(listed.items.first?["text"], .string("<script>alert(1)</script>"), "JSON carries the text as it was given")
            let status2 = try await api.call(.post, "/api/v1/explanations", key: analyst,
                                              body: #"{"domain": "a.nl", "column": "nope", "text": "t"}"#).status
            XCTAssertEqual(status2, 422)
            let status3 = try await api.call(.post, "/api/v1/explanations", key: analyst,
                                              body: #"{"domain": "a.nl", "column": "hsts", "text": "t", "until": "2027-02-30"}"#).status
            XCTAssertEqual(status3, 422)
            let status4 = try await api.call(.post, "/api/v1/explanations", key: analyst,
                                              body: #"{"domain": "unknown.nl", "column": "hsts", "text": "t"}"#).status
            XCTAssertEqual(status4, 422)
        }
    }

    func testARescanOfNamedDomains() async throws {
        let analyst = try makeKey("analyst", .analyst)
        try importTaggedSet()
        let id = try store.createMeasurement(sets: ["gov"])
        try await withAPI { api in
            let running = try await api.call(.post, "/api/v1/measurements/\(id)/rescans", key: analyst, body: #"{"domains": ["a.nl"]}"#)
            XCTAssertEqual(running.status, 422, "a measurement still running cannot be rescanned")
        }
        try complete(id)
        try await withAPI { api in
            let rescan = try await api.call(.post, "/api/v1/measurements/\(id)/rescans", key: analyst, body: #"{"domains": ["B.nl"]}"#)
            XCTAssertEqual(rescan.status, 201)
            XCTAssertEqual(rescan.json?["rescanOf"], .number(Double(id)))
            XCTAssertEqual(rescan.json?["domains"], .array([.string("b.nl")]))
            let status5 = try await api.call(.post, "/api/v1/measurements/\(id)/rescans", key: analyst,
                                              body: #"{"domains": ["a.nl"], "only": ["failed"]}"#).status
            XCTAssertEqual(status5, 400)
            let status6 = try await api.call(.post, "/api/v1/measurements/\(id)/rescans", key: analyst,
                                              body: #"{"domains": ["not a domain"]}"#).status
            XCTAssertEqual(status6, 422)
            let status7 = try await api.call(.post, "/api/v1/measurements/\(id)/rescans", key: analyst,
                                              body: #"{"only": ["sad"]}"#).status
            XCTAssertEqual(status7, 400)
        }
        XCTAssertEqual(try store.rescanOrigin(measurementID: id + 1), RescanOrigin(rescanOf: id, rescanned: ["b.nl"]))
    }
}

/// `GET /diff`: two measurements compared per domain and column; a tag-limited key's diff covers
/// its own domains, counts included.
final class DiffAPITests: APITestCase {
    func testADiffAndItsTagLimitedView() async throws {
        let reader = try makeKey("reader", .read)
        let alpha = try makeKey("alpha", .read, tag: TagLimit(name: "agency", value: "Alpha"))
        try importTaggedSet()
        let before = try store.createMeasurement(sets: ["gov"])
        try complete(before)
        let after = try store.createMeasurement(sets: ["gov"])
        try complete(after)
        try await withAPI { api in
            let all = try await api.call(.get, "/api/v1/diff?before=\(before)&after=\(after)&all=true", key: reader)
            XCTAssertEqual(all.status, 200)
            guard case .array(let cells) = all.json?["cells"], case .number(let unchanged) = all.json?["counts"]?["unchanged"] else {
                return XCTFail("no cells or counts")
            }
            XCTAssertEqual(Set(cells.compactMap { $0["domain"]?.string }), ["a.nl", "b.nl", "z.nl"])
            XCTAssertEqual(Int(unchanged), cells.count, "the same observations: nothing changed")

            let limited = try await api.call(.get, "/api/v1/diff?before=\(before)&after=\(after)&all=true", key: alpha)
            guard case .array(let own) = limited.json?["cells"], case .number(let ownUnchanged) = limited.json?["counts"]?["unchanged"] else {
                return XCTFail("no cells or counts")
            }
            XCTAssertEqual(Set(own.compactMap { $0["domain"]?.string }), ["a.nl", "b.nl"])
            XCTAssertEqual(Int(ownUnchanged), own.count, "counted over Alpha's domains only")
            XCTAssertFalse(limited.text.contains("z.nl"))
            let changedOnly = try await api.call(.get, "/api/v1/diff?before=\(before)&after=\(after)", key: alpha)
            XCTAssertEqual(changedOnly.json?["cells"], .array([]))

            let csv = try await api.call(.get, "/api/v1/diff?before=\(before)&after=\(after)&all=true&format=csv", key: alpha)
            XCTAssertEqual(csv.headers[.contentType], "text/csv; charset=utf-8")
            XCTAssertFalse(csv.text.contains("z.nl"))
            let missing = try await api.call(.get, "/api/v1/diff?before=\(before)", key: reader)
            XCTAssertEqual(missing.status, 400)
            let unknown = try await api.call(.get, "/api/v1/diff?before=\(before)&after=999", key: reader)
            XCTAssertEqual(unknown.status, 404)
        }
    }
}
