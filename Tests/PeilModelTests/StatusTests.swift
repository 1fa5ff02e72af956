import Foundation
import PeilModel
import XCTest

/// The one status vocabulary: the words, the severity order, the adoption formula, the
/// category combiner and the typed column identity.
final class StatusTests: XCTestCase {
    func testTheTenWordsOfTheReportInItsTableOrder() {
        XCTAssertEqual(Status.allCases.map(\.rawValue), ["passed", "warning", "info", "failed", "not_tested", "not_applicable", "no_mx",
                                                         "unreachable", "not_testable", "error"])
        XCTAssertEqual(Set(Status.worstFirst), Set(Status.allCases), "the severity order ranks every word")
        XCTAssertEqual(Status.worstFirst.count, Status.allCases.count)
    }

    func testWorst() {
        XCTAssertEqual(Status.worst(.failed, .error), .error)
        XCTAssertEqual(Status.worst(.warning, .failed), .failed)
        XCTAssertEqual(Status.worst(.info, .warning), .warning)
        XCTAssertEqual(Status.worst(of: [.passed, .notTested, .info]), .info)
        XCTAssertEqual(Status.worst(of: [.unreachable, .failed]), .unreachable, "no result is not a failed standard")
        XCTAssertNil(Status.worst(of: []))
    }

    func testClampedToARequirement() {
        XCTAssertEqual(Status.failed.clamped(to: .warning), .warning)
        XCTAssertEqual(Status.failed.clamped(to: .info), .info)
        XCTAssertEqual(Status.warning.clamped(to: .failed), .warning)
        XCTAssertEqual(Status.error.clamped(to: .info), .error)
        XCTAssertEqual(Status.notTested.clamped(to: .info), .notTested)
        XCTAssertEqual(Status.warning.clamped(to: .info), .info)
        XCTAssertEqual(Status.passed.clamped(to: .failed), .passed)
    }

    func testAdoptionFormula() {
        XCTAssertEqual(Status.allCases.filter { $0.countsAsAdopted == true }, [.passed, .warning, .info])
        XCTAssertEqual(Status.allCases.filter { $0.countsAsAdopted == false }, [.failed])
        let tally = Tally([.passed, .warning, .info, .failed, .notTested, .error, .noMX, .failed, .unreachable])
        XCTAssertEqual(tally.adopted, 3)
        XCTAssertEqual(tally.judged, 5)
        XCTAssertEqual(tally.total, 9)
        XCTAssertEqual(tally.adoption ?? 0, 60, accuracy: 1e-9)
        XCTAssertNil(Tally([.notApplicable]).adoption)
    }

    func testTallyEncodesWordsAsKeys() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(Tally([.passed, .notTested, .failed])), as: UTF8.self)
        XCTAssertEqual(json, #"{"adopted":1,"adoption":50,"adoption_without_explained":50,"counts":{"failed":1,"not_tested":1,"passed":1},"#
            + #""explained_failed":0,"judged":2}"#)
        XCTAssertEqual(try JSONDecoder().decode(Tally.self, from: Data(json.utf8)), Tally([.passed, .notTested, .failed]))
        // Comply or explain: an explained failure leaves the second figure's denominator.
        var explained = Tally([.passed, .notTested])
        explained.add(.failed, explained: true)
        let withExplained = String(decoding: try encoder.encode(explained), as: UTF8.self)
        XCTAssertEqual(withExplained, #"{"adopted":1,"adoption":50,"adoption_without_explained":100,"counts":{"failed":1,"not_tested":1,"passed":1},"#
            + #""explained_failed":1,"judged":2}"#)
        XCTAssertEqual(try JSONDecoder().decode(Tally.self, from: Data(withExplained.utf8)), explained)
        // Files written before explanations existed still decode.
        XCTAssertEqual(try JSONDecoder().decode(Tally.self, from: Data(#"{"counts":{"failed":1,"passed":1}}"#.utf8)), Tally([.passed, .failed]))
    }

    func testCategoryOfMandatoryParts() {
        XCTAssertEqual(Status.category(ofMandatory: [.passed, .passed]), .passed)
        XCTAssertEqual(Status.category(ofMandatory: [.passed, .failed]), .failed)
        XCTAssertEqual(Status.category(ofMandatory: [.error, .passed]), .error, "a timeout is not a failure")
        XCTAssertEqual(Status.category(ofMandatory: [.failed, .error]), .error, "any error → error")
        XCTAssertEqual(Status.category(ofMandatory: [.passed, .notTested]), .passed)
        XCTAssertEqual(Status.category(ofMandatory: [.passed, .info]), .passed)
        XCTAssertEqual(Status.category(ofMandatory: [.passed, .unreachable]), .passed)
    }

    func testCellEncodesAsBefore() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try encoder.encode(StatusCell(.notTested, "no HTTPS")), as: UTF8.self),
                       #"{"because":"no HTTPS","status":"not_tested"}"#)
        XCTAssertEqual(String(decoding: try encoder.encode(StatusCell(.notTested, "as reported", derived: .info)), as: UTF8.self),
                       #"{"because":"as reported","derived":"info","status":"not_tested"}"#)
        XCTAssertEqual(StatusCell.worst([StatusCell(.passed, "a"), StatusCell(.failed, "b"), StatusCell(.failed, "b"), StatusCell(.failed, "c")]),
                       StatusCell(.failed, "b; c"))
    }

    func testColumnIdentityTellsTheTwoNameserverColumnsApart() {
        XCTAssertEqual(BulkColumns.web.count, 8)
        XCTAssertEqual(BulkColumns.mail.count, 12)
        XCTAssertNotEqual(BulkColumnID.webIPv6Nameserver, BulkColumnID.mailIPv6Nameserver)
        XCTAssertEqual(Set(BulkColumns.all).count, 20)
        XCTAssertEqual(BulkColumnID.mailIPv6Nameserver.key, "mail.ipv6_nameserver")
        XCTAssertEqual(BulkColumnID(key: "web.ipv6_nameserver"), .webIPv6Nameserver)
        XCTAssertNil(BulkColumnID(key: "dns.ipv6_nameserver"))
        XCTAssertEqual(BulkColumns.all.map(\.csvName).filter { $0.contains("ipv6_nameserver") }, ["ipv6_nameserver", "mail_ipv6_nameserver"])
    }

    func testWebDNSSECColumnStatus() {
        XCTAssertEqual(DNSSECStatus.allCases.map(\.columnStatus), [.passed, .failed, .failed, .error])
    }

    func testCategoryOfGradedSubtests() {
        func g(_ s: Status, _ r: Requirement, counts: Bool = true) -> GradedSubtest { GradedSubtest(status: s, requirement: r, countsWhenNotTested: counts) }
        XCTAssertEqual(Status.category([g(.passed, .mandatory), g(.error, .informational)]), .error)
        XCTAssertEqual(Status.category([g(.failed, .mandatory), g(.warning, .optional)]), .failed)
        XCTAssertEqual(Status.category([g(.passed, .mandatory), g(.warning, .optional)]), .passed)
        XCTAssertEqual(Status.category([g(.passed, .optional), g(.warning, .optional)]), .warning)
        XCTAssertEqual(Status.category([g(.info, .informational), g(.passed, .optional)]), .passed)
        XCTAssertEqual(Status.category([g(.info, .informational)]), .info)
        XCTAssertEqual(Status.category([g(.notTested, .mandatory)]), .failed, "not tested counts as its worst status")
        XCTAssertEqual(Status.category([g(.notTested, .mandatory, counts: false), g(.passed, .mandatory)]), .passed)
        XCTAssertEqual(Status.category([]), .passed)
    }
}
