import Foundation
import Serve
import Store
import XCTest

/// Secrets, their hashes, tag limits and `--bind`: pure.
final class KeyValueTests: XCTestCase {
    func testSecretsAreRandomAndHashedWithSHA256() {
        XCTAssertEqual(APISecret.sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "FIPS 180-2's example")
        let first = APISecret.generate(), second = APISecret.generate()
        XCTAssertNotEqual(first, second)
        XCTAssertNotNil(first.range(of: "^peil_[0-9a-f]{64}$", options: .regularExpression), first)
    }

    func testTagLimitsAndRoles() {
        XCTAssertEqual(TagLimit(parsing: "Agency=Rijkswaterstaat"), TagLimit(name: "agency", value: "Rijkswaterstaat"))
        XCTAssertEqual(TagLimit(parsing: "Domain Type = a=b"), TagLimit(name: "domain_type", value: "a=b"))
        XCTAssertNil(TagLimit(parsing: "agency"))
        XCTAssertNil(TagLimit(parsing: "agency="))
        XCTAssertNil(TagLimit(parsing: "=x"))
        XCTAssertTrue(APIRole.read < .analyst && APIRole.analyst < .admin)
    }

    func testBindAddresses() {
        XCTAssertEqual(ServeConfiguration.parseBind("127.0.0.1:8080")?.host, "127.0.0.1")
        XCTAssertEqual(ServeConfiguration.parseBind("127.0.0.1:8080")?.port, 8080)
        XCTAssertEqual(ServeConfiguration.parseBind("[::1]:0")?.host, "::1")
        XCTAssertNil(ServeConfiguration.parseBind("::1:80"), "an IPv6 address needs brackets")
        XCTAssertNil(ServeConfiguration.parseBind("localhost"))
        XCTAssertNil(ServeConfiguration.parseBind("localhost:70000"))
        XCTAssertNil(ServeConfiguration.parseBind(":80"))
    }
}

/// Keys in the store: one active key per name, revoked keys refused and their names free again.
final class KeyStoreTests: APITestCase {
    func testNamesRevocationAndLookup() throws {
        let secret = try makeKey("ops", .admin)
        XCTAssertThrowsError(try makeKey("ops", .read)) { XCTAssertEqual($0 as? APIKeyError, .nameTaken("ops")) }
        XCTAssertThrowsError(try store.createAPIKey(name: "bad name", role: .read, tag: nil, secretSHA256: APISecret.sha256("x"))) {
            XCTAssertEqual($0 as? APIKeyError, .badName("bad name"))
        }
        XCTAssertThrowsError(try store.createAPIKey(name: "plain", role: .read, tag: nil, secretSHA256: "secret")) {
            XCTAssertEqual($0 as? APIKeyError, .badSecretHash, "a secret itself is never stored")
        }
        XCTAssertEqual(try store.activeAPIKey(secretSHA256: APISecret.sha256(secret))?.name, "ops")
        let stored: [String] = try store.database.query("SELECT secret_sha256 FROM api_keys").rows.map { try $0.decode("secret_sha256") }
        XCTAssertEqual(stored, [APISecret.sha256(secret)])
        XCTAssertFalse(stored.contains(secret))

        try store.revokeAPIKey(name: "ops")
        XCTAssertNil(try store.activeAPIKey(secretSHA256: APISecret.sha256(secret)))
        XCTAssertThrowsError(try store.revokeAPIKey(name: "ops")) { XCTAssertEqual($0 as? APIKeyError, .unknownKey("ops")) }
        _ = try makeKey("ops", .read)
        XCTAssertEqual(try store.apiKeys().map { "\($0.name) \($0.role.rawValue) \($0.revokedAt == nil)" }, ["ops admin false", "ops read true"])
    }

    /// Hostile text a client sends comes back as JSON string content, never as markup or
    /// broken JSON: quotes, angle brackets, control characters and non-ASCII survive escaped.
    func testHostileValuesAreEscapedInJSON() async throws {
        let analyst = try makeKey("analyst", .analyst)
        let hostile = "\"}<script>alert('x')</script>\u{1}\u{7F}\u{202E}é\\"
        try await withAPI { api in
            let body = json(["name": hostile, "files": [["name": "<b>list</b>", "text": "a.nl\n"]]])
            let imported = try await api.call(.post, "/api/v1/sets", key: analyst, body: body)
            XCTAssertEqual(imported.status, 200)
            XCTAssertEqual(imported.json?["set"], .string(hostile))
            let sets = try await api.call(.get, "/api/v1/sets", key: analyst)
            XCTAssertEqual(sets.items.first?["name"], .string(hostile))
            XCTAssertFalse(sets.text.contains("\u{1}"), "control characters are escaped")
            let bad = try await api.call(.post, "/api/v1/sets", key: analyst,
                                         body: json(["name": "x", "files": [["name": "<i>f</i>", "text": "<script>\n"]]]))
            XCTAssertEqual(bad.status, 422)
            XCTAssertTrue(bad.problems.first?.contains("<script>") ?? false, "the problem quotes the line, as JSON text")
        }
    }
}
