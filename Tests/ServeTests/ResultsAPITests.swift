import Foundation
import PeilModel
import Serve
import Store
import XCTest

/// Results: pages, filters, the streamed CSV and JSON lines, the batch shape and one domain
/// with every subtest and its evidence.
final class ResultsAPITests: APITestCase {
    func measured() throws -> Int64 {
        try importTaggedSet()
        let id = try store.createMeasurement(sets: ["gov"])
        try complete(id)
        return id
    }

    func testPagesAndFilters() async throws {
        let reader = try makeKey("reader", .read)
        let id = try measured()
        try await withAPI { api in
            let all = try await api.call(.get, "/api/v1/measurements/\(id)/results", key: reader)
            XCTAssertEqual(all.items.map { $0["domain"] }, [.string("a.nl"), .string("b.nl"), .string("z.nl")])
            XCTAssertEqual(all.json?["nextCursor"], .null)
            XCTAssertEqual(all.items.first?["web"]?["dnssec"]?["status"], .string("failed"), "an insecure domain")
            XCTAssertNotEqual(all.items.first?["web"]?["dnssec"]?["because"], .string(""), "the evidence is there")

            let first = try await api.call(.get, "/api/v1/measurements/\(id)/results?limit=2", key: reader)
            XCTAssertEqual(first.items.count, 2)
            XCTAssertEqual(first.json?["nextCursor"], .string("b.nl"))
            let rest = try await api.call(.get, "/api/v1/measurements/\(id)/results?limit=2&cursor=b.nl", key: reader)
            XCTAssertEqual(rest.items.map { $0["domain"] }, [.string("z.nl")])

            let one = try await api.call(.get, "/api/v1/measurements/\(id)/results?domain=B.nl", key: reader)
            XCTAssertEqual(one.items.map { $0["domain"] }, [.string("b.nl")])
            let tagged = try await api.call(.get, "/api/v1/measurements/\(id)/results?tag=agency%3DBeta", key: reader)
            XCTAssertEqual(tagged.items.map { $0["domain"] }, [.string("z.nl")])
            let failed = try await api.call(.get, "/api/v1/measurements/\(id)/results?status=failed", key: reader)
            XCTAssertEqual(failed.items.count, 3)
            let seen = Set(all.items.flatMap { item in ["web", "mail"].flatMap { test -> [String] in
                guard case .object(let cells) = item[test] else { return [] }
                return cells.values.compactMap { $0["status"]?.string }
            } })
            let unseen = try XCTUnwrap(Status.allCases.map(\.rawValue).first { !seen.contains($0) }, "every status occurs")
            let none = try await api.call(.get, "/api/v1/measurements/\(id)/results?status=\(unseen)", key: reader)
            XCTAssertEqual(none.items.count, 0, "no domain has a column \(unseen)")

            for (path, expected) in [("/api/v1/measurements/\(id)/results?status=bad", 400), ("/api/v1/measurements/\(id)/results?rules=nope", 400),
                                     ("/api/v1/measurements/\(id)/results?format=xml", 400), ("/api/v1/measurements/\(id)/results?tag=agency", 400),
                                     ("/api/v1/measurements/999/results", 404)] {
                let status = try await api.call(.get, path, key: reader).status
                XCTAssertEqual(status, expected, path)
            }
        }
    }

    func testExportsAndTheBatchShape() async throws {
        let reader = try makeKey("reader", .read)
        let id = try measured()
        try await withAPI { api in
            let csv = try await api.call(.get, "/api/v1/measurements/\(id)/results?format=csv", key: reader)
            XCTAssertEqual(csv.status, 200)
            XCTAssertEqual(csv.headers[.contentType], "text/csv; charset=utf-8")
            let rows = csv.text.split(separator: "\n")
            XCTAssertEqual(rows.count, 4)
            XCTAssertTrue(rows[0].hasPrefix("domain,dnssec,"), String(rows[0]))
            XCTAssertTrue(rows[1].hasPrefix("a.nl,"))

            let lines = try await api.call(.get, "/api/v1/measurements/\(id)/results?format=jsonl&domain=z.nl", key: reader)
            XCTAssertEqual(lines.text.split(separator: "\n").count, 1)
            XCTAssertEqual(try JSONValue.parse(Data(lines.text.utf8))["domain"], .string("z.nl"))

            let batch = try await api.call(.get, "/api/v1/measurements/\(id)/results?format=batch&test=mail", key: reader)
            XCTAssertEqual(batch.status, 200)
            XCTAssertEqual(batch.json?["request"]?["request_type"], .string("mail"))
            guard case .object(let domains) = batch.json?["domains"] else { return XCTFail("no domains") }
            XCTAssertEqual(domains.keys.sorted(), ["a.nl", "b.nl", "z.nl"])
        }
    }

    func testOneDomainWithEverySubtest() async throws {
        let reader = try makeKey("reader", .read)
        let id = try measured()
        try await withAPI { api in
            let domain = try await api.call(.get, "/api/v1/measurements/\(id)/domains/a.nl", key: reader)
            XCTAssertEqual(domain.status, 200)
            XCTAssertEqual(domain.json?["domain"], .string("a.nl"))
            guard case .object(let subtests) = domain.json?["subtests"] else { return XCTFail("no subtests") }
            XCTAssertGreaterThan(subtests.count, 20)
            let status6 = try await api.call(.get, "/api/v1/measurements/\(id)/domains/other.nl", key: reader).status
            XCTAssertEqual(status6, 404)
        }
    }
}
