import Checks
import Foundation
import PeilModel
import XCTest

/// RFC 6811 §2 route origin validation, case by case.
final class RouteOriginValidationTests: XCTestCase {
    func roa(_ prefix: String, _ maxLength: Int?, _ asn: UInt32) -> ValidatedROA {
        let network = IPNetwork(prefix)!
        return ValidatedROA(prefix: network, maxLength: maxLength ?? network.prefixLength, asn: asn)
    }

    func roa(_ prefix: String, _ asn: UInt32) -> ValidatedROA { roa(prefix, nil, asn) }

    func route(_ prefix: String, _ origin: UInt32) -> OriginRoute {
        OriginRoute(prefix: IPNetwork(prefix)!, origin: origin)
    }

    func testNoCoveringROAIsNotFound() {
        let roas = [roa("198.18.0.0/24", 64500), roa("2001:2::/48", 64500)]
        XCTAssertEqual(RouteOriginValidation.validate(route("198.19.0.0/24", 64500), against: roas), .notFound)
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.0.0/23", 64500), against: roas), .notFound,
                       "a less specific route is not covered by a more specific ROA")
        XCTAssertEqual(RouteOriginValidation.validate(route("2001:2:1::/48", 64500), against: roas), .notFound)
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.0.0/24", 64500), against: []), .notFound)
    }

    func testMatchingOriginAndLengthIsValid() {
        let roas = [roa("198.18.0.0/16", 24, 64500)]
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.0.0/16", 64500), against: roas), .valid)
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.7.0/24", 64500), against: roas), .valid)
    }

    func testTooLongOrOtherOriginIsInvalidWithItsReason() {
        let roas = [roa("198.18.0.0/16", 20, 64500)]
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.7.0/24", 64500), against: roas), .invalid(reason: .length))
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.0.0/16", 64501), against: roas), .invalid(reason: .originAS))
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.7.0/24", 64501), against: roas), .invalid(reason: .originAS))
    }

    func testOneMatchingROAAmongSeveralMakesItValid() {
        let roas = [roa("198.18.0.0/15", 64499), roa("198.18.0.0/16", 24, 64500)]
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.1.0/24", 64500), against: roas), .valid)
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.1.0/24", 64499), against: roas), .invalid(reason: .length))
    }

    func testAS0ROACoversButNeverMatches() {
        let roas = [roa("198.18.0.0/16", 24, 0)]
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.0.0/16", 0), against: roas), .invalid(reason: .originAS))
    }

    func testFamiliesNeverMix() {
        // ::/0 style ROA must not cover IPv4 and vice versa.
        let roas = [roa("::/0", 128, 64500)]
        XCTAssertEqual(RouteOriginValidation.validate(route("198.18.0.0/16", 64500), against: roas), .notFound)
        XCTAssertEqual(RouteOriginValidation.validate(route("2001:2::/48", 64500), against: roas), .valid)
    }

    func testRoutesContainingAnAddressMostSpecificFirst() {
        let table = [route("198.18.0.0/15", 64499), route("198.18.4.0/24", 64500), route("198.20.0.0/16", 64501), route("2001:2::/48", 64502)]
        let found = RouteOriginValidation.routes(containing: IPNetwork.parseAddress("198.18.4.9")!, in: table)
        XCTAssertEqual(found, [route("198.18.4.0/24", 64500), route("198.18.0.0/15", 64499)])
        XCTAssertEqual(RouteOriginValidation.routes(containing: IPNetwork.parseAddress("2001:2::1")!, in: table), [route("2001:2::/48", 64502)])
        XCTAssertEqual(RouteOriginValidation.routes(containing: IPNetwork.parseAddress("198.51.100.1")!, in: table), [])
    }

    func testStateWordsAreRoutinators() {
        XCTAssertEqual("\(RouteOriginValidation.State.valid)", "valid")
        XCTAssertEqual("\(RouteOriginValidation.State.notFound)", "not-found")
        XCTAssertEqual("\(RouteOriginValidation.State.invalid(reason: .length))", "invalid (length)")
        XCTAssertEqual("\(RouteOriginValidation.State.invalid(reason: .originAS))", "invalid (as)")
    }
}
