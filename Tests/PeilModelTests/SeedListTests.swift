import Foundation
import PeilModel
import PeilTestSupport
import XCTest

/// The seed data: `shared/data` (see ``TestPaths``).
enum SeedData {
    static let folder = TestPaths.seedData

    static func file(_ path: String) throws -> SeedFile {
        let url = folder.appendingPathComponent(path)
        return SeedFile(name: path, text: try String(contentsOf: url, encoding: .utf8))
    }
}

final class SeedListTests: XCTestCase {
    func testPrimaryWebHostsBecomeDomainsWithTheirWebHost() throws {
        let file = try SeedData.file("primary-2021-03/web.csv")
        XCTAssertEqual(SeedList.format(ofHeader: String(file.text.prefix { $0 != "\n" })), .primaryWeb)
        let entries = try SeedList.parse([file])
        XCTAssertEqual(entries.count, 553, "553 web hosts, each a distinct domain")
        XCTAssertTrue(entries.allSatisfy { $0.testsWeb && !$0.testsMail && $0.layer != nil && $0.webHost != nil })

        let altena = try XCTUnwrap(entries.first { $0.domain.value == "gemeentealtena.nl" })
        XCTAssertEqual(altena.webHost?.value, "www.gemeentealtena.nl")
        XCTAssertEqual(altena.layer, .gemeenten)
        let portal = try XCTUnwrap(entries.first { $0.domain.value == "mijn.digid.nl" })
        XCTAssertEqual(portal.webHost?.value, "mijn.digid.nl")
        XCTAssertEqual(portal.effectiveWebHost, "mijn.digid.nl")
    }

    func testPrimaryMailDomains() throws {
        let entries = try SeedList.parse([try SeedData.file("primary-2021-03/mail.csv")])
        XCTAssertEqual(entries.count, 558)
        XCTAssertTrue(entries.allSatisfy { $0.testsMail && !$0.testsWeb && $0.webHost == nil })
        XCTAssertEqual(entries.filter { $0.layer == .gemeenten }.count, 366)
    }

    func testPrimaryFolderMergesWebAndMail() throws {
        let entries = try SeedList.parse([
            try SeedData.file("primary-2021-03/web.csv"), try SeedData.file("primary-2021-03/mail.csv"),
        ])
        // Every web host's domain is also a mail domain, so the union is the 558 mail domains.
        XCTAssertEqual(entries.count, 558)
        XCTAssertEqual(entries.filter(\.testsWeb).count, 553)
        XCTAssertEqual(entries.filter(\.testsMail).count, 558)
        XCTAssertEqual(entries.filter { $0.testsWeb && $0.testsMail }.count, 553)
        XCTAssertEqual(Set(entries.map(\.domain)).count, entries.count)
        XCTAssertEqual(entries.first { $0.domain.value == "mijn.digid.nl" }?.webHost?.value, "mijn.digid.nl")
    }

    func testBroadListWithTypesAndAgencies() throws {
        let file = try SeedData.file("broad-2021-03/domains.csv")
        XCTAssertEqual(file.text.split(whereSeparator: \.isNewline).count - 1, 2403, "2,403 rows (CRLF)")
        let entries = try SeedList.parse([file])
        // No two rows name the same domain, even after lower-casing gemeenteAltena.nl.
        XCTAssertEqual(entries.count, 2403)
        XCTAssertTrue(entries.contains { $0.domain.value == "gemeentealtena.nl" })
        XCTAssertTrue(entries.allSatisfy { $0.webHost == nil && $0.testsWeb && $0.testsMail })
        var perLayer: [Layer: Int] = [:]
        for entry in entries { perLayer[entry.layer!, default: 0] += 1 }
        XCTAssertEqual(perLayer, [.rijk: 1686, .gemeenten: 352, .gemeenschappelijkeRegelingen: 332,
                                  .waterschappen: 21, .provincies: 12])
        let quoted = try XCTUnwrap(entries.first { $0.domain.value == "aanbiedersmedicijnen.nl" })
        XCTAssertEqual(quoted.organisation, "Ministerie van Volksgezondheid, Welzijn en Sport")
        XCTAssertEqual(quoted.effectiveWebHost, "www.aanbiedersmedicijnen.nl")
    }

    func testPrimaryAndBroadUnion() throws {
        let primary = try SeedList.parse([
            try SeedData.file("primary-2021-03/web.csv"), try SeedData.file("primary-2021-03/mail.csv"),
        ])
        let broad = try SeedList.parse([try SeedData.file("broad-2021-03/domains.csv")])
        let union = SeedList.merge(primary + broad)
        XCTAssertEqual(union.count, 2466, "the seed README's 2,466 distinct names")
        XCTAssertEqual(Set(primary.map(\.domain)).intersection(broad.map(\.domain)).count, 495)
        // gemeenteAltena.nl (broad) and gemeentealtena.nl (primary) are one domain.
        XCTAssertEqual(union.filter { $0.domain.value == "gemeentealtena.nl" }.count, 1)
    }

