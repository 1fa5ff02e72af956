import Foundation
import Serve
import Store
import XCTest

/// Measurements: start, list, progress, cancel; refusals for unknown sets and ids.
final class MeasurementsAPITests: APITestCase {
    func testStartListFollowAndCancel() async throws {
        let analyst = try makeKey("analyst", .analyst)
        _ = try store.importSet(name: "gov", entries: try SeedListFixture.plain("a.nl", "b.nl"))
        let store = store!
        try await withAPI { api in
            let started = try await api.call(.post, "/api/v1/measurements", key: analyst, body: #"{"sets": ["gov"]}"#)
            XCTAssertEqual(started.status, 201)
            guard case .number(let number) = started.json?["id"] else { return XCTFail("no id") }
            let id = Int64(number)

            let list = try await api.call(.get, "/api/v1/measurements", key: analyst)
            XCTAssertEqual(list.items.first?["id"], .number(Double(id)))
            XCTAssertEqual(list.items.first?["sets"], .array([.string("gov")]))

            let status = try await api.call(.get, "/api/v1/measurements/\(id)", key: analyst)
            XCTAssertEqual(status.json?["progress"]?["queued"], .number(2))
            XCTAssertEqual(status.json?["complete"], .bool(false))

            let cancelled = try await api.call(.post, "/api/v1/measurements/\(id)/cancel", key: analyst)
            XCTAssertEqual(cancelled.json?["cancelledTasks"], .number(2))
            let after = try await api.call(.get, "/api/v1/measurements/\(id)", key: analyst)
            XCTAssertEqual(after.json?["complete"], .bool(true))
            XCTAssertEqual(after.json?["progress"]?["notTestable"], .number(2))
            let reasons = try store.measuredDomains(measurementID: id).map(\.lastError)
            XCTAssertEqual(reasons, Array(repeating: "measurement cancelled through the API by key analyst", count: 2))
        }
        XCTAssertEqual(try store.auditEntries().map(\.target), ["measurement 1", "measurement 1"].map(Optional.some))
    }

    func testPagesOfMeasurements() async throws {
        let reader = try makeKey("reader", .read)
        _ = try store.importSet(name: "gov", entries: try SeedListFixture.plain("a.nl"))
        let ids = try (0..<3).map { _ in try store.createMeasurement(sets: ["gov"]) }
        try await withAPI { api in
            let first = try await api.call(.get, "/api/v1/measurements?limit=2", key: reader)
            XCTAssertEqual(first.items.map { $0["id"] }, [.number(Double(ids[2])), .number(Double(ids[1]))])
            XCTAssertEqual(first.json?["nextCursor"], .string(String(ids[1])))
            let second = try await api.call(.get, "/api/v1/measurements?limit=2&cursor=\(ids[1])", key: reader)
            XCTAssertEqual(second.items.map { $0["id"] }, [.number(Double(ids[0]))])
            XCTAssertEqual(second.json?["nextCursor"], .null)
            let status1 = try await api.call(.get, "/api/v1/measurements?limit=0", key: reader).status
            XCTAssertEqual(status1, 400)
        }
    }

    func testRefusals() async throws {
        let analyst = try makeKey("analyst", .analyst)
        try await withAPI { api in
            let unknownSet = try await api.call(.post, "/api/v1/measurements", key: analyst, body: #"{"sets": ["nope"]}"#)
            XCTAssertEqual(unknownSet.status, 422)
            XCTAssertEqual(unknownSet.message, "there is no set named 'nope' (see peil sets)")
            let emptySets = try await api.call(.post, "/api/v1/measurements", key: analyst, body: #"{"sets": []}"#).status
            XCTAssertEqual(emptySets, 400)
            for (path, expected) in [("/api/v1/measurements/99", 404), ("/api/v1/measurements/x", 400)] {
                let status = try await api.call(.get, path, key: analyst).status
                XCTAssertEqual(status, expected, path)
            }
            let cancelUnknown = try await api.call(.post, "/api/v1/measurements/99/cancel", key: analyst).status
            XCTAssertEqual(cancelUnknown, 404)
        }
    }
}
