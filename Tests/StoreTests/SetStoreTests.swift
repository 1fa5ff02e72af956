import Foundation
import PeilModel
import Store
import XCTest

final class SetStoreTests: StoreTestCase {
    func testImportThenListSetsWithCountsPerLayer() throws {
        let primary = try seedEntries("primary-2021-03/web.csv", "primary-2021-03/mail.csv")
        let primarySummary = try store.importSet(name: "primary", entries: primary)
        XCTAssertEqual(primarySummary, ImportSummary(set: "primary", domains: 558, added: 558, removed: 0, newDomains: 558))

        // What `peil import --set broad domains.csv` does: read, parse, import.
        let clock = ContinuousClock()
        let start = clock.now
        let broad = try seedEntries("broad-2021-03/domains.csv")
        let parsed = clock.now
        let broadSummary = try store.importSet(name: "broad", entries: broad)
        let imported = clock.now
        print("broad list (\(broad.count) domains): read and parse \(parsed - start), import into the store \(imported - parsed), wall time \(imported - start)")
        XCTAssertEqual(broadSummary, ImportSummary(set: "broad", domains: 2403, added: 2403, removed: 0, newDomains: 2403 - 495))

        let sets = try store.listSets()
        XCTAssertEqual(sets.map(\.name), ["broad", "primary"])
        XCTAssertEqual(sets.map(\.domains), [2403, 558])
        XCTAssertEqual(sets[0].layers, [.rijk: 1686, .gemeenten: 352, .gemeenschappelijkeRegelingen: 332,
                                        .waterschappen: 21, .provincies: 12])
        var primaryLayers: [Layer: Int] = [:]
        for entry in primary { primaryLayers[entry.layer!, default: 0] += 1 }
        XCTAssertEqual(sets[1].layers, primaryLayers)
        XCTAssertEqual(sets[1].layers[.gemeenten], 366)
        XCTAssertEqual(sets[1].withoutLayer, 0)
        XCTAssertEqual(try count("SELECT count(*) FROM domains"), 2466, "domains are shared between sets")

        // Importing the same list again changes nothing.
        XCTAssertEqual(try store.importSet(name: "primary", entries: primary),
                       ImportSummary(set: "primary", domains: 558, added: 0, removed: 0, newDomains: 0))
    }

    func testReimportReplacesMembership() throws {
        _ = try store.importSet(name: "mine", entries: try plainEntries("a.nl", "b.nl", "c.nl"))
        let summary = try store.importSet(name: "mine", entries: try plainEntries("b.nl", "c.nl", "d.nl", "e.nl"))
        XCTAssertEqual(summary, ImportSummary(set: "mine", domains: 4, added: 2, removed: 1, newDomains: 2))
        let sets = try store.listSets()
        XCTAssertEqual(sets.first?.domains, 4)
        XCTAssertEqual(sets.first?.withoutLayer, 4)
        XCTAssertEqual(sets.first?.layers, [:])
    }

    func testBadImportLeavesTheSetUnchanged() throws {
        _ = try store.importSet(name: "mine", entries: try plainEntries("a.nl", "b.nl", "c.nl"))
        let before = try store.listSets()

        // A file with three malformed lines among good ones is refused as a whole by the parser…
        let bad = "a.nl\nnew-one.nl\nbad_one.nl\nnew-two.nl\n-bad-two.nl\nbad three.nl\n"
        XCTAssertThrowsError(try store.importSet(name: "mine", entries: try SeedList.parse(bad, fileName: "bad.txt"))) { error in
            XCTAssertEqual((error as? SeedListError)?.problems.map(\.line), [3, 5, 6])
        }
        // …and a failure inside the database rolls the whole import back (a check the test adds
        // refuses one organisation; NUL no longer fails, it is stored marked).
        try store.database.execute("ALTER TABLE set_members ADD CONSTRAINT no_evil CHECK (organisation <> 'evil')")
        var poisoned = try plainEntries("new-one.nl", "new-two.nl")
        poisoned[1].organisation = "evil"
        XCTAssertThrowsError(try store.importSet(name: "mine", entries: poisoned)) { error in
            XCTAssertNotNil((error as? DatabaseError)?.sqlState, "\(error)")
        }

        XCTAssertEqual(try store.listSets().map(\.domains), before.map(\.domains))
        XCTAssertEqual(try store.listSets().map(\.importedAt), before.map(\.importedAt))
        let members = try store.database.query("""
            SELECT d.name FROM set_members m JOIN domains d ON d.id = m.domain_id ORDER BY d.name
            """).rows.map { try $0.decode("name", as: String.self) }
        XCTAssertEqual(members, ["a.nl", "b.nl", "c.nl"])
        XCTAssertEqual(try count("SELECT count(*) FROM domains"), 3, "no domain of the refused import was kept")
    }

    func testSetNamesMustNotBeEmpty() throws {
        XCTAssertThrowsError(try store.importSet(name: "  ", entries: try plainEntries("a.nl"))) { error in
            XCTAssertEqual(error as? StoreError, .emptySetName)
        }
    }
}
