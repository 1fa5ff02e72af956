import Checks
import Foundation
import PeilModel
import XCTest

@testable import Lab

/// The twin's routing: every cause occurs, the files it writes read back as the same snapshot,
/// and what the RPKI subtests make of the snapshot is what the causes say.
final class TwinRoutingTests: XCTestCase {
    func testEveryCauseOccursAndTheFilesReadBack() throws {
        let twin = try TwinWorldTests.twin.get()
        let routing = TwinRouting(twin)
        let counts = Dictionary(grouping: routing.causes.values, by: { $0 }).mapValues(\.count)
        for cause in TwinRouting.Cause.allCases {
            XCTAssertGreaterThan(counts[cause] ?? 0, 0, "the twin has \(cause) server groups")
        }
        XCTAssertEqual(try RPKISnapshot.parseROAs(try routing.roaExport()), routing.snapshot.roas)
        XCTAssertEqual(try RPKISnapshot.parseRoutes(routing.originTable()), routing.snapshot.routes)
        XCTAssertEqual(TwinRouting(twin), routing, "the same world, the same routing")
    }

    func testTheSubtestsJudgeEveryServerGroupAsItsCauseSays() throws {
        let twin = try TwinWorldTests.twin.get()
        let routing = TwinRouting(twin)
        var groups: [[String]] = twin.webPlatforms.map { $0.ipv4 + $0.ipv6 } + twin.mailPlatforms.map { $0.ipv4 + $0.ipv6 }
        groups += twin.dnsProviders.map { $0.nameservers.flatMap { [$0.ipv4] + ($0.ipv6.map { [$0] } ?? []) } }
        // Two groups together, too: a domain's nameservers or MX hosts may span causes.
        groups += zip(groups, groups.dropFirst()).map { $0 + $1 }
        groups.append(["198.51.100.7"])  // served by nobody in the twin: not routed, not covered
        for addresses in groups {
            let judged = RPKISubtests.evaluate([RPKISubtests.Host(name: "host", addresses: addresses)], snapshot: routing.snapshot)
            let expected = routing.expected(addresses: addresses)
            XCTAssertEqual(judged.exists.status, expected.exists, "exists for \(addresses): \(judged.exists.because)")
            XCTAssertEqual(judged.valid.status, expected.valid, "valid for \(addresses): \(judged.valid.because)")
        }
    }

    /// The comparison `peil lab compare --world` and the twin measurement test share.
    func testTheComparisonCountsTenCellsPerDomainAndNamesADisagreement() throws {
        let twin = try TwinWorldTests.twin.get()
        let routing = TwinRouting(twin)
        let truth = Array(try TwinWorldTests.truth.get().prefix(3))
        func line(_ domain: TwinDomainTruth, flip: String? = nil) throws -> String {
            let cells = Dictionary(uniqueKeysWithValues: routing.expectedSubtests(domain.facts).map { name, status in
                (name, StatusCell(name == flip ? (status == .passed ? .failed : .passed) : status, "measured"))
            })
            struct Line: Encodable { var domain: String; var subtests: [String: StatusCell] }
            return String(decoding: try JSONEncoder().encode(Line(domain: domain.domain, subtests: cells)), as: UTF8.self)
        }
        let agreeing = try truth.map { try line($0) }.joined(separator: "\n")
        XCTAssertEqual(try routing.compare(truth: truth, results: Data(agreeing.utf8)), TwinRouting.Comparison(cells: 30, disagreements: []))
        let flipped = try ([line(truth[0], flip: "web_rpki_valid")] + truth.dropFirst().map { try line($0) }).joined(separator: "\n")
        let comparison = try routing.compare(truth: truth, results: Data(flipped.utf8))
        XCTAssertEqual(comparison.cells, 30)
        XCTAssertEqual(comparison.disagreements.count, 1)
        XCTAssertTrue(comparison.disagreements[0].hasPrefix("\(truth[0].domain) web_rpki_valid: truth "), comparison.disagreements[0])
    }

    /// The MX hosts' nameservers are those of the zones the MX hosts lie in: a domain on a mail
    /// provider has the provider's DNS, and the truth judges their addresses.
    func testTheMailExchangersNameserversAreTheirZonesNameservers() throws {
        let twin = try TwinWorldTests.twin.get()
        let routing = TwinRouting(twin)
        let providerZones = Set(TwinGenerator.mailZones.map(\.zone))
        var checked = 0
        for domain in try TwinWorldTests.truth.get() {
            let hosts = domain.facts.mx.map(\.host).filter { !$0.isEmpty }
            let mxNameservers = try XCTUnwrap(domain.facts.mxNameservers, domain.domain)
            XCTAssertEqual(mxNameservers.isEmpty, hosts.isEmpty, domain.domain)
            guard let host = hosts.first, let zone = providerZones.first(where: { host.hasSuffix("." + $0) }) else { continue }
            let dns = try XCTUnwrap(twin.serviceZones.first { $0.name == zone }?.dnsProvider, zone)
            let provider = try XCTUnwrap(twin.dnsProviders.first { $0.id == dns }, dns)
            XCTAssertEqual(mxNameservers.map(\.host), provider.nameservers.map { "\($0.label).\(provider.zone)" }.sorted(), domain.domain)
            XCTAssertTrue(mxNameservers.allSatisfy { !$0.ipv4.isEmpty }, "\(domain.domain): \(mxNameservers)")
            let expected = routing.expected(addresses: mxNameservers.flatMap { $0.ipv4 + $0.ipv6 })
            let cells = Dictionary(uniqueKeysWithValues: routing.expectedSubtests(domain.facts))
            XCTAssertEqual(cells["mail_mx_ns_rpki_exists"], expected.exists)
            XCTAssertEqual(cells["mail_mx_ns_rpki_valid"], expected.valid)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0)
    }
}
