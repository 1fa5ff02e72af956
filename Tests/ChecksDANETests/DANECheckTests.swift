import Checks
import DANE
import PeilModel
import XCTest

/// TLSA parsing and the DANE verdicts for web (`_443._tcp`) and mail (`_25._tcp`).
final class DANECheckTests: XCTestCase {
    func status(_ result: DANEResult, _ name: String) -> SubtestResult? {
        result.subtests.first { $0.name == name }
    }

    /// A danetest.in case whose only records are DANE-EE and that OpenSSL validates at depth 0.
    func leafCase() throws -> OpenSSLDANEVectorTests.Case {
        let cases = try OpenSSLDANEVectorTests.load("danetest.in")
        return try XCTUnwrap(cases.first {
            $0.wantError == 0 && $0.wantDepth == 0 && $0.records.allSatisfy { $0.usage == 3 && $0.selector == 1 && $0.matchingType == 1 }
        })
    }

    // MARK: TLSA text form

    func testParsesPresentationForm() throws {
        let record = try TLSARecord(parsing: "3 1 1 ABCDEF01")
        XCTAssertEqual(record, TLSARecord(usage: 3, selector: 1, matchingType: 1, data: [0xab, 0xcd, 0xef, 0x01]))
        XCTAssertEqual(record.description, "3 1 1 abcdef01")
        XCTAssertEqual(try TLSARecord(parsing: " 2 0 2  ab cd ").data, [0xab, 0xcd])
        XCTAssertEqual(try TLSARecord(parsing: "255 255 255 00").usage, 255)
    }

    func testRejectsMalformedText() {
        XCTAssertThrowsError(try TLSARecord(parsing: "3 1 1"))
        XCTAssertThrowsError(try TLSARecord(parsing: "3 1 1 abc"))
        XCTAssertThrowsError(try TLSARecord(parsing: "3 1 1 zz"))
        XCTAssertThrowsError(try TLSARecord(parsing: "256 1 1 ab"))
        XCTAssertThrowsError(try TLSARecord(parsing: "-1 1 1 ab"))
        XCTAssertThrowsError(try TLSARecord(parsing: "x 1 1 ab"))
    }

    // MARK: Web

    func testWebNoneIsInfo() {
        let r = DANECheck.evaluate(service: .web, observation: DANEObservation(tlsa: [], dnssec: .secure), verification: nil)
        XCTAssertEqual(r.status, DANEStatus.none)
        XCTAssertEqual(status(r, "dane_exists")?.status, .info)
        XCTAssertEqual(status(r, "dane_valid")?.status, .notTested)
        XCTAssertNil(status(r, "dane_rollover"), "web rollover is disabled upstream")
    }

    func testWebInsecureRecordsCountAsNone() {
        let r = DANECheck.evaluate(service: .web, observation: DANEObservation(tlsa: ["3 1 1 ab"], dnssec: .insecure), verification: nil)
        XCTAssertEqual(r.status, DANEStatus.none)
        XCTAssertEqual(status(r, "dane_exists")?.status, .info)
        XCTAssertTrue(status(r, "dane_exists")!.findings.contains(Finding("tlsa-not-secure")))
    }

    func testWebBogusIsInfoAndRuleSetsDifferWithData() {
        let empty = DANECheck.evaluate(service: .web, observation: DANEObservation(tlsa: [], dnssec: .bogus), verification: nil)
        XCTAssertEqual(empty.status, .noneBogus)
        XCTAssertEqual(status(empty, "dane_exists")?.status, .info)
        let bogus = DANEObservation(tlsa: ["3 1 1 ab"], dnssec: .bogus)
        let current = DANECheck.evaluate(service: .web, observation: bogus, verification: nil)
        XCTAssertEqual(current.status, .noneBogus)
        XCTAssertTrue(status(current, "dane_exists")!.findings.contains(Finding("dane-bogus")))
        let old = DANECheck.evaluate(service: .web, observation: bogus, verification: nil, ruleSet: .internetnl2021)
        XCTAssertEqual(old.status, .failed)
        XCTAssertEqual(status(old, "dane_exists")?.status, .passed)
        XCTAssertEqual(status(old, "dane_valid")?.status, .warning)
    }

    func testBogusNXDOMAINAtTLSANameIsBogus() {
        let r = DANECheck.evaluate(service: .web, observation: DANEObservation(tlsa: ["3 1 1 ab"], dnssec: .secure, bogusNXDOMAINAtName: true), verification: nil)
        XCTAssertEqual(r.status, .noneBogus)
    }

    func testWebValidAndInvalidAgainstARealChain() throws {
        let c = try leafCase()
        let tlsa = c.records.map(\.description)
        let good = DANECheck.evaluate(service: .web, host: "example.com", observation: DANEObservation(tlsa: tlsa, dnssec: .secure), chain: c.chain)
        XCTAssertEqual(good.status, .validated)
        XCTAssertEqual(status(good, "dane_exists")?.status, .passed)
        XCTAssertEqual(status(good, "dane_valid")?.status, .passed)
        XCTAssertTrue(status(good, "dane_valid")!.findings.contains { $0.code == "tlsa-matched" && $0.detail == "depth 0" })

        var wrong = c.records[0]
        wrong.data[0] ^= 0xff
        let bad = DANECheck.evaluate(service: .web, host: "example.com", observation: DANEObservation(tlsa: [wrong.description], dnssec: .secure), chain: c.chain)
        XCTAssertEqual(bad.status, .failed)
        XCTAssertEqual(status(bad, "dane_valid")?.status, .warning, "web dane_valid is optional: invalid → warning")
        XCTAssertTrue(status(bad, "dane_valid")!.findings.contains { $0.code == "verify-error" && $0.subject == "65" })
    }

