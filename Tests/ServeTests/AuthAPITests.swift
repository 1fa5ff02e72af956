import Foundation
import Hummingbird
import Serve
import Store
import XCTest

/// Keys: missing, unknown and revoked keys are 401, a lesser role 403, a key over its rate 429;
/// every write is audited; the document itself is open and lists exactly the router's routes.
final class AuthAPITests: APITestCase {
    func testMissingUnknownAndRevokedKeysAre401() async throws {
        let reader = try makeKey("reader", .read)
        let revoked = try makeKey("gone", .admin)
        try store.revokeAPIKey(name: "gone")
        try await withAPI { api in
            let missing = try await api.call(.get, "/api/v1/sets")
            XCTAssertEqual(missing.status, 401)
            XCTAssertEqual(missing.headers[.wwwAuthenticate], "Bearer realm=\"peil\"")
            let status1 = try await api.call(.get, "/api/v1/sets", key: "peil_" + String(repeating: "0", count: 64)).status
            XCTAssertEqual(status1, 401)
            let gone = try await api.call(.get, "/api/v1/sets", key: revoked)
            XCTAssertEqual(gone.status, 401)
            XCTAssertEqual(gone.message, "unknown or revoked API key")
            let status2 = try await api.call(.get, "/api/v1/sets", key: reader).status
            XCTAssertEqual(status2, 200)
            let status3 = try await api.call(.get, "/api/v1/openapi.json").status
            XCTAssertEqual(status3, 200, "the document needs no key")
        }
    }

    func testAReadKeyCannotWrite() async throws {
        let reader = try makeKey("reader", .read)
        _ = try store.importSet(name: "gov", entries: try SeedListFixture.plain("a.nl"))
        try await withAPI { api in
            let start = try await api.call(.post, "/api/v1/measurements", key: reader, body: #"{"sets": ["gov"]}"#)
            XCTAssertEqual(start.status, 403)
            XCTAssertEqual(start.message, "key 'reader' has role read; this needs analyst")
            let status4 = try await api.call(.post, "/api/v1/sets", key: reader, body: #"{"name": "x", "files": [{"name": "l", "text": "b.nl"}]}"#).status
            XCTAssertEqual(status4, 403)
            let status5 = try await api.call(.post, "/api/v1/explanations", key: reader,
                                              body: #"{"domain": "a.nl", "column": "web.hsts", "text": "t"}"#).status
            XCTAssertEqual(status5, 403)
        }
        XCTAssertEqual(try store.measurementIDs(), [], "nothing was started")
        let audit = try store.auditEntries()
        XCTAssertEqual(audit.map(\.status), [403, 403, 403], "refused writes are audited too")
        XCTAssertEqual(Set(audit.map(\.keyName)), ["reader"])
    }

    func testAKeyOverItsRateGets429WithRetryAfter() async throws {
        let reader = try makeKey("reader", .read)
        let other = try makeKey("other", .read)
        try await withAPI(configuration(rateBurst: 2, ratePerSecond: 0.01)) { api in
            let status6 = try await api.call(.get, "/api/v1/sets", key: reader).status
            XCTAssertEqual(status6, 200)
            let status7 = try await api.call(.get, "/api/v1/sets", key: reader).status
            XCTAssertEqual(status7, 200)
            let limited = try await api.call(.get, "/api/v1/sets", key: reader)
            XCTAssertEqual(limited.status, 429)
            XCTAssertEqual(limited.headers[.retryAfter], "100")
            let status8 = try await api.call(.get, "/api/v1/sets", key: other).status
            XCTAssertEqual(status8, 200, "each key has its own bucket")
        }
    }

    func testEveryWriteIsAuditedWithWhoWhatWhen() async throws {
        let analyst = try makeKey("analyst", .analyst)
        let before = Date().addingTimeInterval(-5)
        try await withAPI { api in
            let body = #"{"name": "gov", "files": [{"name": "list.txt", "text": "a.nl\nb.nl\n"}]}"#
            let status9 = try await api.call(.post, "/api/v1/sets", key: analyst, body: body).status
            XCTAssertEqual(status9, 200)
            let status10 = try await api.call(.get, "/api/v1/sets", key: analyst).status
            XCTAssertEqual(status10, 200)
        }
        let admin = try makeKey("admin", .admin)
        try await withAPI { api in
            let listed = try await api.call(.get, "/api/v1/audit", key: admin)
            XCTAssertEqual(listed.items.map { $0["target"] }, [.string("set gov")])
            XCTAssertEqual(listed.items.first?["keyName"], .string("analyst"))
            let refused = try await api.call(.get, "/api/v1/audit", key: analyst)
            XCTAssertEqual(refused.status, 403, "only admin reads the audit")
        }
        let audit = try store.auditEntries()
        XCTAssertEqual(audit.count, 1, "reads are not audited")
        XCTAssertEqual(audit.first?.keyName, "analyst")
        XCTAssertEqual(audit.first?.method, "POST")
        XCTAssertEqual(audit.first?.path, "/api/v1/sets")
        XCTAssertEqual(audit.first?.target, "set gov")
        XCTAssertEqual(audit.first?.status, 200)
        XCTAssertGreaterThan(audit.first?.at ?? .distantPast, before)
    }

    func testUnknownRoutesAreJSON404WithSecurityHeaders() async throws {
        let reader = try makeKey("reader", .read)
        try await withAPI { api in
            let answer = try await api.call(.get, "/api/v1/nothing", key: reader)
            XCTAssertEqual(answer.status, 404)
            XCTAssertEqual(answer.json?["error"]?["status"], .number(404))
            XCTAssertEqual(answer.headers[.contentSecurityPolicy], "default-src 'none'; frame-ancestors 'none'")
            XCTAssertEqual(answer.headers[.xContentTypeOptions], "nosniff")
            XCTAssertEqual(answer.headers[.cacheControl], "no-store")
        }
    }

    func testTheRouterAndTheDocumentHaveTheSameOperations() throws {
        let router = try ServeApplication.router(store: store, configuration: configuration())
        let routes = router.routes.map { "\($0.method.rawValue) \($0.path.description)" }.filter { $0.contains(" /api/") }.sorted()
        let document = try OpenAPIDocument.bundled()
        XCTAssertEqual(routes, document.operations)
        XCTAssertGreaterThanOrEqual(routes.count, 13)
        guard case .object(let schemas) = document.root["components"]?["schemas"] else { return XCTFail("no schemas") }
        for (name, schema) in schemas {
            XCTAssertEqual(SchemaValidator.unsupportedKeywords(in: schema), [], "schema \(name) uses keywords the validator does not check")
        }
        for operation in document.operations {
            let parts = operation.split(separator: " ").map(String.init)
            guard case .object(let responses) = document.operation(parts[0], parts[1])?["responses"] else { return XCTFail("\(operation): no responses") }
            for (status, response) in responses {
                if let schema = response["content"]?["application/json"]?["schema"] {
                    XCTAssertEqual(SchemaValidator.unsupportedKeywords(in: schema), [], "\(operation) \(status)")
                }
            }
            if let request = document.requestSchema(parts[0], parts[1]) {
                XCTAssertEqual(SchemaValidator.unsupportedKeywords(in: request), [], "\(operation) request")
            }
        }
    }
}
