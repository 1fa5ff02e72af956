import Checks
import Foundation
import PeilTestSupport
import XCTest

/// The Chromium and Firefox HSTS parser expectations in `../shared/vectors`.
final class HSTSVectorTests: XCTestCase {
    struct Valid: Decodable {
        let header: String
        let max_age: UInt64?
        let include_subdomains: Bool
    }
    struct VectorSet: Decodable {
        let source: String
        let ua_cap_seconds: UInt64
        let valid: [Valid]
        let invalid: [String]
    }
    struct File: Decodable { let sets: [VectorSet] }

    static func load() throws -> [VectorSet] {
        let base = TestPaths.vectors
        let data = try Data(contentsOf: base.appendingPathComponent("hsts-parse-chromium-firefox.json"))
        return try JSONDecoder().decode(File.self, from: data).sets
    }

    /// Firefox cases where Firefox deviates from RFC 6797 as Chromium reads it (noted in docs/CHECKS-WEB.md).
    static let firefoxDeviations: Set<String> = [
        "\r\n\t\t    \tcompletelyUnrelated = foobar; max-age= 34520103\t \t; alsoUnrelated;asIsThis;\tincludeSubdomains\t\t \t",
    ]

    func check(_ set: VectorSet, skipping: Set<String> = []) -> (passed: Int, total: Int) {
        var passed = 0
        for v in set.valid where !skipping.contains(v.header) {
            do {
                let policy = try HSTSPolicy(parsing: v.header)
                XCTAssertEqual(policy.includeSubDomains, v.include_subdomains, "\(set.source): \(v.header.debugDescription)")
                if let age = v.max_age {
                    XCTAssertEqual(policy.maxAge, age, v.header.debugDescription)
                    XCTAssertFalse(policy.maxAgeSaturated)
                    if policy.maxAge == age && policy.includeSubDomains == v.include_subdomains { passed += 1 }
                } else {
                    XCTAssertGreaterThanOrEqual(policy.maxAge, set.ua_cap_seconds, "capped max-age: \(v.header.debugDescription)")
                    XCTAssertTrue(policy.maxAgeSaturated)
                    if policy.maxAgeSaturated { passed += 1 }
                }
            } catch {
                XCTFail("\(set.source): valid \(v.header.debugDescription) rejected: \(error)")
            }
        }
        for header in set.invalid where !skipping.contains(header) {
            do {
                let policy = try HSTSPolicy(parsing: header)
                XCTFail("\(set.source): invalid \(header.debugDescription) accepted as \(policy)")
            } catch {
                passed += 1
            }
        }
        return (passed, set.valid.count + set.invalid.count - skipping.count)
    }

    func testChromiumValidAndInvalidSetsAllPass() throws {
        let sets = try Self.load()
        let chromium = try XCTUnwrap(sets.first { $0.source.hasPrefix("chromium") })
        XCTAssertEqual(chromium.valid.count, 38)
        XCTAssertEqual(chromium.invalid.count, 79)
        let (passed, total) = check(chromium)
        XCTAssertEqual(passed, total)
        XCTAssertEqual(total, 117)
    }

    func testFirefoxSetsPassExceptDocumentedDeviations() throws {
        let sets = try Self.load()
        let firefox = try XCTUnwrap(sets.first { $0.source.hasPrefix("mozilla") })
        let (passed, total) = check(firefox, skipping: Self.firefoxDeviations)
        XCTAssertEqual(passed, total)
        XCTAssertEqual(total, 54)
    }

    func testDeviationIsRejectedBecauseCRLFIsNotWhitespaceInAFieldValue() {
        XCTAssertThrowsError(try HSTSPolicy(parsing: Array(Self.firefoxDeviations)[0]))
    }

    func testErrorsSayWhy() {
        XCTAssertThrowsError(try HSTSPolicy(parsing: "max-age=1; max-age=2")) { XCTAssertEqual($0 as? HSTSParseError, .duplicateDirective("max-age")) }
        XCTAssertThrowsError(try HSTSPolicy(parsing: "includeSubDomains")) { XCTAssertEqual($0 as? HSTSParseError, .missingMaxAge) }
        XCTAssertThrowsError(try HSTSPolicy(parsing: "  ")) { XCTAssertEqual($0 as? HSTSParseError, .empty) }
        XCTAssertThrowsError(try HSTSPolicy(parsing: "max-age=1; includeSubDomains=true")) { XCTAssertEqual($0 as? HSTSParseError, .includeSubDomainsHasValue) }
        XCTAssertEqual(try HSTSPolicy(parsing: "max-age=1; preload; pumpkin=\"a;b\"").unknownDirectives, ["preload", "pumpkin"])
    }
}
