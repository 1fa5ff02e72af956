import Foundation
import PeilModel
import XCTest

/// Reading a relying party's ROA export and an origin table: all or nothing, errors that name
/// the entry or line.
final class RPKIInputTests: XCTestCase {
    func testRpkiClientAndRoutinatorExports() throws {
        let rpkiClient = #"{"metadata": {"buildtime": "2026-12-01T00:00:00Z"}, "roas": [{"asn": 64500, "prefix": "198.18.0.0/16", "maxLength": 24, "ta": "lab", "expires": 1}]}"#
        let routinator = #"{"roas": [{"asn": "AS64501", "prefix": "2001:2::/48", "maxLength": 64, "ta": "lab"}, {"asn": "as64502", "prefix": "198.19.0.0/24"}]}"#
        XCTAssertEqual(try RPKISnapshot.parseROAs(Data(rpkiClient.utf8)),
                       [ValidatedROA(prefix: IPNetwork("198.18.0.0/16")!, maxLength: 24, asn: 64500, trustAnchor: "lab")])
        XCTAssertEqual(try RPKISnapshot.parseROAs(Data(routinator.utf8)),
                       [ValidatedROA(prefix: IPNetwork("2001:2::/48")!, maxLength: 64, asn: 64501, trustAnchor: "lab"),
                        ValidatedROA(prefix: IPNetwork("198.19.0.0/24")!, maxLength: 24, asn: 64502)])
    }

    func testBadROAFilesAreRefusedNamingTheEntry() {
        XCTAssertThrowsError(try RPKISnapshot.parseROAs(Data("not json".utf8))) { error in
            guard case RPKIInputError.notJSON = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try RPKISnapshot.parseROAs(Data(#"{"vrps": []}"#.utf8))) { XCTAssertEqual($0 as? RPKIInputError, .noROAList) }
        let cases: [(String, RPKIInputError)] = [
            (#"{"roas": [{"asn": 1, "prefix": "198.18.0.0/16"}, {"asn": 1, "prefix": "198.18.0.1"}]}"#,
             .badROA(entry: 2, reason: "198.18.0.1 is not a prefix in CIDR form")),
            (#"{"roas": [{"asn": "ASX", "prefix": "198.18.0.0/16"}]}"#, .badROA(entry: 1, reason: "ASX is not an AS number")),
            (#"{"roas": [{"asn": "4294967296", "prefix": "198.18.0.0/16"}]}"#, .badROA(entry: 1, reason: "4294967296 is not an AS number")),
            (#"{"roas": [{"asn": 1, "prefix": "198.18.0.0/16", "maxLength": 8}]}"#, .badROA(entry: 1, reason: "maxLength 8 outside 16–32")),
            (#"{"roas": [{"asn": 1, "prefix": "2001:2::/48", "maxLength": 129}]}"#, .badROA(entry: 1, reason: "maxLength 129 outside 48–128")),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try RPKISnapshot.parseROAs(Data(text.utf8)), text) { XCTAssertEqual($0 as? RPKIInputError, expected, text) }
        }
    }

    func testOriginTable() throws {
        let text = """
        # prefix origin
        198.18.0.0/16 64500
        2001:2::/48\tAS64501   # the lab's IPv6

        198.19.0.0/24|as64502
        """
        XCTAssertEqual(try RPKISnapshot.parseRoutes(text), [
            OriginRoute(prefix: IPNetwork("198.18.0.0/16")!, origin: 64500),
            OriginRoute(prefix: IPNetwork("2001:2::/48")!, origin: 64501),
            OriginRoute(prefix: IPNetwork("198.19.0.0/24")!, origin: 64502),
        ])
    }

    func testBadOriginTablesAreRefusedNamingTheLine() {
        let cases: [(String, RPKIInputError)] = [
            ("198.18.0.0/16 64500\n198.18.0.0/16", .badRoute(line: 2, reason: "expected PREFIX ORIGIN, found 1 fields")),
            ("198.18.0.1 64500", .badRoute(line: 1, reason: "198.18.0.1 is not a prefix in CIDR form")),
            ("198.18.0.0/33 64500", .badRoute(line: 1, reason: "198.18.0.0/33 is not a prefix in CIDR form")),
            ("198.18.0.0/16 AS-SET", .badRoute(line: 1, reason: "AS-SET is not an AS number")),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try RPKISnapshot.parseRoutes(text), text) { XCTAssertEqual($0 as? RPKIInputError, expected, text) }
        }
    }

    func testSnapshotRoundTripsThroughJSON() throws {
        let snapshot = RPKISnapshot(roas: [ValidatedROA(prefix: IPNetwork("2001:2::/48")!, maxLength: 64, asn: 1, trustAnchor: "lab")],
                                    routes: [OriginRoute(prefix: IPNetwork("198.18.0.0/15")!, origin: 2)])
        let data = try JSONEncoder().encode(snapshot)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"198.18.0.0\\/15\"") || String(decoding: data, as: UTF8.self).contains("\"198.18.0.0/15\""))
        XCTAssertEqual(try JSONDecoder().decode(RPKISnapshot.self, from: data), snapshot)
    }
}
