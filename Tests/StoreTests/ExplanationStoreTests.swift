import Foundation
import PeilModel
import Store
import XCTest

/// Explanations (comply or explain) in PostgreSQL: recorded, listed and withdrawn; what is
/// refused is refused before PostgreSQL sees it, as an ``ExplanationError``.
final class ExplanationStoreTests: StoreTestCase {
    func testAnExplanationIsRecordedListedAndWithdrawn() throws {
        _ = try store.importSet(name: "s", entries: try plainEntries("a.nl"))
        let dane = try BulkColumns.column(named: "mail.dane")
        let added = try store.addExplanation(domain: try DomainName(parsing: "a.nl"), column: dane, text: " no MX of our own ",
                                             by: "ops", until: "2027-02-28")
        XCTAssertEqual(added.text, "no MX of our own")
        XCTAssertEqual(added.until, "2027-02-28")
        XCTAssertEqual(try store.explanations(), [added])
        XCTAssertEqual(try store.removeExplanation(id: added.id), added)
        XCTAssertEqual(try store.explanations(), [])
        XCTAssertThrowsError(try store.removeExplanation(id: added.id)) {
            XCTAssertEqual($0 as? ExplanationError, .unknownExplanation(added.id))
        }
    }

    func testWhatCannotBeStoredIsRefusedAsAnExplanationError() throws {
        _ = try store.importSet(name: "s", entries: try plainEntries("a.nl"))
        let hsts = try BulkColumns.column(named: "hsts")
        func refusal(domain: String = "a.nl", text: String = "t", by: String = "ops", until: String?) -> ExplanationError? {
            do {
                _ = try store.addExplanation(domain: try DomainName(parsing: domain), column: hsts, text: text, by: by, until: until)
                return nil
            } catch {
                return error as? ExplanationError
            }
        }
        XCTAssertEqual(refusal(domain: "b.nl", until: nil), .unknownDomain("b.nl"))
        XCTAssertEqual(refusal(text: " ", until: nil), .emptyText)
        XCTAssertEqual(refusal(by: "", until: nil), .emptyAuthor)
        for day in ["2027-02-29", "2027-13-01", "27-01-01", "0000-01-01"] {
            XCTAssertEqual(refusal(until: day), .badDate(day), day)
        }
        XCTAssertNil(refusal(until: "2028-02-29"))
        XCTAssertEqual(try count("SELECT count(*) AS count FROM explanations"), 1)
    }
}
