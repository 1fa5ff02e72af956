import Foundation
@testable import PeilModel
import Testing

/// A page digest goes out as its nonzero counts in one string (protocol 6) and is read back
/// from that or from the dense array that observations stored before it hold.
@Suite("Page digest coding")
struct WebPageDigestCodingTests {
    static let page = Array("<html><head><title>Gemeente</title></head><body><h1>Welkom</h1><p>Één pagina.</p></body></html>\n".utf8)

    func json(_ digest: WebPageDigest) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(digest)) as? [String: Any])
    }

    func decode(_ text: String) throws -> WebPageDigest {
        try JSONDecoder().decode(WebPageDigest.self, from: Data(text.utf8))
    }

    @Test func aDigestGoesOutAsItsNonzeroCountsAndComesBackTheSame() throws {
        let digest = WebPageDigest(body: Self.page, truncated: true, error: "closed early")
        let object = try json(digest)
        #expect(object["histogram"] == nil)
        let counts = try #require(object["counts"] as? String)
        #expect(counts.hasPrefix("10:1,32:"), "the newline's count first, then the space's: \(counts)")
        #expect(counts.split(separator: ",").count == digest.histogram.filter { $0 != 0 }.count)
        #expect(try JSONDecoder().decode(WebPageDigest.self, from: JSONEncoder().encode(digest)) == digest)
        let empty = WebPageDigest(body: [])
        #expect(try json(empty)["counts"] as? String == "")
        #expect(try JSONDecoder().decode(WebPageDigest.self, from: JSONEncoder().encode(empty)) == empty)
    }

    @Test func randomHistogramsRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let histogram = (0..<256).map { _ in Bool.random(using: &generator) ? 0 : Int.random(in: 0...WebPageDigest.maxCount, using: &generator) }
            let digest = WebPageDigest(histogram: histogram, bodyBytes: 7, truncated: Bool.random(using: &generator))
            #expect(try JSONDecoder().decode(WebPageDigest.self, from: JSONEncoder().encode(digest)) == digest)
        }
    }

    @Test func aStoredDenseArrayStillDecodes() throws {
        let histogram = (0..<256).map { $0 == 10 ? 1 : ($0 == 97 ? 3 : 0) }
        let stored = #"{"bodyBytes":4,"histogram":"# + "[\(histogram.map(String.init).joined(separator: ","))]" + #","truncated":false}"#
        let digest = try decode(stored)
        #expect(digest == WebPageDigest(histogram: histogram, bodyBytes: 4))
        #expect(try json(digest)["counts"] as? String == "10:1,97:3")
    }

    /// Not well formed (another length, a negative or too large count): the dense array, so
    /// that nothing is lost, and it reads back as it was.
    @Test func aHistogramThatIsNotWellFormedGoesOutAsTheArray() throws {
        for histogram in [[1, 2], [Int](repeating: -1, count: 256), [Int](repeating: WebPageDigest.maxCount + 1, count: 256)] {
            let digest = WebPageDigest(histogram: histogram, bodyBytes: 0)
            #expect(!digest.isWellFormed)
            let object = try json(digest)
            #expect(object["counts"] == nil)
            #expect(object["histogram"] as? [Int] == histogram)
            #expect(try JSONDecoder().decode(WebPageDigest.self, from: JSONEncoder().encode(digest)) == digest)
        }
    }

    @Test(arguments: [
        "0:1,0:2", "5:1,4:1", "256:1", "-1:1", "1:0", "1:", ":1", "1", "1:1,", ",1:1", "1:1,,2:1", "1:1 ,2:1", " 1:1",
        "1:+1", "1:1.0", "1:1e3", "a:1", "1:99999999999999999999999", "1:1;2:1", "１:1",
    ])
    func malformedCountsAreRefused(counts: String) {
        #expect(WebPageDigest.histogram(counts: counts) == nil, "\(counts)")
        #expect(throws: DecodingError.self) { try decode(#"{"bodyBytes":0,"counts":"\#(counts)","truncated":false}"#) }
    }

    @Test func bothFormsAtOnceOrNeitherAreRefused() {
        #expect(throws: DecodingError.self) { try decode(#"{"bodyBytes":0,"counts":"","histogram":[],"truncated":false}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"bodyBytes":0,"truncated":false}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"bodyBytes":0,"counts":12,"truncated":false}"#) }
    }

    @Test func countsParseAsWritten() {
        #expect(WebPageDigest.histogram(counts: "")?.allSatisfy { $0 == 0 } == true)
        let parsed = WebPageDigest.histogram(counts: "0:5,255:\(Int.max)")
        #expect(parsed?.count == 256)
        #expect(parsed?[0] == 5)
        #expect(parsed?[255] == Int.max)
        #expect(parsed?[1...254].allSatisfy { $0 == 0 } == true)
    }
}
