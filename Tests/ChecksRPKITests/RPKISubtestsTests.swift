import Checks
import Foundation
import PeilModel
import XCTest

/// Internet.nl's RPKI "exists" and "valid" subtests over a snapshot of ROAs and routes.
final class RPKISubtestsTests: XCTestCase {
    let snapshot = RPKISnapshot(
        roas: [ValidatedROA(prefix: IPNetwork("198.18.0.0/24")!, maxLength: 24, asn: 64500),
               ValidatedROA(prefix: IPNetwork("198.18.1.0/24")!, maxLength: 24, asn: 64500),
               ValidatedROA(prefix: IPNetwork("2001:2::/48")!, maxLength: 48, asn: 64500),
               ValidatedROA(prefix: IPNetwork("198.18.9.0/24")!, maxLength: 24, asn: 64500)],
        routes: [OriginRoute(prefix: IPNetwork("198.18.0.0/24")!, origin: 64500),   // valid
                 OriginRoute(prefix: IPNetwork("198.18.1.0/24")!, origin: 64666),   // invalid (as)
                 OriginRoute(prefix: IPNetwork("198.18.2.0/24")!, origin: 64500),   // not-found
                 OriginRoute(prefix: IPNetwork("2001:2::/48")!, origin: 64500)])    // valid

    func hosts(_ addresses: String...) -> [RPKISubtests.Host] {
        [RPKISubtests.Host(name: "www.example.nl", addresses: addresses)]
    }

    func testAllCoveredAndValidPasses() {
        let (exists, valid) = RPKISubtests.evaluate(hosts("198.18.0.10", "2001:2::10"), snapshot: snapshot)
        XCTAssertEqual(exists.status, .passed)
        XCTAssertEqual(valid.status, .passed)
        XCTAssertEqual(valid.because, "www.example.nl 198.18.0.0/24 AS64500: valid; www.example.nl 2001:2::/48 AS64500: valid")
    }

    func testAnInvalidRouteFailsValidButTheROAExists() {
        let (exists, valid) = RPKISubtests.evaluate(hosts("198.18.0.10", "198.18.1.10"), snapshot: snapshot)
        XCTAssertEqual(exists.status, .passed)
        XCTAssertEqual(valid.status, .failed)
        XCTAssertTrue(valid.because.contains("198.18.1.0/24 AS64666: invalid (as)"), valid.because)
    }

    func testAnUncoveredRouteIsAWarningForExistsAndFailsValid() {
        let (exists, valid) = RPKISubtests.evaluate(hosts("198.18.0.10", "198.18.2.10"), snapshot: snapshot)
        XCTAssertEqual(exists.status, .warning, "Internet.nl's notice: informational")
        XCTAssertTrue(exists.because.contains("198.18.2.10: ROA no"), exists.because)
        XCTAssertEqual(valid.status, .failed)
        XCTAssertTrue(valid.because.contains("not-found"), valid.because)
    }

    func testUnroutedAddresses() {
        // Every address unrouted: valid is not tested; the ROA may still exist for the address.
        let (exists, valid) = RPKISubtests.evaluate(hosts("198.18.9.1"), snapshot: snapshot)
        XCTAssertEqual(exists.status, .passed)
        XCTAssertEqual(valid.status, .notTested)
        XCTAssertTrue(valid.because.hasPrefix("not routed"), valid.because)
        // Unrouted beside valid: passed, as Internet.nl decides.
        XCTAssertEqual(RPKISubtests.evaluate(hosts("198.18.9.1", "198.18.0.1"), snapshot: snapshot).valid.status, .passed)
        // Unrouted and no ROA: exists warns.
        XCTAssertEqual(RPKISubtests.evaluate(hosts("198.19.0.1"), snapshot: snapshot).exists.status, .warning)
    }

    func testNoAddressesAndNoDataAreNotTested() {
        let none = RPKISubtests.evaluate([RPKISubtests.Host(name: "www.example.nl", addresses: [])], snapshot: snapshot)
        XCTAssertEqual(none.exists, StatusCell(.notTested, "no addresses"))
        XCTAssertEqual(none.valid.status, .notTested)
        let noData = RPKISubtests.evaluate(hosts("198.18.0.10"), snapshot: nil)
        XCTAssertEqual(noData.exists.status, .notTested)
        XCTAssertTrue(noData.valid.because.contains("no RPKI data"), noData.valid.because)
    }

    func testARouteSharedByTwoAddressesOfAHostCountsOnce() {
        let valid = RPKISubtests.evaluate(hosts("198.18.0.10", "198.18.0.11"), snapshot: snapshot).valid
        XCTAssertEqual(valid.because, "www.example.nl 198.18.0.0/24 AS64500: valid")
    }
}
