import Checks
import Foundation
import PeilModel
import PeilTestSupport
import Verdicts
import XCTest

/// `peil results --format json` against Internet.nl's batch API results schema
/// (`Resources/internetnl-batch-results.schema.json`, from its `interface/batch/openapi.yaml`),
/// validated by Python's `jsonschema` through `Resources/validate-batch-results.py`.
final class BatchSchemaTests: XCTestCase {
    func validationErrors(_ document: String) throws -> String? {
        try BatchSchema.validationErrors(document)
    }

    func testPeilsBatchDocumentsValidateForEveryTest() async throws {
        let verdicts = await JudgedDomains.all()
        for test in BulkTest.allCases {
            let document = try ResultsFormats.batchJSON(verdicts, measurementID: 42, ruleSet: .internetnlCurrent, test: test,
                                                        submitted: Date(timeIntervalSince1970: 1_700_000_000), finished: Date(timeIntervalSince1970: 1_700_003_600))
            let errors = try validationErrors(document)
            XCTAssertNil(errors, "\(test): \(errors ?? "")")
            XCTAssertTrue(document.contains(#""request_type" : "\#(test.rawValue)""#), document)
            XCTAssertTrue(document.contains(#""request_id" : "0000000000000000000000000000002a""#), document)
        }
    }

    /// The validator can fail: the shape Peil wrote before (a `peil-` request id, both tests in
    /// one request, no `tests`) does not validate.
    func testTheOldShapeDoesNotValidate() throws {
        let old = #"""
            {"request": {"request_id": "peil-7", "request_type": "web,mail", "status": "done", "name": "Peil measurement 7"},
             "domains": {"a.nl": {"status": "ok", "results": {"calculated_results": {}}}}}
            """#
        let errors = try XCTUnwrap(try validationErrors(old))
        for expected in ["api_version", "request_id", "request_type", "submit_date", "'tests' is a required property"] {
            XCTAssertTrue(errors.contains(expected), "\(expected) in \(errors)")
        }
    }

    func testEveryJudgedSubtestIsInTheDocument() async throws {
        let verdicts = await JudgedDomains.all()
        let document = try ResultsFormats.batchJSON(verdicts, measurementID: 1, ruleSet: .internetnlCurrent, test: .web, submitted: Date(), finished: Date())
        let decoded = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any]
        let domains = try XCTUnwrap(decoded?["domains"] as? [String: Any])
        for (name, domain) in domains {
            let tests = try XCTUnwrap(((domain as? [String: Any])?["results"] as? [String: Any])?["tests"] as? [String: Any])
            XCTAssertEqual(Set(tests.keys), Set(JudgedSubtests.all.filter { $0.test == .web }.map(\.rawValue)), name)
        }
    }

    /// Peil's own subtests (TLS-RPT) are in the JSON lines, never in Internet.nl's batch shape.
    func testPeilsOwnSubtestsStayOutOfTheBatchDocument() async throws {
        let verdicts = await JudgedDomains.all()
        XCTAssertTrue(verdicts.allSatisfy { $0.peilSubtests[.mailTLSRPT] != nil })
        for test in [BulkTest.web, .mail] {
            let document = try ResultsFormats.batchJSON(verdicts, measurementID: 1, ruleSet: .internetnlCurrent, test: test, submitted: Date(), finished: Date())
            XCTAssertFalse(document.contains(PeilSubtestID.mailTLSRPT.rawValue), "\(test)")
        }
        let lines = try ResultsFormats.jsonLines(verdicts, ruleSet: .internetnlCurrent)
        XCTAssertTrue(lines.allSatisfy { $0.contains(#""peilSubtests":{"mail_tlsrpt":{"#) }, lines.first ?? "")
        XCTAssertTrue(lines.allSatisfy { !$0.contains(#""subtests":{"mail_tlsrpt""#) })
    }
}
