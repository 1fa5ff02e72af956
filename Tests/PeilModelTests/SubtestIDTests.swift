import PeilModel
import XCTest

/// The subtest vocabulary against Internet.nl's batch API list (`interface/batch/__init__.py`).
final class SubtestIDTests: XCTestCase {
    func testTheListIsInternetNLs() {
        XCTAssertEqual(SubtestID.of(.web).count, 38)
        XCTAssertEqual(SubtestID.of(.mail).count, 38)
        XCTAssertEqual(SubtestID.of(.web).first, .webIPv6NSAddress)
        XCTAssertEqual(SubtestID.of(.mail).last, .mailMXNSRPKIValid)
        for id in SubtestID.allCases {
            XCTAssertTrue(id.rawValue.hasPrefix(id.category + "_") || id.category.hasSuffix("_rpki"), "\(id) in \(id.category)")
            XCTAssertFalse(id.label.isEmpty, id.rawValue)
        }
    }

    /// The report name finds one subtest per test: `tls_version` is a web and a mail subtest.
    func testReportNamesAreUniquePerTest() {
        for test in BulkTest.allCases {
            let names = SubtestID.of(test).map(\.reportName)
            XCTAssertEqual(Set(names).count, names.count, "\(test)")
        }
        XCTAssertEqual(SubtestID(test: .web, reportName: "tls_version"), .webHTTPSTLSVersion)
        XCTAssertEqual(SubtestID(test: .mail, reportName: "tls_version"), .mailSTARTTLSTLSVersion)
        XCTAssertEqual(SubtestID(test: .web, reportName: "https_hsts"), .webHTTPSHTTPHSTS)
        XCTAssertNil(SubtestID(test: .web, reportName: "dane_rollover"), "the web test has no rollover subtest")
    }

    func testLabelsAndOrder() {
        XCTAssertEqual(SubtestID.webHTTPSHTTPAvailable.label, "HTTPS available")
        XCTAssertEqual(SubtestID.mailSTARTTLSDANEValid.label, "DANE validity")
        XCTAssertEqual(SubtestID.webAppsecprivXContentTypeOptions.label, "X-Content-Type-Options")
        XCTAssertLessThan(SubtestID.webHTTPSHTTPAvailable, SubtestID.webHTTPSTLSVersion)
        XCTAssertEqual(SubtestID.allCases.sorted(), SubtestID.allCases)
        XCTAssertEqual(try JSONEncoder().encode([SubtestID.webAppsecprivCSP]), Data(#"["web_appsecpriv_csp"]"#.utf8))
    }
}
