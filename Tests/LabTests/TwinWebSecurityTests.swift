import Checks
import Foundation
import LabEndpoints
import PeilModel
import XCTest

@testable import Lab

/// The twin's security headers, security.txt, CAA and web TLSA: the generator's variety, what
/// the lab serves of it, the truth written from it, and that the checks judge what is served as
/// the truth says.
final class TwinWebSecurityTests: XCTestCase {
    func testTheTwinHasEveryVariantAndNginxServesEach() throws {
        let twin = try TwinWorldTests.twin.get()
        func count<Value: Hashable>(_ value: (TwinWeb) -> Value, in domains: [TwinDomain]) -> [Value: Int] {
            Dictionary(grouping: domains.map { value($0.web) }, by: { $0 }).mapValues(\.count)
        }
        let nginx = Set(twin.webPlatforms.filter { $0.server == .nginx }.map(\.id))
        let onNginx = twin.domains.filter { nginx.contains($0.web.platform) }
        for domains in [twin.domains, onNginx] {
            XCTAssertEqual(Set(count(\.headers, in: domains).keys), Set(TwinSecurityHeaders.allCases))
            XCTAssertEqual(Set(count(\.securityTxt, in: domains).keys), Set(TwinSecurityTxt.allCases))
            XCTAssertEqual(Set(count(\.caa, in: domains).keys), Set(TwinCAA.allCases))
            XCTAssertEqual(Set(count(\.tlsa, in: domains).keys), [.none, .valid, .mismatch])
        }
        let truth = Dictionary(uniqueKeysWithValues: try TwinWorldTests.truth.get().map { ($0.domain, $0) })
        for domain in twin.domains where domain.web.tlsa != .none {
            XCTAssertEqual(truth[domain.name]?.web["dnssec"]?.status, .passed, "\(domain.name): TLSA only where the web host's zone is secure")
        }
    }

    /// The variety is drawn from a stream of its own: with every variant taken away, the 20
    /// bulk columns of every domain are what they are with it.
    func testTheVarietyLeavesTheBulkColumnsAsTheyAre() throws {
        var plain = try TwinWorldTests.twin.get()
        for index in plain.domains.indices {
            plain.domains[index].web.headers = .complete
            plain.domains[index].web.securityTxt = .missing
            plain.domains[index].web.caa = .none
            plain.domains[index].web.tlsa = .none
        }
        for index in plain.mailPlatforms.indices { plain.mailPlatforms[index].caa = nil }
        for index in plain.domains.indices { plain.domains[index].mail.tlsrpt = nil }
        let plainTruth = plain.truth()
        let truth = try TwinWorldTests.truth.get()
        XCTAssertEqual(plainTruth.map(\.web), truth.map(\.web))
        XCTAssertEqual(plainTruth.map(\.mail), truth.map(\.mail))
    }

    func testEveryDomainHasTheElevenSubtestsUnderBothRuleSets() throws {
        for domain in try TwinWorldTests.truth.get() {
            XCTAssertEqual(Set(domain.subtests.keys), ["internetnl-current", "internetnl-2021"], domain.domain)
            for (ruleSet, cells) in domain.subtests {
                XCTAssertEqual(Set(cells.keys), Set((TwinJudge.securitySubtests + [.webIPv6WSSimilar, .mailSTARTTLSTLSCAA]).map(\.rawValue) + [PeilSubtestID.mailTLSRPT.rawValue]), "\(domain.domain) \(ruleSet)")
                if domain.web["tls_available"]?.status != .passed {
                    let security = TwinJudge.securitySubtests.compactMap { cells[$0.rawValue]?.status }
                    XCTAssertEqual(Set(security), [.notTested], "\(domain.domain): no HTTPS, no security subtest judged")
                }
            }
        }
    }