    func testPlainListWithCommentsBlankLinesAndDuplicates() throws {
        let text = """
            # ministries
            rijksoverheid.nl
            Rijksoverheid.NL.   # same domain again

              minbzk.nl
            bücher.example
            """
        let entries = try SeedList.parse(text, fileName: "list.txt")
        XCTAssertEqual(entries.map(\.domain.value), ["minbzk.nl", "rijksoverheid.nl", "xn--bcher-kva.example"])
        XCTAssertTrue(entries.allSatisfy { $0.layer == nil && $0.organisation == nil && $0.webHost == nil })
    }

    func testPlainListLineMayNameItsWebHost() throws {
        let entries = try SeedList.parse("mijn.digid.nl mijn.digid.nl\nalmere.nl\ndelft.nl Portaal.Delft.nl # portal\n", fileName: "list.txt")
        XCTAssertEqual(entries.map(\.effectiveWebHost), ["www.almere.nl", "portaal.delft.nl", "mijn.digid.nl"])
        XCTAssertThrowsError(try SeedList.parse("almere.nl www.almere.nl extra\n", fileName: "list.txt")) { error in
            XCTAssertTrue("\(error)".contains("list.txt:1"), "\(error)")
        }
        XCTAssertThrowsError(try SeedList.parse("almere.nl www..almere.nl\n", fileName: "list.txt"))
    }

    func testThreeMalformedLinesAmongGoodOnesAreAllNamed() throws {
        let text = """
            Domain Name,Domain Type,Agency
            good-one.nl,Rijksoverheid,Ministerie van Financiën
            bad_domain.nl,Gemeenten,Gemeente X
            good-two.nl,Gemeenten,"Gemeente ""Y"", Zuid"
            good-three.nl,Heemraadschappen,Iemand
            good-four.nl,Provincies
            good-five.nl,Waterschappen,Waterschap Z
            """
        XCTAssertThrowsError(try SeedList.parse(text, fileName: "domains.csv")) { error in
            guard let error = error as? SeedListError else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(error.problems.map(\.line), [3, 5, 6])
            XCTAssertEqual(error.problems.map(\.why), [
                "bad domain 'bad_domain.nl': label 'bad_domain' has a character other than letter, digit or hyphen",
                "unknown domain type 'Heemraadschappen'",
                "has 2 columns, expected 3",
            ])
            let message = error.description
            for line in ["domains.csv:3:", "domains.csv:5:", "domains.csv:6:"] {
                XCTAssertTrue(message.contains(line), "\(line) missing from:\n\(message)")
            }
        }
        // The same file without its bad lines is fine, and quoting is honoured.
        let good = text.split(separator: "\n").enumerated().filter { ![2, 4, 5].contains($0.offset) }
            .map(\.element).joined(separator: "\n")
        let entries = try SeedList.parse(good)
        XCTAssertEqual(entries.count, 3)
        XCTAssertEqual(entries.first { $0.domain.value == "good-two.nl" }?.organisation, #"Gemeente "Y", Zuid"#)
    }

    func testBadLinesInPrimaryAndPlainFilesAreNamedPerFile() throws {
        let mail = "domain,layer,formal_reaction,dmarc\nexample.nl,rijk,no,passed\nexample.org,ministerie,no,passed\n"
        let plain = "ok.nl\nnot a domain\n"
        XCTAssertThrowsError(try SeedList.parse([SeedFile(name: "mail.csv", text: mail), SeedFile(name: "list", text: plain)])) { error in
            let problems = (error as? SeedListError)?.problems ?? []
            XCTAssertEqual(problems.map(\.description), [
                "mail.csv:3: unknown layer 'ministerie'",
                "list:2: 'not a domain' is not a domain with an optional web host",
            ])
        }
        XCTAssertThrowsError(try SeedList.parse("# nothing here\n\n")) { error in
            XCTAssertEqual((error as? SeedListError)?.problems.first?.why, "no domains")
        }
    }

    func testConflictingRowsMergeFirstValueWins() throws {
        let web = "domain,layer,formal_reaction,tls_available\nwww.minienw.nl,uitvoerders,no,passed\n"
        let mail = "domain,layer,formal_reaction,dmarc\nminienw.nl,rijk,no,passed\n"
        let entries = try SeedList.parse([SeedFile(name: "web.csv", text: web), SeedFile(name: "mail.csv", text: mail)])
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries[0].layer, .uitvoerders)
        XCTAssertTrue(entries[0].testsWeb && entries[0].testsMail)
        XCTAssertEqual(entries[0].webHost?.value, "www.minienw.nl")
    }
}
