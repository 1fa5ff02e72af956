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

/// A streamed import (COPY into the staging table, merged in SQL) against the merge in memory.
final class StreamedImportTests: StoreTestCase {
    func testStreamedEntriesMergeAsSeedListMergeDoesAndKeepAwkwardText() throws {
        func entry(_ name: String, layer: Layer? = nil, organisation: String? = nil, webHost: String? = nil,
                   web: Bool = true, mail: Bool = true, tags: [String: String] = [:]) throws -> SetEntry {
            SetEntry(domain: try DomainName(parsing: name), layer: layer, organisation: organisation,
                     webHost: try webHost.map { try DomainName(parsing: $0) }, testsWeb: web, testsMail: mail, tags: tags)
        }
        // Every character COPY's text format escapes, and a NUL, in the values that travel as text.
        let awkward = "tab\there, back\\slash, new\nline, return\r, \\N, nul\0"
        let entries = [
            try entry("b.nl", layer: nil, organisation: nil, web: false, mail: true, tags: ["agency": "first", "x": awkward]),
            try entry("a.nl", layer: .gemeenten, organisation: awkward, webHost: "portal.a.nl"),
            try entry("b.nl", layer: .rijk, organisation: "org b", webHost: "www2.b.nl", web: true, mail: false, tags: ["agency": "second", "y": "why"]),
            try entry("b.nl", layer: .provincies, organisation: "later", tags: ["z": "zed"]),
            try entry("c.nl", web: false, mail: false),
        ]
        let summary = try store.importSet(name: "streamed", streaming: { members in
            for entry in entries { try members.append(entry) }
        })
        XCTAssertEqual(summary, ImportSummary(set: "streamed", domains: 3, added: 3, removed: 0, newDomains: 3))
        let stored = try store.setMembers(name: "streamed").sorted { $0.domain < $1.domain }
        var expected = SeedList.merge(entries)
        for index in expected.indices {
            expected[index].organisation = expected[index].organisation.map(StorableText.text)
            expected[index].tags = expected[index].tags.mapValues(StorableText.text)
        }
        XCTAssertEqual(stored, expected)
        XCTAssertEqual(stored[1].tags, ["agency": "first", "x": StorableText.text(awkward), "y": "why", "z": "zed"])
        XCTAssertEqual(try count("SELECT count(*) FROM set_import_staging"), 0, "the staging rows go with the import")
        let names = try store.database.query("SELECT name FROM domains ORDER BY id").rows.map { try $0.decode("name", as: String.self) }
        XCTAssertEqual(names, ["a.nl", "b.nl", "c.nl"], "new domains are numbered in name order")
    }

    func testAFeedThatThrowsImportsNothing() throws {
        _ = try store.importSet(name: "mine", entries: try plainEntries("a.nl", "b.nl"))
        struct Refused: Error {}
        XCTAssertThrowsError(try store.importSet(name: "mine", streaming: { members in
            for name in (0..<25_000).map({ "d\($0).nl" }) { try members.append(SetEntry(domain: try DomainName(parsing: name))) }
            throw Refused()
        })) { XCTAssertTrue($0 is Refused, "\($0)") }
        XCTAssertEqual(try store.listSets().map(\.domains), [2])
        XCTAssertEqual(try count("SELECT count(*) FROM domains"), 2)
        XCTAssertEqual(try count("SELECT count(*) FROM set_import_staging"), 0)
    }
}

/// COPY's text format, as the streamed import sends its rows.
final class CopyTextTests: XCTestCase {
    func testFieldsEscapeWhatWouldEndAFieldOrARow() {
        XCTAssertEqual(CopyText.field(nil), "\\N")
        XCTAssertEqual(CopyText.field("plain ünïcode"), "plain ünïcode")
        XCTAssertEqual(CopyText.field("a\tb\\c\nd\re"), "a\\tb\\\\c\\nd\\re")
        XCTAssertEqual(CopyText.field("\\N"), "\\\\N", "the text \\N is not NULL")
        XCTAssertEqual(CopyText.field("nul\0"), "nul\u{2400}")
        XCTAssertEqual(CopyText.row(["1", nil, "x\ty"]), "1\t\\N\tx\\ty\n")
    }
}
