@testable import Checks
import PeilModel
import XCTest

/// RFC 8460 §3: the record's grammar and its examples.
final class TLSRPTCheckTests: XCTestCase {
    func status(_ txt: [String]) -> Status { TLSRPTCheck.evaluate(txt).status }
    func ids(_ txt: [String]) -> [String] { TLSRPTCheck.evaluate(txt).findings.map(\.code) }

    /// §3's two examples (the second's character-strings concatenated), and the other forms the
    /// grammar allows: several URIs, a trailing delimiter, white space around delimiters, an
    /// extension field.
    func testTheRFCExamplesAndValidFormsPass() {
        for record in ["v=TLSRPTv1;rua=mailto:reports@example.com",
                       "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt",
                       "v=TLSRPTv1; rua=mailto:tlsrpt@example.nl, https://tlsrpt.example.nl/v1;",
                       "v=TLSRPTv1; \trua=mailto:a@example.nl ; ext.v2=yes"] {
            XCTAssertEqual(status([record]), .passed, record)
        }
        XCTAssertEqual(status(["v=spf1 -all", "v=TLSRPTv1;rua=mailto:reports@example.com"]), .passed, "other TXT records are discarded")
    }

    func testAbsenceIsInformation() {
        XCTAssertEqual(TLSRPTCheck.evaluate([]).status, .info)
        XCTAssertEqual(ids([]), ["no-record"])
        XCTAssertEqual(status(["some other text"]), .info)
        XCTAssertEqual(status(["v=TLSRPTv2;rua=mailto:a@example.nl"]), .info, "another version is no TLSRPTv1 policy")
        XCTAssertEqual(status(["V=tlsrptv1;rua=mailto:a@example.nl"]), .info, "the version is case-sensitive (%s)")
        XCTAssertEqual(status(["v=TLSRPTv1 ;rua=mailto:a@example.nl"]), .info, "records not beginning `v=TLSRPTv1;` are discarded")
    }

    func testSeveralRecordsWarn() {
        let result = TLSRPTCheck.evaluate(["v=TLSRPTv1;rua=mailto:a@example.nl", "v=TLSRPTv1;rua=mailto:b@example.nl"])
        XCTAssertEqual(result.status, .warning)
        XCTAssertEqual(result.findings.first, Finding("several-records", subject: "2"))
    }

    func testMalformedRecordsWarnSayingWhatIsWrong() {
        let cases: [(String, String)] = [
            ("v=TLSRPTv1;", "no-rua"),
            ("v=TLSRPTv1;ext=1", "no-rua"),
            ("v=TLSRPTv1;rua=", "invalid-rua"),
            ("v=TLSRPTv1;rua=mailto:reports", "invalid-rua"),
            ("v=TLSRPTv1;rua=https://", "invalid-rua"),
            ("v=TLSRPTv1;rua=mailto:a@example.nl,", "invalid-rua"),
            ("v=TLSRPTv1;rua=mailto:a!b@example.nl", "invalid-rua"),
            ("v=TLSRPTv1;rua=http://reports.example.nl/", "unsupported-rua-scheme"),
            ("v=TLSRPTv1;rua=mailto:a@example.nl;;", "invalid-field"),
            ("v=TLSRPTv1;rua=mailto:a@example.nl;_ext=1", "invalid-field"),
            ("v=TLSRPTv1;rua=mailto:a@example.nl;ext=a=b", "invalid-field"),
        ]
        for (record, id) in cases {
            let result = TLSRPTCheck.evaluate([record])
            XCTAssertEqual(result.status, .warning, record)
            XCTAssertEqual(result.findings.first?.code, id, "\(record): \(result.findings)")
        }
    }

    /// The cell from the evidence: the record's verdict at `_smtp._tls.<domain>`; not tested for
    /// a null MX or an observation from before the question; error when the lookup failed.
    func testTheCellFromTheEvidence() {
        typealias Fixture = MailServerColumnsTests
        func cell(_ tlsrpt: [String]?, nullMX: Bool = false, failed: Set<String> = []) -> StatusCell? {
            var facts = Fixture.facts(nullMX: nullMX)
            facts.tlsrpt = tlsrpt
            var evidence = Fixture.evidence(facts)
            evidence.failedLookups = failed
            return PeilSubtests.evaluate(evidence)[.mailTLSRPT]
        }
        XCTAssertEqual(cell(["v=TLSRPTv1;rua=mailto:tlsrpt@example.nl"])?.status, .passed)
        XCTAssertEqual(cell([]), StatusCell(.info, "_smtp._tls.example.nl: no-record"))
        XCTAssertEqual(cell(["v=TLSRPTv1;"]), StatusCell(.warning, "_smtp._tls.example.nl: no-rua, record: v=TLSRPTv1;"))
        XCTAssertEqual(cell([], failed: ["_smtp._tls.example.nl TXT"])?.status, .error)
        XCTAssertEqual(cell(nil)?.status, .notTested)
        XCTAssertEqual(cell(["v=TLSRPTv1;rua=mailto:tlsrpt@example.nl"], nullMX: true)?.status, .notTested)
    }
}
