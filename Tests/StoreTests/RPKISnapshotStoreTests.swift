import Foundation
import PeilModel
import Store
import XCTest

/// A measurement's routing snapshot: kept once, replaced by a later load, gone with it.
final class RPKISnapshotStoreTests: StoreTestCase {
    let snapshot = RPKISnapshot(roas: [ValidatedROA(prefix: IPNetwork("198.18.0.0/16")!, maxLength: 24, asn: 64500, trustAnchor: "lab")],
                                routes: [OriginRoute(prefix: IPNetwork("198.18.0.0/16")!, origin: 64500),
                                         OriginRoute(prefix: IPNetwork("2001:2::/48")!, origin: 64501)])

    func testASnapshotIsKeptReplacedAndReadBack() throws {
        _ = try store.importSet(name: "s", entries: try SeedList.parse("a.nl\nb.nl", fileName: "s"))
        let id = try store.createMeasurement(sets: ["s"])
        XCTAssertNil(try store.rpkiSnapshot(measurementID: id))
        XCTAssertFalse(try store.setRPKISnapshot(snapshot, measurementID: id, source: "roas.json, origins.txt"))
        XCTAssertEqual(try store.rpkiSnapshot(measurementID: id), snapshot)
        let other = RPKISnapshot(roas: snapshot.roas, routes: snapshot.routes.dropLast())
        XCTAssertTrue(try store.setRPKISnapshot(other, measurementID: id, source: "again"))
        XCTAssertEqual(try store.rpkiSnapshot(measurementID: id), other)
        XCTAssertEqual(try count("SELECT count(*) AS count FROM measurement_rpki"), 1)
    }

    func testAnUnknownMeasurementIsRefused() throws {
        XCTAssertThrowsError(try store.setRPKISnapshot(snapshot, measurementID: 4711, source: "x")) {
            XCTAssertEqual($0 as? StoreError, .unknownMeasurement(4711))
        }
    }
}