    /// The truth is written from the variants; the checks, given what the lab serves for each,
    /// must come to the same statuses.
    func testTheChecksJudgeWhatIsServedAsTheTruthSays() throws {
        let host = "www.voorbeeld.nl"
        for variant in TwinSecurityHeaders.allCases {
            let fields = variant.fields
            func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }
            for ruleSet in RuleSet.allCases {
                let truth = TwinJudge.headers(variant, current: ruleSet == .internetnlCurrent)
                let judged: [SubtestID: Status] = [
                    .webAppsecprivXFrameOptions: SecurityHeaders.xFrameOptions(values("X-Frame-Options"), ruleSet: ruleSet).status,
                    .webAppsecprivXContentTypeOptions: SecurityHeaders.xContentTypeOptions(values("X-Content-Type-Options"), ruleSet: ruleSet).status,
                    .webAppsecprivCSP: CSPCheck.evaluate(values("Content-Security-Policy"), host: host, ruleSet: ruleSet).status,
                    .webAppsecprivReferrerPolicy: SecurityHeaders.referrerPolicy(values("Referrer-Policy"), ruleSet: ruleSet).status,
                ]
                XCTAssertEqual(judged, truth.mapValues(\.status), "\(variant) under \(ruleSet)")
            }
        }
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        for variant in TwinSecurityTxt.allCases {
            let served = variant.served(host: host, domain: "voorbeeld.nl")
            // The probe asks the well-known path, then the legacy one when the first is not 200.
            let status = served.path == nil ? 404 : 200
            let url = "https://\(host)\(served.path ?? EndpointSecurityTxt.paths[1])"
            let retrieval = SecurityTxtRetrieval(status: status, contentType: status == 200 ? served.contentType : "text/html",
                                                 foundAtLegacyPath: served.path == EndpointSecurityTxt.paths[1],
                                                 body: status == 200 ? served.body(now: now) : nil)
            let judged = SecurityTxtCheck.evaluate(retrieval, now: Int64(now.timeIntervalSince1970), url: status == 200 ? url : nil)
            XCTAssertEqual(judged.status, TwinJudge.securityTxt(variant).status, "\(variant): \(judged.findings)")
        }
        for variant in TwinCAA.allCases {
            let records = variant.records(host: host)
            let judged = CAACheck.evaluate(foundAt: records.isEmpty ? nil : host, records: records)
            XCTAssertEqual(judged.status, TwinJudge.caa(variant), "\(variant): \(judged.findings)")
        }
    }

    /// The plan carries each web host's variants; nginx gets the same, its text made at once.
    func testTheEndpointsServeTheWorldsVariants() throws {
        let twin = try TwinWorldTests.twin.get()
        let plan = TwinEndpoints.plan(twin)
        let sites = Dictionary(plan.sites.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
        for domain in twin.domains {
            let site = try XCTUnwrap(sites[domain.web.host])
            XCTAssertEqual(site.servedSecurityHeaders, domain.web.headers.fields)
            XCTAssertEqual(site.securityTxt, domain.web.securityTxt.served(host: domain.web.host, domain: domain.name))
        }
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let signed = TwinSecurityTxt.signed.served(host: "www.a.nl", domain: "a.nl").body(now: now)
        XCTAssertTrue(signed.hasPrefix("-----BEGIN PGP SIGNED MESSAGE-----\n") && signed.contains("\nExpires: 2026-11-24T") && signed.hasSuffix("-----END PGP SIGNATURE-----\n"), signed)
        XCTAssertTrue(TwinSecurityTxt.expired.served(host: "www.a.nl", domain: "a.nl").body(now: now).contains("\nExpires: 2026-04-28T"))

        let certificates = LabCertificates(directory: URL(fileURLWithPath: "/nonexistent"))
        let nginx = NginxConfiguration(plan: plan, certificates: certificates, directory: certificates.directory)
        XCTAssertEqual(nginx.problems(), [])
        let text = nginx.text()
        let overHTTPS = nginx.plan.platforms.filter { $0.addresses.contains { $0.ports.contains(EndpointPort(port: 443, mode: .serve)) } }
        let nginxHosts = Set(overHTTPS.flatMap(\.names))
        for domain in twin.domains where nginxHosts.contains(domain.web.host) && domain.web.securityTxt != .missing {
            let served = domain.web.securityTxt.served(host: domain.web.host, domain: domain.name)
            let untilExpires = served.template.components(separatedBy: EndpointSecurityTxt.expiresPlaceholder)[0].replacingOccurrences(of: "\n", with: "\\n")
            XCTAssertTrue(text.contains("location = \(served.path!) { default_type \(served.contentType); return 200 \"\(untilExpires)"), domain.web.host)
        }
        XCTAssertTrue(text.contains("add_header Referrer-Policy \"unsafe-url\" always;"), "nginx sends the bad header set somewhere")
        XCTAssertTrue(text.contains("location = /security.txt { return 404; }"))
    }

    /// A world file from before the variants reads as one without them.
    func testWorldFilesWithoutTheVariantsStillLoad() throws {
        let json = """
            {"host": "www.a.nl", "platform": "p", "redirect": "none", "differentContentOverIPv6": false, "tlsa": "valid",
             "caa": ["0 issue \\"ca.peil-lab.nl\\""]}
            """
        let web = try JSONDecoder().decode(TwinWeb.self, from: Data(json.utf8))
        XCTAssertEqual(web, TwinWeb(host: "www.a.nl", zone: nil, platform: "p", redirect: .none, hsts: nil, caa: .issue, tlsa: .valid))
        let none = try JSONDecoder().decode(TwinWeb.self, from: Data(json.replacingOccurrences(of: "[\"0 issue \\\"ca.peil-lab.nl\\\"\"]", with: "[]").utf8))
        XCTAssertEqual(none.caa, .none)
        XCTAssertThrowsError(try JSONDecoder().decode(TwinWeb.self, from: Data(json.replacingOccurrences(of: "0 issue", with: "0 tbs").utf8)))
        let again = try JSONDecoder().decode(TwinWeb.self, from: JSONEncoder().encode(TwinWeb(host: "h", zone: nil, platform: "p", redirect: .none, hsts: "x",
                                                                                                caa: .unknownProperty, headers: .badValues, securityTxt: .signed)))
        XCTAssertEqual(again.caa, .unknownProperty)
        XCTAssertEqual(again.headers, .badValues)
        XCTAssertEqual(again.securityTxt, .signed)
    }

    /// The comparison reads the rule set of each line and names what disagrees.
    func testTheComparisonUsesEachLinesRuleSet() throws {
        let truth = Array(try TwinWorldTests.truth.get().filter { $0.web["tls_available"]?.status == .passed }.prefix(2))
        func line(_ domain: TwinDomainTruth, ruleSet: String, flip: String? = nil) throws -> String {
            var cells = domain.subtests[ruleSet] ?? [:]
            if let flip { cells[flip] = StatusCell(.error, "flipped") }
            struct Line: Encodable { var domain: String; var ruleSet: String; var subtests: [String: StatusCell] }
            return String(decoding: try JSONEncoder().encode(Line(domain: domain.domain, ruleSet: ruleSet, subtests: cells)), as: UTF8.self)
        }
        let agreeing = try truth.map { try line($0, ruleSet: "internetnl-2021") }.joined(separator: "\n")
        let comparison = try TwinSubtestComparison.compare(truth: truth, results: Data(agreeing.utf8))
        XCTAssertEqual(comparison.cells, 22)
        XCTAssertEqual(comparison.disagreements, [])
        let flipped = try line(truth[0], ruleSet: "internetnl-current", flip: "web_appsecpriv_csp")
        let disagreeing = try TwinSubtestComparison.compare(truth: truth, results: Data(flipped.utf8))
        XCTAssertEqual(disagreeing.cells, 11)
        XCTAssertEqual(disagreeing.disagreements.count, 1)
        XCTAssertTrue(disagreeing.disagreements[0].hasPrefix("\(truth[0].domain) web_appsecpriv_csp (internetnl-current): truth "), disagreeing.disagreements[0])
        XCTAssertTrue(disagreeing.table().hasSuffix("subtests: 10 of 11 cells agree with the twin's truth"))
    }
}
