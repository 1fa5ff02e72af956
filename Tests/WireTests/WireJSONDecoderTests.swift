import Foundation
import PeilModel
import PeilTestSupport
import XCTest
@testable import Wire

/// ``WireJSONDecoder`` against Foundation's `JSONDecoder`, the decoder it replaced on the wire:
/// the same values for what both take, never a value where Foundation refuses the text, and
/// JSON's grammar held to strictly.
final class WireJSONDecoderTests: XCTestCase {
    private func both<T: Decodable>(_ type: T.Type, _ data: Data) -> (ours: Result<T, any Error>, foundation: Result<T, any Error>) {
        (Result { try WireJSONDecoder().decode(type, from: data) }, Result { try JSONDecoder().decode(type, from: data) })
    }

    func testRandomReportsDecodeAsFoundationDecodesThem() throws {
        var reports = RandomReports(seed: 0x5EED_0001)
        let encoders = [JSONEncoder(), JSONEncoder(), JSONEncoder()]
        encoders[1].outputFormatting = [.prettyPrinted, .sortedKeys]
        encoders[2].outputFormatting = [.withoutEscapingSlashes]
        var kinds: [String: Int] = [:]
        for round in 0..<1_500 {
            let report = reports.report()
            let data = try encoders[round % encoders.count].encode(report)
            let ours = try WireJSONDecoder().decode(TaskReport.self, from: data)
            XCTAssertEqual(ours, report, "round \(round)")
            XCTAssertEqual(ours, try JSONDecoder().decode(TaskReport.self, from: data), "round \(round)")
            let kind = report.resolution != nil ? "resolution" : report.connect?.web != nil ? "web" : report.connect?.mail != nil ? "mail"
                : report.connect != nil ? "other connect" : "none"
            kinds[kind, default: 0] += 1
        }
        // Every kind of observation was among them, many times.
        XCTAssertEqual(Set(kinds.keys), ["resolution", "web", "mail", "other connect", "none"])
        XCTAssertGreaterThan(kinds.values.min() ?? 0, 100, "\(kinds)")

        let tasks = (0..<200).map { _ in reports.assignment() }
        let data = try JSONEncoder().encode(tasks)
        XCTAssertEqual(try WireJSONDecoder().decode([TaskAssignment].self, from: data), tasks)
    }

