import Foundation
import PeilModel
import Store
import XCTest

final class MeasurementStoreTests: StoreTestCase {
    func testMeasurementOverPrimaryAndBroadCountsEachDomainOnce() throws {
        _ = try store.importSet(name: "primary", entries: try seedEntries("primary-2021-03/web.csv", "primary-2021-03/mail.csv"))
        _ = try store.importSet(name: "broad", entries: try seedEntries("broad-2021-03/domains.csv"))
        XCTAssertNil(try store.latestMeasurementID())

        let id = try store.createMeasurement(sets: ["primary", "broad", "primary"])
        XCTAssertEqual(try store.latestMeasurementID(), id)
        XCTAssertEqual(try store.measurementIDs(), [id])

        let progress = try store.progress(measurementID: id)
        XCTAssertEqual(progress.total, 2466)
        XCTAssertEqual(progress.queued, 2466)
        XCTAssertEqual([progress.leased, progress.done, progress.notTestable], [0, 0, 0])
        XCTAssertFalse(try store.measurementComplete(id))
        XCTAssertEqual(try count("SELECT count(DISTINCT domain) FROM tasks WHERE measurement_id = \(id)"), 2466)

        func webHost(_ domain: String) throws -> String {
            try store.database.query("SELECT web_host FROM tasks WHERE domain = \(domain)").single().decode("web_host")
        }
        XCTAssertEqual(try webHost("mijn.digid.nl"), "mijn.digid.nl", "a portal keeps its own web host")
        XCTAssertEqual(try webHost("gemeentealtena.nl"), "www.gemeentealtena.nl")
        XCTAssertEqual(try webHost("1ratio.nl"), "www.1ratio.nl", "broad only: www.<domain>")

        let second = try store.createMeasurement(sets: ["broad"])
        XCTAssertEqual(try store.progress(measurementID: second).total, 2403)
        XCTAssertEqual(try store.measurementIDs(), [id, second])
    }

    func testUnknownOrEmptySetsAreNamed() throws {
        _ = try store.importSet(name: "mine", entries: try plainEntries("a.nl"))
        _ = try store.importSet(name: "empty", entries: [])
        XCTAssertThrowsError(try store.createMeasurement(sets: ["mine", "nope"])) { error in
            XCTAssertEqual(error as? StoreError, .unknownSet("nope"))
            XCTAssertTrue("\(error)".contains("nope"))
        }
        XCTAssertThrowsError(try store.createMeasurement(sets: ["empty"])) { error in
            XCTAssertEqual(error as? StoreError, .emptySet("empty"))
        }
        XCTAssertThrowsError(try store.createMeasurement(sets: [])) { error in
            XCTAssertEqual(error as? StoreError, .noSets)
        }
        XCTAssertEqual(try store.measurementIDs(), [], "a refused measurement leaves nothing behind")
        XCTAssertThrowsError(try store.progress(measurementID: 42)) { error in
            XCTAssertEqual(error as? StoreError, .unknownMeasurement(42))
        }
    }
}
