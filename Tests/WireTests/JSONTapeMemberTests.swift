import Foundation
import PeilModel
import PeilTestSupport
@testable import Wire
import XCTest

/// ``JSONTape/memberRange(_:)``: where a top-level member's value stands, exactly as written (the
/// coordinator stores a RESULT's observation as those bytes), and nil for a text the tape
/// refuses, whose bytes could mean something else than what a decoder read from them.
final class JSONTapeMemberTests: XCTestCase {
    private func member(_ key: String, _ json: String) -> String? {
        let bytes = Array(json.utf8)
        guard let tape = try? JSONTape(parsing: bytes), let range = tape.memberRange(key) else { return nil }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    func testTheValueAsItStands() {
        XCTAssertEqual(member("connect", #"{"taskID":7,"connect":{"reach":{"ports":[]}},"outcome":"completed"}"#), #"{"reach":{"ports":[]}}"#)
        XCTAssertEqual(member("connect", " {\n \"connect\" :\t[1, 2.5e-3, -0, true, false, null] \r\n} "), "[1, 2.5e-3, -0, true, false, null]")
        XCTAssertEqual(member("b", #"{"a":"}{\"][,:","b":"x\\\"y\u00e9\n","c":{}}"#), #""x\\\"y\u00e9\n""#)
        XCTAssertEqual(member("a", #"{"a":{},"b":[]}"#), "{}")
        XCTAssertEqual(member("a", #"{"a":"é😀"}"#), #""é😀""#)
        XCTAssertEqual(member("n", #"{"n":12}"#), "12")
    }

    func testNilWhereTheBytesCouldMeanSomethingElse() {
        XCTAssertNil(member("connect", #"{"taskID":7}"#), "no such member")
        XCTAssertNil(member("connect", #"[{"connect":1}]"#), "not an object")
        XCTAssertNil(member("connect", #"{"connect":1}{"connect":2}"#), "two documents")
        XCTAssertNil(member("connect", #"{"connect":1,"connect":2}"#), "a key twice at the top")
        XCTAssertNil(member("connect", #"{"connect":{"port":443,"port":"x"}}"#), "a key twice deeper down")
        XCTAssertNil(member("connect", #"{"other":[{"a":1,"a":2}],"connect":1}"#), "a key twice in another member")
        XCTAssertNil(member("connect", #"{"conn\u0065ct":2,"connect":1}"#), "a key spelled with an escape")
        XCTAssertEqual(member("connect", #"{"connect":{"h\"":1}}"#), #"{"h\"":1}"#, "an escape in a nested key: compared unescaped")
        XCTAssertNil(member("connect", #"{"connect":"\ud800"}"#), "a lone surrogate escape")
        XCTAssertNil(member("connect", #"{"connect":"\uDE00x"}"#), "a low surrogate escape")
        XCTAssertEqual(member("connect", #"{"connect":"\ud83d\ude00"}"#), #""\ud83d\ude00""#, "a surrogate pair is one character")
        XCTAssertNil(member("connect", #"{"connect":{"k":1,"\u006b":2}}"#), "a key twice, once escaped")
        XCTAssertNil(member("connect", "{\"connect\":\"a\u{01}b\"}"), "a raw control character")
        XCTAssertNil(member("connect", #"{"connect":"open"#), "cut short")
        XCTAssertNil(member("connect", #"{"connect":nul}"#), "a broken literal")
        XCTAssertNil(member("connect", ""), "empty")
        // The outer object is a level of its own: one level fewer than the most fits inside it.
        let deep = String(repeating: "[", count: JSONTape.maximumDepth) + String(repeating: "]", count: JSONTape.maximumDepth)
        XCTAssertNil(member("connect", #"{"connect":"# + deep + "}"), "nested deeper than the limit")
        let deepEnough = String(repeating: "[", count: JSONTape.maximumDepth - 1) + String(repeating: "]", count: JSONTape.maximumDepth - 1)
        XCTAssertEqual(member("connect", #"{"connect":"# + deepEnough + "}"), deepEnough)
    }

    /// Keys are looked up one way in small objects and another in large ones: a key twice is
    /// found either way, wherever the two stand; keys of the same bytes in different objects
    /// (nested or side by side) are not a key twice.
    func testAKeyTwiceIsFoundInObjectsOfAnySize() {
        for count in [1, 2, 31, 32, 33, 34, 100, 1_000] {
            let keys = (0..<count).map { "\"k\($0)\":\($0)" }
            let object = "{" + keys.joined(separator: ",") + "}"
            XCTAssertEqual(member("connect", #"{"connect":"# + object + "}"), object, "\(count) keys")
            for (key, position) in [(0, count), (count - 1, 0), (count / 2, count), (count - 1, count / 2)] {
                var twice = keys
                twice.insert("\"k\(key)\":0", at: position)
                XCTAssertNil(member("connect", #"{"connect":{"# + twice.joined(separator: ",") + "}}"), "\(count) keys, k\(key) again at \(position)")
            }
        }
        let nested = #"{"a":{"a":{"a":1,"b":2},"b":{"a":3}},"b":[{"a":1},{"a":2}],"connect":{"connect":1}}"#
        XCTAssertEqual(member("connect", nested), #"{"connect":1}"#)
        XCTAssertNil(member("connect", #"{"a":{"x":1},"connect":1,"a":2}"#), "a key twice around a nested object")
        let wide = "{" + (0..<40).map { "\"k\($0)\":{\"k\($0)\":1}" }.joined(separator: ",") + #","k39":2}"#
        XCTAssertNil(member("k0", wide), "a key twice past the set's threshold, after nested objects")
    }

    /// What an agent sends: a report encoded by `WireMessage`; the member's bytes decode to the
    /// report's own observation.
    func testAReportsObservationDecodesFromItsBytes() throws {
        let connect = ConnectObservation(reach: ReachObservation(ports: [PortProbe(port: 443, state: .open), PortProbe(port: 80, state: .refused)]))
        let report = TaskReport(taskID: 9, attempt: 1, outcome: .completed, detail: "a \"detail\" with {braces}", connect: connect)
        let frames = try WireMessage.result(report).frames()
        let received = try WireMessage.received(frames: frames)
        XCTAssertEqual(received.message, .result(report))
        let range = try XCTUnwrap(received.reports.first?.observation)
        XCTAssertEqual(try JSONDecoder().decode(ConnectObservation.self, from: frames[1][range]), connect)
        XCTAssertNil(try JSONTape(parsing: Array(frames[1])).memberRange("resolution"))
        // A report with no observation, or two, has none to store as sent.
        XCTAssertNil(try WireMessage.received(frames: try WireMessage.result(TaskReport(taskID: 9, attempt: 1, outcome: .timeout)).frames()).reports.first?.observation)
        var both = report
        both.resolution = ResolutionObservation(facts: DNSFacts(domain: "a.nl", dnssec: .secure, nsZone: nil, nameservers: [], domainAddresses: HostAddresses(host: "a.nl"),
                                                                web: HostAddresses(host: "www.a.nl"), webDNSSEC: .secure, mx: [], nullMX: false, txt: [], spf: [],
                                                                dmarc: [], domainKey: .error, caaFoundAt: nil, caa: [], webTLSA: []), queries: [])
        XCTAssertNil(try WireMessage.received(frames: try WireMessage.result(both).frames()).reports.first?.observation)
    }

    /// Random documents (nested objects and arrays, strings with every escape but surrogates,
    /// numbers, literals, odd whitespace) as members beside others: the bytes given back are the
    /// member as written, and parse to the same value.
    func testRandomDocumentsGiveTheirMemberBack() throws {
        var generator = SeededGenerator(seed: 20261204)
        for round in 0..<2_000 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let before = Self.randomValue(depth: 2, using: &generator)
            let space = [" ", "", "\n\t", "\r\n "][Int(generator.next() % 4)]
            let json = "{" + space + #""before":"# + before + "," + space + #""connect""# + space + ":" + space + value + space + "}"
            let text = try XCTUnwrap(member("connect", json), "round \(round): \(json)")
            XCTAssertEqual(text, value, "round \(round)")
            let bytes = Data(text.utf8)
            let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let alone = try JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed])
            func canonical(_ value: Any) throws -> Data { try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) }
            XCTAssertEqual(try canonical(try XCTUnwrap(parsed["connect"])), try canonical(alone), "round \(round)")
        }
    }

    private static func randomValue(depth: Int, using generator: inout SeededGenerator) -> String {
        let choice = depth >= 4 ? generator.next() % 4 : generator.next() % 6
        switch choice {
        case 0: return ["true", "false", "null"][Int(generator.next() % 3)]
        case 1: return ["0", "-1", "12.5", "1e3", "-2.5E-2", "9007199254740993"][Int(generator.next() % 6)]
        case 2, 3:
            let pieces = [#"a"#, #"\""#, #"\\"#, #"\/"#, #"\n"#, #"\t"#, #"\u00e9"#, #"\u0000"#, "é", "😀", "{", "}", "[", "]", ",", ":", " "]
            return "\"" + (0..<Int(generator.next() % 6)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined() + "\""
        case 4:
            let count = Int(generator.next() % 4)
            return "[" + (0..<count).map { _ in randomValue(depth: depth + 1, using: &generator) }.joined(separator: ", ") + "]"
        default:
            let count = Int(generator.next() % 4)
            return "{" + (0..<count).map { index in "\"k\(index)\" : " + randomValue(depth: depth + 1, using: &generator) }.joined(separator: ",") + "}"
        }
    }
}
