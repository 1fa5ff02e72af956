import Foundation
import Serve
import Store
import XCTest

/// `POST /sets` validates as `peil import` does and is all or nothing; bad bodies are refused
/// with a clear status and message.
final class SetsAPITests: APITestCase {
    func testAnImportReplacesTheSetAndIsListed() async throws {
        let analyst = try makeKey("analyst", .analyst)
        try await withAPI { api in
            let body = json(["name": "gov", "files": [["name": "gov.csv", "text": APITestCase.taggedList]]])
            let imported = try await api.call(.post, "/api/v1/sets", key: analyst, body: body)
            XCTAssertEqual(imported.status, 200)
            XCTAssertEqual(imported.json?["domains"], .number(3))
            XCTAssertEqual(imported.json?["newDomains"], .number(3))
            let sets = try await api.call(.get, "/api/v1/sets", key: analyst)
            XCTAssertEqual(sets.items.count, 1)
            XCTAssertEqual(sets.items.first?["name"], .string("gov"))
            XCTAssertEqual(sets.items.first?["tags"]?["agency"], .number(3))
        }
    }

    func testABadListIsRefusedWholeNamingEveryBadLine() async throws {
        let analyst = try makeKey("analyst", .analyst)
        _ = try store.importSet(name: "gov", entries: try SeedListFixture.plain("kept.nl"))
        try await withAPI { api in
            let text = "good.nl\nnot a domain\nalso-good.nl\n-bad-.nl\n"
            let answer = try await api.call(.post, "/api/v1/sets", key: analyst,
                                            body: json(["name": "gov", "files": [["name": "list.txt", "text": text]]]))
            XCTAssertEqual(answer.status, 422)
            XCTAssertEqual(answer.problems.count, 2, "\(answer.problems)")
            XCTAssertTrue(answer.problems[0].contains("list.txt") && answer.problems[0].contains("2"), answer.problems[0])
            XCTAssertTrue(answer.problems[1].contains("4"), answer.problems[1])
        }
        let sets = try store.listSets()
        XCTAssertEqual(sets.map(\.domains), [1], "the set kept its old member: nothing was written")
    }

    func testMalformedUnknownAndOversizedBodiesAreRefused() async throws {
        let analyst = try makeKey("analyst", .analyst)
        try await withAPI(configuration(maxBodyBytes: 2048)) { api in
            let malformed = try await api.call(.post, "/api/v1/sets", key: analyst, body: #"{"name": "gov", "files": ["#)
            XCTAssertEqual(malformed.status, 400)
            XCTAssertTrue(malformed.message.hasPrefix("malformed JSON"), malformed.message)

            let unknown = try await api.call(.post, "/api/v1/sets", key: analyst,
                                             body: #"{"name": "gov", "files": [{"name": "l", "text": "a.nl"}], "replace": true}"#)
            XCTAssertEqual(unknown.status, 400)
            XCTAssertEqual(unknown.problems, ["$: unknown field 'replace'"])

            let wrongType = try await api.call(.post, "/api/v1/sets", key: analyst, body: #"{"name": 7, "files": []}"#)
            XCTAssertEqual(wrongType.status, 400)
            XCTAssertEqual(wrongType.problems, ["$.files: fewer than 1 items", "$.name: expected string, found number"])

            let notAnObject = try await api.call(.post, "/api/v1/sets", key: analyst, body: "[]")
            XCTAssertEqual(notAnObject.status, 400)

            let big = String(repeating: "x.nl\n", count: 1000)
            let oversized = try await api.call(.post, "/api/v1/sets", key: analyst, body: json(["name": "gov", "files": [["name": "l", "text": big]]]))
            XCTAssertEqual(oversized.status, 413)
            XCTAssertEqual(oversized.message, "request body over 2048 bytes")
        }
        XCTAssertEqual(try store.listSets(), [], "no refused body wrote anything")
    }
}