    func testEveryMessageKindDecodesAsFoundationDecodesIt() throws {
        var reports = RandomReports(seed: 7)
        let messages: [WireMessage] = [
            .hello(.init(agentName: "a\"1\u{1}", softwareVersion: "0.1.0 é", families: [.ipv4, .ipv6], concurrency: 8, resumes: "s")),
            .welcome(.init(agentID: "a1", heartbeatSeconds: 2.5, leaseSeconds: 1e-3, maxAttempts: 2, session: nil)),
            .ready(credits: 5), .tasks((0..<5).map { _ in reports.assignment() }), .result(reports.report()), .ack(taskID: .max, attempt: 2),
            .heartbeat, .bye, .reject(reason: "say HELLO \\ /"),
        ]
        for message in messages {
            XCTAssertEqual(try WireMessage(frames: try message.frames()), message)
        }
        let welcome = Data(#"{"agentID":"a","heartbeatSeconds":2,"leaseSeconds":1.5e2,"maxAttempts":3}"#.utf8)
        let (ours, foundation) = both(WireMessage.Welcome.self, welcome)
        XCTAssertEqual(try ours.get(), try foundation.get())
        XCTAssertEqual(try ours.get().leaseSeconds, 150)
    }

    /// Reports with bytes changed, dropped, inserted or cut: whatever this decoder takes,
    /// Foundation takes too, as the same value. Where only Foundation takes a text, this decoder
    /// refused its syntax on purpose: a key twice, or a string that is not JSON (a raw control
    /// character, an unknown escape, bytes that are not UTF-8) in a member no type reads, which
    /// Foundation never looks into; or a number with a fraction where an integer belongs, which
    /// Foundation may cut to its integer part when it is past 2^53 (`26616808764140330.91` as
    /// an `Int64`, seen in a run). Never a value Foundation reads differently.
    func testMutatedReportsAreTakenOnlyWhereFoundationTakesThemTheSame() throws {
        var reports = RandomReports(seed: 0x5EED_0002)
        var generator = SeededGenerator(seed: 99)
        // Sorted keys: Foundation's encoder otherwise writes them in a hash order that differs
        // from run to run, and a failing text must come back the same.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let alphabet = Array(#"{}[]":,\ 0123456789-+.eEtruefalsnul"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]
        var taken = 0, refusedByBoth = 0
        var onlyFoundation: [String] = []
        for _ in 0..<300 {
            let original = try Array(encoder.encode(reports.report()))
            for _ in 0..<20 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...3, using: &generator) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0: bytes[at] = alphabet.randomElement(using: &generator)!
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(alphabet.randomElement(using: &generator)!, at: at)
                    default: bytes.removeSubrange(at...)
                    }
                }
                let (ours, foundation) = both(TaskReport.self, Data(bytes))
                switch (ours, foundation) {
                case (.success(let mine), .success(let theirs)):
                    XCTAssertEqual(mine, theirs, String(decoding: bytes, as: UTF8.self))
                    taken += 1
                case (.success, .failure(let error)):
                    XCTFail("taken here, refused by Foundation (\(error)): \(String(decoding: bytes, as: UTF8.self))")
                case (.failure(let error), .success):
                    let fraction: Bool = if case DecodingError.dataCorrupted(let context) = error {
                        context.debugDescription.hasPrefix("Number") && context.debugDescription.contains(".")
                    } else { false }
                    XCTAssertTrue(error is JSONTapeError || fraction, "\(error): \(String(decoding: bytes, as: UTF8.self))")
                    onlyFoundation.append("\(error)")
                case (.failure, .failure):
                    refusedByBoth += 1
                }
            }
        }
        XCTAssertGreaterThan(taken, 100)
        XCTAssertGreaterThan(refusedByBoth, 1_000)
        XCTAssertLessThan(onlyFoundation.count, taken, onlyFoundation.joined(separator: "\n"))
    }

    func testTheGrammarIsStrict() {
        let refused: [(String, String)] = [
            ("", "nothing"), ("  ", "white space only"), ("{", "cut short"), ("[1,]", "a trailing comma"),
            (#"{"a":1,}"#, "a trailing comma in an object"), ("01", "a leading zero"), ("-", "a sign alone"), ("1.", "no fraction digits"),
            (".5", "no integer digits"), ("1e", "no exponent digits"), ("+1", "a plus sign"), ("NaN", "NaN"), ("Infinity", "Infinity"),
            ("tru", "a cut literal"), ("nul", "a cut null"), ("True", "a capital literal"), (#""abc"#, "an unclosed string"),
            (#""\x""#, "an unknown escape"), (#""\u12""#, "a short u escape"), (#""\ud800""#, "a lone high surrogate"),
            (#""\udc00""#, "a lone low surrogate"), (#""\ud800\u0041""#, "a high surrogate before a non-surrogate"),
            ("\"a\u{1}\"", "a raw control character"), ("\"a\nb\"", "a raw line feed"), ("[1] [2]", "two values"),
            ("{'a':1}", "single quotes"), ("{a:1}", "a bare key"), (#"{"a" 1}"#, "no colon"), (#"{"a":1 "b":2}"#, "no comma"),
            (#"{"a":1,"a":2}"#, "a key twice"), (#"{"a":1,"\u0061":2}"#, "a key twice, once escaped"),
            (#"[{"x":{"k":[],"k":{}}}]"#, "a key twice deeper down"),
            (String(repeating: "[", count: JSONTape.maximumDepth + 1) + String(repeating: "]", count: JSONTape.maximumDepth + 1), "nested too deep"),
        ]
        for (text, why) in refused {
            XCTAssertThrowsError(try JSONTape(parsing: Array(text.utf8)), why)
        }
        XCTAssertThrowsError(try JSONTape(parsing: [0x22, 0xFF, 0x22]), "not UTF-8")
        XCTAssertThrowsError(try JSONTape(parsing: [0x22, 0xC3, 0x22]), "a cut UTF-8 sequence")
        XCTAssertThrowsError(try JSONTape(parsing: [0x22, 0xED, 0xA0, 0x80, 0x22]), "an encoded surrogate")

        let taken = ["0", "-0", "2.5e-3", "1E+2", " [1, -0, true, false, null] \n", #"{"":1}"#, #""\ud83d\ude00""#,
                     String(repeating: "[", count: JSONTape.maximumDepth) + String(repeating: "]", count: JSONTape.maximumDepth)]
        for text in taken {
            XCTAssertNoThrow(try JSONTape(parsing: Array(text.utf8)), text)
        }
        XCTAssertEqual(try WireJSONDecoder().decode(String.self, from: Data(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\u0000z""#.utf8)),
                       "a\"\\/\u{8}\u{c}\n\r\té😀\u{0}z")
        XCTAssertEqual(try WireJSONDecoder().decode([String: Int].self, from: Data(#"{"\u0061b":1,"ab\"":2}"#.utf8)), ["ab": 1, "ab\"": 2])
    }

    /// The parse recurses once a level: the deepest document it takes fits in a small thread
    /// stack (a dispatch worker's decodes a round's messages), and one level more is refused
    /// before any stack is spent on it.
    func testTheDeepestDocumentFitsASmallStack() {
        let depth = JSONTape.maximumDepth
        let deepest = Array((String(repeating: #"{"a":["#, count: depth / 2) + String(repeating: "]}", count: depth / 2)).utf8)
        let tooDeep = Array((String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)).utf8)
        let outcome = Locked<(Bool, Bool)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            outcome.withLock { $0 = ((try? JSONTape(parsing: deepest)) != nil, (try? JSONTape(parsing: tooDeep)) == nil) }
            done.signal()
        }
        thread.stackSize = 256 << 10
        thread.start()
        done.wait()
        XCTAssertEqual(outcome.withLock { $0?.0 }, true, "the most levels taken")
        XCTAssertEqual(outcome.withLock { $0?.1 }, true, "one more refused")
    }

    /// Objects on either side of the size where the check for a key twice changes method.
    func testAKeyTwiceIsFoundInObjectsOfAnySize() throws {
        for count in 2...(JSONTapeParser.pairwiseKeyLimit + 8) {
            let keys = (0..<count).map { "k\($0)" }
            let distinct = "{" + keys.map { #""\#($0)":1"# }.joined(separator: ",") + "}"
            XCTAssertEqual(try WireJSONDecoder().decode([String: Int].self, from: Data(distinct.utf8)).count, count)
            for (first, second) in [(0, count - 1), (count - 1, 0), (count / 2, count / 2 + 1)] where first != second && second < count {
                var twice = keys
                twice[second] = twice[first]
                let text = "{" + twice.map { #""\#($0)":1"# }.joined(separator: ",") + "}"
                XCTAssertThrowsError(try JSONTape(parsing: Array(text.utf8)), "\(count) keys, \(first) and \(second)")
            }
        }
    }

    private struct Numbers: Codable, Equatable {
        var int: Int?
        var int64: Int64?
        var uint16: UInt16?
        var uint64: UInt64?
        var double: Double?
    }

    func testNumbersAreReadAsFoundationReadsThem() throws {
        let cases = [
            #"{"int":1e2}"#, #"{"int":1.0}"#, #"{"int":1.5}"#, #"{"int":-0}"#, #"{"int":-0.0}"#, #"{"int":"1"}"#, #"{"int":true}"#,
            #"{"int64":9223372036854775807}"#, #"{"int64":-9223372036854775808}"#, #"{"int64":9223372036854775808}"#,
            #"{"int64":-9223372036854775809}"#, #"{"int64":99999999999999999999999}"#,
            #"{"uint16":65535}"#, #"{"uint16":65536}"#, #"{"uint16":-1}"#, #"{"uint16":6.5536e4}"#,
            #"{"uint64":18446744073709551615}"#, #"{"uint64":18446744073709551616}"#, #"{"uint64":-1}"#,
            #"{"double":1}"#, #"{"double":-2.5e-3}"#, #"{"double":1e400}"#, #"{"double":null}"#, #"{"int":null}"#,
        ]
        for text in cases {
            let (ours, foundation) = both(Numbers.self, Data(text.utf8))
            switch (ours, foundation) {
            case (.success(let mine), .success(let theirs)): XCTAssertEqual(mine, theirs, text)
            case (.failure, .failure): break
            default: XCTFail("\(text): ours \(ours), Foundation \(foundation)")
            }
        }
        XCTAssertEqual(try WireJSONDecoder().decode(Numbers.self, from: Data(#"{"int":1e2,"uint16":65535}"#.utf8)),
                       Numbers(int: 100, uint16: 65535))
        // Whole or not is read from the digits, not from the nearest Double.
        let whole = [#"{"int64":100.000}"#: Int64(100), #"{"int64":1.5e1}"#: 15, #"{"int64":-12e-1}"#: nil, #"{"int64":0.0e99999}"#: 0,
                     #"{"int64":9007199254740993.5}"#: nil, #"{"int64":26616808764140330.91}"#: nil, #"{"int64":9007199254740993e0}"#: 9_007_199_254_740_993,
                     #"{"int64":12345678901234567890e-10}"#: nil, #"{"int64":1e18}"#: 1_000_000_000_000_000_000, #"{"int64":1e19}"#: nil,
                     #"{"int64":-9223372036854775808.0}"#: .min, #"{"int64":1e99999999999999999999}"#: nil, #"{"int64":-0.000}"#: 0]
        for (text, expected) in whole {
            XCTAssertEqual(try? WireJSONDecoder().decode(Numbers.self, from: Data(text.utf8)).int64, expected, text)
        }
    }

    func testErrorsNameWhereTheyAre() throws {
        var report = TaskReport(taskID: 1, attempt: 1, outcome: .completed,
                                connect: ConnectObservation(web: WebObservation(tls: TLSScanResult(outcome: .completed, handshakes: 3),
                                                                                https: nil, http: nil, port80: .open)))
        let text = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        let wrongType = text.replacingOccurrences(of: #""handshakes":3"#, with: #""handshakes":"3""#)
        XCTAssertNotEqual(wrongType, text)
        XCTAssertThrowsError(try WireJSONDecoder().decode(TaskReport.self, from: Data(wrongType.utf8))) { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["connect", "web", "tls", "handshakes"])
        }
        let missing = text.replacingOccurrences(of: #""port80":"open""#, with: #""port":"open""#)
        XCTAssertThrowsError(try WireJSONDecoder().decode(TaskReport.self, from: Data(missing.utf8))) { error in
            guard case DecodingError.keyNotFound(let key, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "port80")
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["connect", "web"])
        }
        let badEnum = text.replacingOccurrences(of: #""outcome":"completed""#, with: #""outcome":"done""#)
        XCTAssertThrowsError(try WireJSONDecoder().decode(TaskReport.self, from: Data(badEnum.utf8)))
        XCTAssertThrowsError(try WireMessage(frames: [Data("RESULT".utf8), Data(#"{"taskID":1,"taskID":1}"#.utf8)])) { error in
            XCTAssertTrue("\(error)".contains("RESULT body"), "\(error)")
            XCTAssertTrue("\(error)".contains("twice"), "\(error)")
        }
        report.connect = nil
        XCTAssertEqual(try WireJSONDecoder().decode(TaskReport.self, from: try JSONEncoder().encode(report)), report)
    }

    func testAnArrayElementsPathHasItsIndex() {
        let text = #"[{"taskID":1,"attempt":1,"measurementID":1,"kind":"resolve","domain":"a","webHost":"b"},{"taskID":2}]"#
        XCTAssertThrowsError(try WireJSONDecoder().decode([TaskAssignment].self, from: Data(text.utf8))) { error in
            guard case DecodingError.keyNotFound(let key, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "attempt")
            XCTAssertEqual(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }, ["1"])
        }
    }

    func testDateAndDataAreNotWireTypes() {
        XCTAssertThrowsError(try WireJSONDecoder().decode([Date].self, from: Data("[0]".utf8)))
        XCTAssertThrowsError(try WireJSONDecoder().decode(Data.self, from: Data(#""AA==""#.utf8)))
    }

    /// Large hostile shapes end in a value or an error, in one pass over the bytes.
    func testLargeShapesEndInAnAnswer() throws {
        let keys = (0..<50_000).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let many = try WireJSONDecoder().decode([String: Int].self, from: Data(("{" + keys + "}").utf8))
        XCTAssertEqual(many.count, 50_000)
        XCTAssertEqual(many["k49999"], 49_999)
        let repeated = "{" + (keys + #","k17":0"#) + "}"
        XCTAssertThrowsError(try WireJSONDecoder().decode([String: Int].self, from: Data(repeated.utf8)))
        let longArray = "[" + Array(repeating: "1", count: 200_000).joined(separator: ",") + "]"
        XCTAssertEqual(try WireJSONDecoder().decode([UInt16].self, from: Data(longArray.utf8)).count, 200_000)
        // A report object with many unknown members still finds its own.
        let padding = (0..<20_000).map { #""x\#($0)":[{}]"# }.joined(separator: ",")
        let report = #"{"# + padding + #","taskID":5,"attempt":1,"outcome":"timeout"}"#
        XCTAssertEqual(try WireJSONDecoder().decode(TaskReport.self, from: Data(report.utf8)).taskID, 5)
    }
}
