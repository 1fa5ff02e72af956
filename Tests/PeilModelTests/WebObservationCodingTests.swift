import Foundation
import PeilModel
import XCTest

/// The security.txt fetch is an optional field of the stored web observation: observations
/// stored before it existed decode with it nil (not fetched), and a fetch round-trips.
final class WebObservationCodingTests: XCTestCase {
    func testAnObservationStoredBeforeTheFetchDecodesWithoutIt() throws {
        let stored = #"{"tls":{"outcome":"completed","handshakes":1},"https":{"url":"https://www.example.nl/","status":200,"headers":[],"bodyBytes":0},"port80":"refused"}"#
        let web = try JSONDecoder().decode(WebObservation.self, from: Data(stored.utf8))
        XCTAssertEqual(web.https?.status, 200)
        XCTAssertNil(web.securityTxt)
    }

    func testAFetchRoundTrips() throws {
        let fetch = SecurityTxtFetch(exchanges: [HTTPExchange(url: "https://www.example.nl/.well-known/security.txt", status: 200,
                                                              headers: [HTTPHeaderField(name: "Content-Type", value: "text/plain")])],
                                     body: "Contact: mailto:a@example.nl\n", bodyTruncated: true, fetchedAt: 1_767_225_600)
        let web = WebObservation(tls: TLSScanResult(outcome: .completed), https: nil, http: nil, port80: .open, securityTxt: fetch)
        XCTAssertEqual(try JSONDecoder().decode(WebObservation.self, from: JSONEncoder().encode(web)), web)
        let without = try JSONSerialization.jsonObject(with: JSONEncoder().encode(WebObservation(tls: TLSScanResult(outcome: .completed),
                                                                                                  https: nil, http: nil, port80: .open))) as? [String: Any]
        XCTAssertNil(without?["securityTxt"], "not fetched: no key, as before")
    }
}