    func testNoUsableRecordsIsInvalid() throws {
        let c = try leafCase()
        let r = DANECheck.evaluate(service: .web, host: "example.com", observation: DANEObservation(tlsa: ["3 1 9 abcd"], dnssec: .secure), chain: c.chain)
        XCTAssertEqual(r.status, .failed)
        XCTAssertTrue(status(r, "dane_valid")!.findings.contains(Finding("no-usable-tlsa")))
    }

    // MARK: Mail

    func testMailNoneFailsExists() {
        let r = DANECheck.evaluate(service: .mail, observation: DANEObservation(tlsa: [], dnssec: .secure), verification: nil)
        XCTAssertEqual(status(r, "dane_exists")?.status, .failed)
        XCTAssertEqual(status(r, "dane_exists")?.requirement, .mandatory)
        XCTAssertEqual(status(r, "dane_valid")?.requirement, .informational, "not tested: worst status stays info")
        XCTAssertEqual(status(r, "dane_rollover")?.status, .notTested)
        XCTAssertEqual(Status.category(r.subtests.map(\.graded)), .failed)
    }

    func testMailBogusAndInsecureFail() {
        for dnssec in [DNSSECStatus.bogus, .insecure] {
            let r = DANECheck.evaluate(service: .mail, observation: DANEObservation(tlsa: ["3 1 1 ab"], dnssec: dnssec), verification: nil)
            XCTAssertEqual(status(r, "dane_exists")?.status, .failed, "\(dnssec)")
        }
    }

    func testMailIgnoresPKIXUsages() {
        let r = DANECheck.evaluate(service: .mail, observation: DANEObservation(tlsa: ["0 0 1 ab", "1 1 1 cd"], dnssec: .secure), verification: nil)
        XCTAssertEqual(r.status, DANEStatus.none)
        XCTAssertEqual(status(r, "dane_exists")?.status, .failed)
        XCTAssertTrue(status(r, "dane_exists")!.findings.contains(Finding("tlsa-only-pkix-usages")))
    }

    func testMailRolloverScheme() {
        func rollover(_ tlsa: [String]) -> Bool { DANECheck.countedRecords(tlsa, service: .mail).rollover }
        XCTAssertTrue(rollover(["3 1 1 aa", "3 1 1 bb"]))
        XCTAssertTrue(rollover(["3 1 1 aa", "2 1 1 bb"]))
        XCTAssertFalse(rollover(["3 1 1 aa"]))
        XCTAssertFalse(rollover(["2 1 1 aa", "2 0 1 bb"]))
        XCTAssertFalse(rollover(["3 1 1 aa", "1 1 1 bb"]), "PKIX usages do not count for mail")
        XCTAssertTrue(DANECheck.countedRecords(["3 1 1 aa", "1 1 1 bb"], service: .web).rollover == false)
    }

    func testMailValidatedWithAndWithoutRollover() throws {
        let c = try leafCase()
        let single = DANECheck.evaluate(service: .mail, host: "example.com", observation: DANEObservation(tlsa: c.records.map(\.description), dnssec: .secure), chain: c.chain)
        XCTAssertEqual(single.status, .validated)
        XCTAssertEqual(status(single, "dane_exists")?.status, .passed)
        XCTAssertEqual(status(single, "dane_valid")?.status, .passed)
        XCTAssertEqual(status(single, "dane_valid")?.requirement, .mandatory)
        XCTAssertEqual(status(single, "dane_rollover")?.status, c.records.count > 1 ? .passed : .info)

        var next = c.records[0]
        next.data[0] ^= 0xff
        let two = DANECheck.evaluate(service: .mail, host: "example.com", observation: DANEObservation(tlsa: [c.records[0].description, next.description], dnssec: .secure), chain: c.chain)
        XCTAssertEqual(two.status, .validated, "one matching record suffices")
        XCTAssertEqual(status(two, "dane_rollover")?.status, .passed)

        let bad = DANECheck.evaluate(service: .mail, host: "example.com", observation: DANEObservation(tlsa: [next.description], dnssec: .secure), chain: c.chain)
        XCTAssertEqual(status(bad, "dane_valid")?.status, .failed)
        XCTAssertEqual(Status.category(bad.subtests.map(\.graded)), .failed)
    }

    func testNoChainLeavesValidityUntested() {
        let r = DANECheck.evaluate(service: .mail, observation: DANEObservation(tlsa: ["3 1 1 ab"], dnssec: .secure), verification: nil)
        XCTAssertNil(r.status)
        XCTAssertEqual(status(r, "dane_exists")?.status, .passed)
        XCTAssertEqual(status(r, "dane_valid")?.status, .notTested)
    }

    func testDigestPreferenceIsOpenSSLDefaultUnlessAsked() throws {
        // Every danetest case passes with danetest.c's SHA2-256 preference (the vector tests);
        // none depends on it: OpenSSL's default (SHA2-512 first, Peil's default) passes them too.
        let cases = try OpenSSLDANEVectorTests.load("danetest.in")
        let pem = try String(contentsOf: OpenSSLDANEVectorTests.directory.appendingPathComponent("danetest.pem"), encoding: .utf8)
        let anchors = OpenSSLDANEVectorTests.pemCertificates(pem.split(separator: "\n"))
        var differ: [Int] = []
        for c in cases {
            let options = DANEVerificationOptions(baseDomain: "example.com", checkNames: !c.noNameChecks, trustAnchors: anchors)
            let r = try DANEVerifier.verify(records: c.records, chain: c.chain, options: options)
            if r.verifyError != c.wantError || (r.matchDepth ?? -1) != c.wantDepth { differ.append(c.number) }
        }
        XCTAssertEqual(differ, [], "cases that need the SHA2-256 preference")
    }
}
