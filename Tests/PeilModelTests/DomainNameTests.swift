import Foundation
import PeilModel
import XCTest

final class DomainNameTests: XCTestCase {
    private func name(_ text: String) throws -> String {
        try DomainName(parsing: text).value
    }

    private func reason(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> DomainNameError.Reason? {
        do {
            let parsed = try DomainName(parsing: text)
            XCTFail("'\(text)' was accepted as '\(parsed)'", file: file, line: line)
            return nil
        } catch {
            return error.reason
        }
    }

    func testNormalisesCaseWhitespaceAndOneTrailingDot() throws {
        XCTAssertEqual(try name("  Example.NL. \n"), "example.nl")
        XCTAssertEqual(try name("gemeenteAltena.nl"), "gemeentealtena.nl")
        XCTAssertEqual(try name("WWW.Rijksoverheid.nl"), "www.rijksoverheid.nl")
        XCTAssertEqual(reason("example.nl.."), .emptyLabel, "only one trailing dot is stripped")
    }

    func testConvertsUnicodeLabelsToPunycode() throws {
        XCTAssertEqual(try name("bücher.example"), "xn--bcher-kva.example")
        XCTAssertEqual(try name("BÜCHER.Example."), "xn--bcher-kva.example")
        // Non-transitional processing keeps ß (IDNA2008), where transitional would map it to "ss".
        XCTAssertEqual(try name("faß.de"), "xn--fa-hia.de")
        XCTAssertEqual(try name("xn--bcher-kva.example"), "xn--bcher-kva.example")
        guard case .internationalised = reason("☃.nl") else {
            return XCTFail("a symbol IDNA2008 disallows must be refused by libidn2")
        }
    }

    func testRefusesBadLabelsAndSaysWhy() throws {
        XCTAssertEqual(reason("a_b.nl"), .badCharacter(label: "a_b"))
        do {
            _ = try DomainName(parsing: "a_b.nl")
        } catch {
            XCTAssertEqual(error.why, "label 'a_b' has a character other than letter, digit or hyphen")
            XCTAssertTrue(error.description.contains("'a_b.nl'"))
        }
        XCTAssertEqual(reason("ex ample.nl"), .badCharacter(label: "ex ample"))
        XCTAssertEqual(reason("a,b.nl"), .badCharacter(label: "a,b"))
        XCTAssertEqual(reason("-ab.nl"), .hyphenAtEdge(label: "-ab"))
        XCTAssertEqual(reason("ab-.nl"), .hyphenAtEdge(label: "ab-"))
        XCTAssertEqual(reason("a..nl"), .emptyLabel)
        XCTAssertEqual(reason(".nl"), .emptyLabel)
        XCTAssertEqual(reason("localhost"), .singleLabel)
        XCTAssertEqual(reason("nl."), .singleLabel)
        XCTAssertEqual(reason("example.123"), .numericTopLevel("123"))
        XCTAssertEqual(reason("192.168.1.1"), .numericTopLevel("1"))
        XCTAssertEqual(reason(""), .empty)
        XCTAssertEqual(reason("   "), .empty)
        XCTAssertEqual(reason("."), .empty)
        XCTAssertEqual(try name("a-b.nl"), "a-b.nl")
        XCTAssertEqual(try name("1ratio.nl"), "1ratio.nl")
        XCTAssertEqual(try name("example.n1"), "example.n1")
    }

    func testLengthLimits() throws {
        let label63 = String(repeating: "a", count: 63)
        XCTAssertEqual(try name(label63 + ".nl"), label63 + ".nl")
        XCTAssertEqual(reason(label63 + "a.nl"), .labelTooLong(label63 + "a", 64))

        let l = String(repeating: "x", count: 63)
        let name253 = [l, l, l, String(repeating: "y", count: 61)].joined(separator: ".")
        XCTAssertEqual(name253.count, 253)
        XCTAssertEqual(try name(name253), name253)
        XCTAssertEqual(try name(name253 + "."), name253, "the trailing dot does not count")
        XCTAssertEqual(reason(name253 + "y"), .tooLong(254))
    }

    func testCodableAsOneStringAndValidatedWhenDecoded() throws {
        let domain = try DomainName(parsing: "Bücher.Example")
        let json = try JSONEncoder().encode([domain])
        XCTAssertEqual(String(decoding: json, as: UTF8.self), #"["xn--bcher-kva.example"]"#)
        XCTAssertEqual(try JSONDecoder().decode([DomainName].self, from: json), [domain])
        XCTAssertThrowsError(try JSONDecoder().decode([DomainName].self, from: Data(#"["a_b.nl"]"#.utf8)))
    }

    func testOrderingAndLabels() throws {
        let names = try ["b.nl", "a.nl", "a.be"].map(DomainName.init(parsing:))
        XCTAssertEqual(names.sorted().map(\.value), ["a.be", "a.nl", "b.nl"])
        XCTAssertEqual(try DomainName(parsing: "www.example.nl").labels, ["www", "example", "nl"])
        XCTAssertEqual(try DomainName(parsing: "www.example.nl").topLevelLabel, "nl")
    }

    func testLayerRawValues() {
        XCTAssertEqual(Layer(rawValue: "gemeenschappelijke_regelingen"), .gemeenschappelijkeRegelingen)
        XCTAssertEqual(Layer.allCases.map(\.rawValue), [
            "rijk", "uitvoerders", "provincies", "waterschappen", "gemeenten", "gemeenschappelijke_regelingen", "overige",
        ])
        XCTAssertLessThan(Layer.rijk, Layer.overige)
    }
}
