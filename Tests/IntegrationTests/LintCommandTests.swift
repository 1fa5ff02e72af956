import Foundation
import XCTest

/// `peil lint` as a mail or web operator runs it before publishing a record.
final class LintCommandTests: XCTestCase {
    private func lint(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-lint-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try PeilProcess.run(["lint"] + arguments, directory: directory)
    }

    func testDMARCWithPolicyNoneFailsAndSaysWhyInItsFirstLine() throws {
        let result = try lint(["dmarc", "v=DMARC1; p=none"])
        XCTAssertEqual(result.status, 1, result.output)
        let first = try XCTUnwrap(result.output.split(separator: "\n").first)
        XCTAssertTrue(first.hasPrefix("FAILED: "), String(first))
        XCTAssertTrue(first.contains("p=none"), String(first))
        XCTAssertEqual(try lint(["dmarc", "v=DMARC1; p=reject"]).status, 0)
    }

    func testHSTSBelowOneYearFailsAndAYearPasses() throws {
        let short = try lint(["hsts", "max-age=15552000; includeSubDomains"])
        XCTAssertEqual(short.status, 1, short.output)
        XCTAssertTrue(short.output.hasPrefix("FAILED: max-age=15552000 is shorter than 31536000"), short.output)
        XCTAssertEqual(try lint(["hsts", "max-age=31536000; includeSubDomains"]).status, 0)
        XCTAssertEqual(try lint(["hsts", "includeSubDomains"]).status, 1)
    }

    func testSPFWithPlusAllFails() throws {
        let result = try lint(["spf", "v=spf1 +all", "--domain", "example.nl"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.hasPrefix("FAILED: "), result.output)
    }

    func testTLSAWithAWrongDigestLengthFailsAndARolloverPairPasses() throws {
        let digest = String(repeating: "ab", count: 32)
        let short = try lint(["tlsa", "3 1 1 abcd"])
        XCTAssertEqual(short.status, 1, short.output)
        XCTAssertTrue(short.output.contains("needs 32 bytes"), short.output)
        XCTAssertEqual(try lint(["tlsa", "3 1 1 \(digest)", "2 0 1 \(digest)"]).status, 0)
        let pkix = try lint(["tlsa", "1 0 1 \(digest)", "--service", "mail"])
        XCTAssertEqual(pkix.status, 1, "usage 1 does not count for SMTP:\n\(pkix.output)")
    }
}
