import Checks
import PeilModel
import XCTest

final class HSTSCheckTests: XCTestCase {
    func status(_ values: [String], _ ruleSet: RuleSet = .internetnlCurrent) -> (Status, HSTSCheck.Score) {
        let (result, score) = HSTSCheck.evaluate(headerValues: values, ruleSet: ruleSet)
        return (result.status, score)
    }

    func testOneYearPassesBelowFailsWithPartialPoints() {
        XCTAssertEqual(status(["max-age=31536000"]).0, .passed)
        XCTAssertEqual(status(["max-age=31536000; includeSubDomains; preload"]).1, .good)
        XCTAssertEqual(status(["max-age=31535999"]).0, .failed)
        XCTAssertEqual(status(["max-age=31535999"]).1, .partial)
        XCTAssertEqual(status(["max-age=0"]).1, .partial)
        XCTAssertEqual(status(["max-age=-5"]).1, .partial, "Python int() reads a sign")
    }

    func testMissingAndUnparsableFailWithoutPoints() {
        XCTAssertEqual(status([]).1, .bad)
        XCTAssertEqual(status([""]).1, .bad)
        XCTAssertEqual(status(["includeSubDomains"]).1, .bad)
        XCTAssertEqual(status(["max-age=\"31536000\""]).1, .bad, "Internet.nl does not unquote")
        XCTAssertEqual(status(["max-age = 31536000"]).1, .bad, "Internet.nl needs 'max-age=' literally")
    }

    func testOnlyTheFirstItemCounts() {
        XCTAssertEqual(status(["max-age=100", "max-age=31536000"]).1, .partial)
        XCTAssertEqual(status(["max-age=31536000", "max-age=100"]).1, .good)
        XCTAssertEqual(status(["max-age=31536000, max-age=5"]).1, .good)
    }

    func testInternetNLReadingQuirks() {
        XCTAssertEqual(HSTSCheck.internetNLMaxAge("MAX-AGE=31536000"), 31_536_000)
        XCTAssertEqual(HSTSCheck.internetNLMaxAge("max-age= 31536000 ;x"), 31_536_000)
        XCTAssertEqual(HSTSCheck.internetNLMaxAge("max-age=31_536_000"), 31_536_000)
        XCTAssertNil(HSTSCheck.internetNLMaxAge("max-age=31__536"))
        XCTAssertNil(HSTSCheck.internetNLMaxAge("max-age=1a"))
        XCTAssertEqual(HSTSCheck.internetNLMaxAge("foo; xmax-age=7"), 7)
    }

    func testBrowserIgnoredHeaderIsReportedButVerdictFollowsInternetNL() {
        let (result, score) = HSTSCheck.evaluate(headerValues: ["max-age=31536000; includeSubDomains; includeSubDomains"])
        XCTAssertEqual(score, .good)
        XCTAssertEqual(result.status, .passed)
        XCTAssertTrue(result.findings.contains { $0.code == "rfc6797-invalid" })
        XCTAssertFalse(HSTSCheck.evaluate(headerValues: ["max-age=31536000"]).result.findings.contains { $0.code == "rfc6797-invalid" })
    }

    func testBothRuleSetsUseOneYear() {
        XCTAssertEqual(HSTSCheck.minimumMaxAge(.internetnl2021), 31_536_000)
        XCTAssertEqual(status(["max-age=15552000"], .internetnl2021).1, .partial)
    }
}
