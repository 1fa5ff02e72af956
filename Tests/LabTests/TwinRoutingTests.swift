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
}
