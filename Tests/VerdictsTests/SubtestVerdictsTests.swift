import Checks
import PeilModel
import Verdicts
import XCTest

/// The per-domain subtests through the one verdict path: what a well-run domain passes, what
/// it does not, and what follows from a missing prerequisite.
final class SubtestVerdictsTests: XCTestCase {
    func testAWellRunDomain() async throws {
        let all = await JudgedDomains.all()
        let good = try XCTUnwrap(all.first { $0.domain == "good.nl" })
        XCTAssertEqual(Set(good.subtests.keys), Set(JudgedSubtests.all), "every judged subtest has a cell")
        let notPassed: [SubtestID: Status] = [
            .webHTTPSDANEExist: .info, .webHTTPSDANEValid: .notTested, .webAppsecprivCSP: .warning,
            .mailSTARTTLSDANEExist: .failed, .mailSTARTTLSDANEValid: .notTested,
            .mailSTARTTLSDANERollover: .notTested,
        ]
        for (id, cell) in good.subtests {
            XCTAssertEqual(cell.status, notPassed[id] ?? .passed, "\(id): \(cell.because)")
        }
        XCTAssertEqual(good.subtests[.webAppsecprivCSP]?.because.contains("header-missing"), true)
        XCTAssertEqual(good.subtests[.webHTTPSTLSCAA]?.because, #"good.nl: found-host: good.nl, caa-record: 0 issue "letsencrypt.org""#)
    }

    /// The bulk columns and the subtests behind them say the same.
    func testSubtestsAgreeWithTheirColumns() async throws {
        for verdict in await JudgedDomains.all() {
            XCTAssertEqual(verdict.subtests[.webHTTPSHTTPAvailable], verdict.web["tls_available"], verdict.domain)
            XCTAssertEqual(verdict.subtests[.webHTTPSHTTPRedirect], verdict.web["https_redirect"], verdict.domain)
            XCTAssertEqual(verdict.subtests[.mailSTARTTLSTLSAvailable], verdict.mail["starttls"], verdict.domain)
            XCTAssertEqual(verdict.subtests[.mailAuthSPFExist]?.status, verdict.mail["spf"]?.status, verdict.domain)
            XCTAssertEqual(verdict.subtests[.mailAuthDMARCPolicy]?.status, verdict.mail["dmarc_policy"]?.status, verdict.domain)
        }
    }

    func testWithoutHTTPSOrMXTheDependentSubtestsAreNotTested() async throws {
        let all = await JudgedDomains.all()
        let plain = try XCTUnwrap(all.first { $0.domain == "plain.nl" })
        XCTAssertEqual(plain.subtests[.webHTTPSHTTPAvailable]?.status, .failed)
        for id in [SubtestID.webHTTPSHTTPHSTS, .webHTTPSTLSVersion, .webHTTPSTLSCAA, .webHTTPSDANEExist, .webAppsecprivXFrameOptions, .webAppsecprivCSP] {
            XCTAssertEqual(plain.subtests[id]?.status, .notTested, id.rawValue)
        }
        XCTAssertEqual(plain.subtests[.mailSTARTTLSTLSAvailable]?.status, .noMX)
        for id in [SubtestID.mailSTARTTLSTLSVersion, .mailSTARTTLSDANEExist, .mailIPv6MXAddress, .mailDNSSECMXExist] {
            XCTAssertEqual(plain.subtests[id]?.status, .notTested, id.rawValue)
        }
    }

    func testWithoutAResolutionEverySubtestSaysWhy() async throws {
        let all = await JudgedDomains.all()
        let gone = try XCTUnwrap(all.first { $0.domain == "gone.nl" })
        XCTAssertEqual(Set(gone.subtests.keys), Set(JudgedSubtests.all))
        XCTAssertTrue(gone.subtests.values.allSatisfy { $0 == StatusCell(.notTestable, "not testable: 3 attempts timed out") })
    }
}
