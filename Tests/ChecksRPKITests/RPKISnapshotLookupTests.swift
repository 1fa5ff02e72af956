import Checks
import Foundation
import PeilModel
import PeilTestSupport
import XCTest

/// The snapshot's prefix tables find what a pass over every ROA and route finds
/// (``RouteOriginValidation``'s list functions, the reference), on random tables dense enough
/// that most addresses have several covering prefixes of both families.
final class RPKISnapshotLookupTests: XCTestCase {
    func testTheTablesFindWhatAPassOverEveryEntryFinds() {
        var random = SeededGenerator(seed: 6811)
        for round in 0..<10 {
            let roas = (0..<200).map { _ in
                let prefix = Self.network(&random)
                return ValidatedROA(prefix: prefix, maxLength: Int.random(in: prefix.prefixLength...prefix.octets.count * 8, using: &random),
                                    asn: UInt32.random(in: 0...3, using: &random))
            }
            let routes = (0..<200).map { _ in OriginRoute(prefix: Self.network(&random), origin: UInt32.random(in: 0...3, using: &random)) }
            let snapshot = RPKISnapshot(roas: roas, routes: routes)
            for _ in 0..<200 {
                let network = Self.network(&random)
                XCTAssertEqual(Self.counts(snapshot.roas(covering: network)),
                               Self.counts(roas.filter { $0.prefix.isIPv6 == network.isIPv6 && $0.prefix.contains(network) }),
                               "round \(round): ROAs covering \(network)")
                let address = Self.network(&random, host: true).octets
                XCTAssertEqual(snapshot.routes(containing: address), RouteOriginValidation.routes(containing: address, in: routes),
                               "round \(round): routes containing \(network)")
                let route = OriginRoute(prefix: network, origin: UInt32.random(in: 0...3, using: &random))
                XCTAssertEqual(RouteOriginValidation.validate(route, in: snapshot), RouteOriginValidation.validate(route, against: roas),
                               "round \(round): \(route)")
            }
        }
    }

    func testAnAddressOfTheOtherFamilyOrNoAddressFindsNothing() {
        let snapshot = RPKISnapshot(roas: [ValidatedROA(prefix: IPNetwork("0.0.0.0/0")!, maxLength: 32, asn: 1)],
                                    routes: [OriginRoute(prefix: IPNetwork("0.0.0.0/0")!, origin: 1)])
        XCTAssertEqual(snapshot.roas(covering: IPNetwork("198.18.0.1")!).count, 1, "a /0 covers every IPv4 address")
        XCTAssertEqual(snapshot.roas(covering: IPNetwork("2001:2::1")!), [])
        XCTAssertEqual(snapshot.routes(containing: IPNetwork.parseAddress("2001:2::1")!), [])
        XCTAssertEqual(snapshot.routes(containing: [1, 2, 3]), [])
    }

    func testASnapshotDecodedFromJSONLooksUpAsTheOriginal() throws {
        let snapshot = RPKISnapshot(roas: [ValidatedROA(prefix: IPNetwork("198.18.0.0/16")!, maxLength: 24, asn: 64500, trustAnchor: "lab")],
                                    routes: [OriginRoute(prefix: IPNetwork("198.18.4.0/24")!, origin: 64500)])
        let decoded = try JSONDecoder().decode(RPKISnapshot.self, from: try JSONEncoder().encode(snapshot))
        XCTAssertEqual(decoded, snapshot)
        XCTAssertEqual(decoded.roas(covering: IPNetwork("198.18.4.0/24")!), snapshot.roas)
        XCTAssertEqual(decoded.routes(containing: IPNetwork.parseAddress("198.18.4.9")!), snapshot.routes)
        let keys = (try JSONSerialization.jsonObject(with: try JSONEncoder().encode(snapshot)) as? [String: Any])?.keys.sorted()
        XCTAssertEqual(keys, ["roas", "routes"], "stored as before: the tables are not written")
    }

    /// A network inside 198.18.0.0/15 or 2001:2::/48 (or shorter, holding them), so that random
    /// networks often contain each other.
    /// A host network (an address) with `host`.
    static func network(_ random: inout SeededGenerator, host: Bool = false) -> IPNetwork {
        let ipv6 = Bool.random(using: &random)
        var octets: [UInt8] = ipv6 ? [0x20, 0x01, 0x00, 0x02] + [UInt8](repeating: 0, count: 12) : [198, 18, 0, 0]
        let fixed = ipv6 ? 48 : 15
        // Few varying bits below the fixed part, so that prefixes nest.
        for bit in fixed..<min(fixed + 6, octets.count * 8) where Bool.random(using: &random) {
            octets[bit / 8] |= UInt8(0x80) >> UInt8(bit % 8)
        }
        let total = octets.count * 8
        let chosen = host ? total : [Int.random(in: 0...fixed, using: &random), Int.random(in: fixed...total, using: &random),
                                Int.random(in: fixed...min(fixed + 8, total), using: &random)].randomElement(using: &random)!
        return IPNetwork(octets: octets, prefixLength: chosen)!
    }

    static func counts<T: Hashable>(_ values: [T]) -> [T: Int] {
        values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
