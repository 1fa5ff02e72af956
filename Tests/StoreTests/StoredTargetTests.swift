import Foundation
import PeilModel
import PeilTestSupport
@testable import Store
import XCTest

/// A claimed task's target is read in place when PostgreSQL printed it, and otherwise by
/// `JSONDecoder`: either way the value or the error is `JSONDecoder`'s (no database needed).
final class StoredTargetTests: XCTestCase {
    /// Texts of every shape the reader must take or hand on, with what `JSONDecoder` makes of them.
    private let texts = [
        #"{"host": "www.example.nl", "family": "ipv4", "address": "198.18.0.10"}"#,
        #"{"address":"2001:2::80","family":"ipv6","host":"example.nl"}"#,
        " \n{ \"host\" :\t\"a.nl\" ,\"family\":\"ipv4\", \"address\":\"198.18.0.1\" }\r\n",
        #"{"host": "xn--bcher-kva.nl", "family": "ipv6", "address": "2001:2:0:1::1"}"#,
        #"{"host": "bücher.nl", "family": "ipv4", "address": "198.18.0.1"}"#,
        #"{"host": "", "family": "ipv4", "address": ""}"#,
        // handed on: an escape, a key twice, another key, a key missing, no string, an unknown family
        #"{"host": "a\u002enl", "family": "ipv4", "address": "198.18.0.1"}"#,
        #"{"host": "a\"b", "family": "ipv4", "address": "198.18.0.1"}"#,
        #"{"host": "a.nl", "host": "b.nl", "family": "ipv4", "address": "198.18.0.1"}"#,
        #"{"host": "a.nl", "family": "ipv4", "address": "198.18.0.1", "port": "443"}"#,
        #"{"host": "a.nl", "family": "ipv4", "address": "198.18.0.1", "port": 443}"#,
        #"{"host": "a.nl", "family": "ipv4"}"#,
        #"{"host": "a.nl", "family": "ipv4", "address": 1}"#,
        #"{"host": "a.nl", "family": "ipx", "address": "198.18.0.1"}"#,
        #"{"host": "a.nl", "family": null, "address": "198.18.0.1"}"#,
        // not JSON, or not an object
        #"{"host": "a.nl", "family": "ipv4", "address": "198.18.0.1"} x"#,
        #"{"host": "a.nl", "family": "ipv4", "address": "198.18.0.1",}"#,
        #"{"host": "a.nl" "family": "ipv4", "address": "198.18.0.1"}"#,
        #"{"host": "a.nl", "family": "ipv4", "address": "198.18.0.1""#,
        "{\"host\": \"a\tnl\", \"family\": \"ipv4\", \"address\": \"198.18.0.1\"}",
        "{}", "[]", "null", "\"x\"", "", "{",
    ]

    func testEveryTextReadsAsJSONDecoderReadsIt() {
        for text in texts {
            let expected = Result { try JSONDecoder().decode(ConnectTarget.self, from: Data(text.utf8)) }
            let read = Result { try StoredTarget.decode(text) }
            switch (expected, read) {
            case (.success(let want), .success(let got)): XCTAssertEqual(got, want, text)
            case (.failure, .failure): break
            default: XCTFail("\(text): JSONDecoder \(expected), read \(read)")
            }
        }
    }

    func testOnlyAFlatObjectOfTheThreeStringsIsReadInPlace() throws {
        let inPlace = texts.filter { StoredTarget.flatObject($0) != nil }
        XCTAssertEqual(inPlace, Array(texts.prefix(6)))
        XCTAssertEqual(StoredTarget.flatObject(texts[4]), ConnectTarget(address: "198.18.0.1", family: .ipv4, host: "bücher.nl"))
    }
}

/// The targets PostgreSQL prints from `jsonb` are read in place.
final class StoredTargetPrintedTests: StoreTestCase {
    func testTheTextPostgreSQLPrintsIsReadInPlace() throws {
        let targets = [ConnectTarget(address: "198.18.0.10", family: .ipv4, host: "www.example.nl"),
                       ConnectTarget(address: "2001:2:0:1::25", family: .ipv6, host: "mx.xn--bcher-kva.nl"),
                       ConnectTarget(address: "198.18.0.1", family: .ipv4, host: "a\"b\\c")]
        for target in targets {
            let printed: String = try store.database.query("SELECT (\(try SQLJSON(target).text))::jsonb::text AS t").single().decode("t")
            XCTAssertEqual(try StoredTarget.decode(printed), target, printed)
            if !target.host.contains("\"") {
                XCTAssertEqual(StoredTarget.flatObject(printed), target, printed)
            }
        }
    }
}
