import Foundation
import Lab
import LabEndpoints
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// `peil diff` and `peil rescan` end to end: a small world measured by a real coordinator and
/// agent, then changed (one domain's DMARC policy fixed in its zone, another's web server given
/// an expired certificate: the lab restarted with the changed world), measured again by a
/// rescan of just those two domains and by a full measurement; both diffs against the first
/// find exactly those two changes. Needs root and `ops/pg start`.
final class DiffRescanTests: XCTestCase {
    static let fixed = "fixed.nl", broken = "broken.nl", steady = ["steady.nl", "calm.nl"]
    static var domains: [String] { [fixed, broken] + steady }

    /// The world before (`changed` false) and after: every domain unsigned under a signed `nl`,
    /// no MX, SPF `-all`, a DMARC record (`fixed.nl`'s p=none, then p=reject) and a web host
    /// on its own address.
    static func world(changed: Bool) -> LabWorld {
        var addresses = LabAddressAllocator()
        func group(_ id: String, _ hosts: [String]) -> LabServerGroup {
            LabServerGroup(id: id, nameservers: hosts.map { host in
                let pair = addresses.take(.nameserver)
                return LabNameserver(host: host, ipv4: pair.ipv4, ipv6: pair.ipv6)
            })
        }
        let groups = [group("root", ["ns.root-servers.lab"]), group("nl", ["ns1.dns.nl", "ns2.dns.nl"]),
                      group("alfa", ["ns1.alfa-dns.nl", "ns2.alfa-dns.nl"])]
        var zones = [LabZone(name: "", dnssec: .signed, servers: "root"), LabZone(name: "nl", dnssec: .signed, servers: "nl"),
                     LabZone(name: "alfa-dns.nl", dnssec: .unsigned, servers: "alfa")]
        for (index, domain) in domains.enumerated() {
            let host = "www." + domain, address = webAddress(index)
            let policy = domain == fixed && !changed ? "none" : "reject"
            zones.append(LabZone(name: domain, dnssec: .unsigned, servers: "alfa", records: [
                .a(host, address.ipv4), .aaaa(host, address.ipv6), .txt(domain, ["v=spf1 -all"]),
                .txt("_dmarc." + domain, ["v=DMARC1; p=\(policy); rua=mailto:dmarc@\(domain)"]),
                .txt("selector1._domainkey." + domain, ["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]),
            ]))
        }
        return LabWorld(serverGroups: groups, zones: zones, domains: domains.map { LabDomain(name: $0) })
    }

    /// One web platform per domain: HTTP redirecting to HTTPS, HSTS, TLS 1.2 and 1.3; after the
    /// change, `broken.nl`'s certificate has expired.
    static func endpoints(changed: Bool) -> EndpointPlan {
        var platforms: [EndpointPlatform] = []
        var sites: [EndpointSite] = []
        for (index, domain) in domains.enumerated() {
            let host = "www." + domain, address = webAddress(index)
            let tls = EndpointTLS(versions: ["TLSv1.2", "TLSv1.3"],
                                  ciphers: ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256",
                                            "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-GCM-SHA256"],
                                  groups: ["X25519", "P-256"], key: "rsa-3072", certificate: domain == broken && changed ? "expired" : "valid",
                                  clientRenegotiation: false, ocspStapling: true)
            let ports = [EndpointPort(port: 80, mode: .serve), EndpointPort(port: 443, mode: .serve)]
            platforms.append(EndpointPlatform(id: "web-\(index)", service: .web,
                                              addresses: [address.ipv4, address.ipv6].map { EndpointAddress(address: $0, ports: ports) },
                                              tls: tls, names: [host]))
            sites.append(EndpointSite(host: host, redirectStatus: 301, location: "https://\(host)/", hsts: "max-age=31536000",
                                      differentOverIPv6: false))
        }
        return EndpointPlan(rttMilliseconds: 0, platforms: platforms, sites: sites)
    }

    static func webAddress(_ index: Int) -> (ipv4: String, ipv6: String) {
        (LabAddressPlan.ipv4(.web, 10 + index), LabAddressPlan.ipv6(.web, 10 + index))
    }

    func testDiffAndRescanFindExactlyTheChangesMadeToTheWorld() throws {
        try TestRequirements.require(.root, .postgreSQL, .peilBinary)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("peil-diff-\(getpid())")
        var configuration = LabConfiguration(prefix: "pdf\(getpid() % 1000)", stateDirectory: state)
        configuration.endpointServer = PeilProcess.peilBinary
        configuration.rttMilliseconds = 0
        let before = Lab(configuration: configuration, world: Self.world(changed: false), endpoints: Self.endpoints(changed: false))
        let after = Lab(configuration: configuration, world: Self.world(changed: true), endpoints: Self.endpoints(changed: true))
        defer { try? after.down() }
        defer { try? before.down() }
        try before.up()
        let backbone = try Backbone(lab: before)
        defer { backbone.tearDown() }
        try backbone.importLabSet("lab")
        try backbone.makeKey("first", allowListed: true)
        try backbone.makeKey("second", allowListed: true)
        _ = try backbone.startCoordinator(resolveOnly: false)
        let first = try backbone.startAgent("first", families: [.ipv4, .ipv6])
        try backbone.waitForAgents(1)
        let original = try backbone.measure("lab")
        XCTAssertTrue(try backbone.waitForCompletion(original, timeout: 300).isComplete, backbone.logs)

        // The world changes: the agent stops, the lab comes up again with the new zones and
        // certificates (same namespaces and files), and a new agent measures it.
        first.signal(SIGTERM)
        XCTAssertTrue(first.waitForExit(timeout: 30), first.log)
        try before.down()
        try after.up()
        _ = try backbone.startAgent("second", families: [.ipv4, .ipv6])

        let rescan = try backbone.rescan(["rescan", "--measurement", "\(original)", "--domains", "\(Self.fixed),\(Self.broken)"])
        XCTAssertTrue(try backbone.waitForCompletion(rescan, timeout: 300).isComplete, backbone.logs)
        XCTAssertEqual(try backbone.store.measuredDomains(measurementID: rescan).map(\.domain), [Self.broken, Self.fixed],
                       "the rescan measured only the two domains")
        let full = try backbone.measure("lab")
        XCTAssertTrue(try backbone.waitForCompletion(full, timeout: 300).isComplete, backbone.logs)

        // The rescan's results cover the whole set.
        let results = try backbone.peil(["results", "--measurement", "\(rescan)"]).output
        XCTAssertEqual(results.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }, Self.domains.sorted())

        for (label, id) in [("rescan", rescan), ("full measurement", full)] {
            // Judged under internetnl-2021: the lab's endpoint server signs its key exchange with
            // SHA-1 on request, which the current rules fail on every domain (so an expired
            // certificate would change nothing there).
            let output = try backbone.peil(["diff", "--measurements", "\(original),\(id)", "--rules", "internetnl-2021", "--format", "json"]).output
            let diff = try JSONDecoder().decode(DiffDocument.self, from: Data(output.utf8))
            let changes = diff.cells.map { "\($0.change) \($0.domain) \($0.column): \($0.before?.status ?? "-") → \($0.after?.status ?? "-")" }
            print("\(label): \(changes.joined(separator: "; "))")
            for cell in diff.cells {
                print("  \(cell.domain) \(cell.column): \(cell.before?.because ?? "-") → \(cell.after?.because ?? "-")")
            }
            XCTAssertEqual(Set(diff.cells.map(\.domain)), [Self.fixed, Self.broken], "\(label): only the two changed domains changed: \(changes)")
            let fixedCells = diff.cells.filter { $0.domain == Self.fixed }
            XCTAssertEqual(fixedCells.map { "\($0.change) \($0.column)" }, ["improved mail.dmarc_policy"], "\(label): \(changes)")
            let brokenCells = diff.cells.filter { $0.domain == Self.broken }
            XCTAssertEqual(brokenCells.map { "\($0.change) \($0.column)" }, ["regressed web.tls_ncsc"], "\(label): \(changes)")
            XCTAssertTrue(brokenCells.first?.after?.because.contains("certificate has expired") == true, "\(label): the evidence says why")
            XCTAssertEqual(diff.counts["regressed"], 1)
            XCTAssertEqual(diff.counts["improved"], 1)
            XCTAssertEqual(diff.counts["not_comparable"], 0)
            XCTAssertEqual(diff.counts["new"], 0)
            XCTAssertEqual(diff.counts["gone"], 0)
            XCTAssertEqual(diff.counts["unchanged"], Self.domains.count * 20 - 2)
        }
        let text = try backbone.peil(["diff", "--measurements", "\(original),\(rescan)", "--rules", "internetnl-2021"]).output
        XCTAssertTrue(text.contains("improved 1"), text)
        XCTAssertTrue(text.contains("p=reject"), "the evidence of both sides is shown:\n\(text)")
        // The report of the rescan against the first measurement lists the regression.
        let out = backbone.directory.appendingPathComponent("report")
        try backbone.peil(["report", "--measurement", "\(rescan)", "--baseline", "\(original)", "--rules", "internetnl-2021", "--out", out.path])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any]
        let regressions = ((report?["changes"] as? [String: Any])?["regressions"] as? [[String: Any]]) ?? []
        XCTAssertEqual(regressions.map { "\($0["domain"] ?? "") \($0["column"] ?? "")" }, ["\(Self.broken) web.tls_ncsc"])
        // What a rescan refuses, said clearly.
        let nothing = try backbone.peil(["rescan", "--measurement", "\(full)", "--only", "error,not_testable"], expectSuccess: false)
        XCTAssertTrue(nothing.output.contains("nothing to rescan"), nothing.output)
        let outside = try backbone.peil(["rescan", "--measurement", "\(original)", "--domains", "elsewhere.nl"], expectSuccess: false)
        XCTAssertNotEqual(outside.status, 0)
        XCTAssertTrue(outside.output.contains("not in the sets of measurement \(original) (lab): elsewhere.nl"), outside.output)
        let unknown = try backbone.peil(["rescan", "--measurement", "9999", "--only", "failed"], expectSuccess: false)
        XCTAssertTrue(unknown.output.contains("there is no measurement 9999"), unknown.output)
    }

    /// The JSON of `peil diff --format json`, as far as the test reads it.
    struct DiffDocument: Decodable {
        struct Cell: Decodable {
            struct Side: Decodable {
                var status: String
                var because: String
            }
            var domain: String
            var column: String
            var change: String
            var before: Side?
            var after: Side?
        }
        var counts: [String: Int]
        var cells: [Cell]
    }
}

extension Backbone {
    /// `peil rescan …`: the new measurement's id (the last line of its output).
    func rescan(_ arguments: [String]) throws -> Int64 {
        let output = try peil(arguments).output
        guard let id = output.split(whereSeparator: \.isNewline).compactMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }).last else {
            throw IntegrationError("peil rescan printed no id:\n\(output)")
        }
        return id
    }
}
