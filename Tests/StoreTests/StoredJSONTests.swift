import Foundation
import Store
import XCTest

/// Stored JSON reads a date however it was written: by `SQLJSON` (seconds since 2001) or by
/// the wire (ISO 8601), as an observation stored as its agent sent it has it (no database needed).
final class StoredJSONTests: XCTestCase {
    private struct Stamped: Codable, Equatable {
        var at: Date
        var seen: [Date]
        var name: String
    }

    /// Whole seconds: the wire's ISO 8601 carries no fractions.
    private let value = Stamped(at: Date(timeIntervalSince1970: 1_764_806_400), seen: [Date(timeIntervalSince1970: 1_000_000_000)], name: "mx.example")

    func testADateStoredByTheStoreReadsBack() throws {
        let stored = try SQLJSON(value).text
        XCTAssertEqual(try StoredJSON.decoder().decode(Stamped.self, from: Data(stored.utf8)), value)
    }

    func testADateStoredAsTheWireSentItReadsBack() throws {
        let wire = JSONEncoder()
        wire.dateEncodingStrategy = .iso8601
        let sent = String(decoding: try wire.encode(value), as: UTF8.self)
        XCTAssertTrue(sent.contains("\"2025-12-04T00:00:00Z\""), sent)
        XCTAssertEqual(try StoredJSON.decoder().decode(Stamped.self, from: Data(SQLJSON(encoded: sent).text.utf8)), value)
    }

    func testAStringThatIsNoDateIsAnError() {
        let text = #"{"at":"yesterday","seen":[],"name":"x"}"#
        XCTAssertThrowsError(try StoredJSON.decoder().decode(Stamped.self, from: Data(text.utf8))) { error in
            XCTAssertTrue("\(error)".contains("yesterday"), "\(error)")
        }
        XCTAssertThrowsError(try StoredJSON.decoder().decode(Stamped.self, from: Data(#"{"at":true,"seen":[],"name":"x"}"#.utf8)))
    }
}
