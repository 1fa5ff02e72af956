import Foundation
import PeilModel
import PeilTestSupport
import XCTest
@testable import Wire

/// ``WireBodyWriter`` against `JSONEncoder`, which wrote these bodies before: the same values
/// read back by this decoder and by Foundation's, for assignments with every optional member
/// set or not and strings that need every kind of escape.
final class WireBodyWriterTests: XCTestCase {
    func testTasksReadBackAsJSONEncoderWroteThem() throws {
        var reports = RandomReports(seed: 0x5EED_0BD1)
        var sets: [[TaskAssignment]] = [[]]
        for count in [1, 2, 7, 64] {
            for _ in 0..<40 { sets.append((0..<count).map { _ in reports.assignment() }) }
        }
        var escapes = 0
        for tasks in sets {
            let written = WireBodyWriter.tasks(tasks)
            XCTAssertEqual(try WireJSONDecoder().decode([TaskAssignment].self, from: written), tasks)
            XCTAssertEqual(try JSONDecoder().decode([TaskAssignment].self, from: written), tasks)
            let encoded = try JSONEncoder().encode(tasks)
            XCTAssertEqual(try JSONDecoder().decode([TaskAssignment].self, from: encoded),
                           try JSONDecoder().decode([TaskAssignment].self, from: written))
            if written.contains(UInt8(ascii: "\\")) { escapes += 1 }
        }
        XCTAssertGreaterThan(escapes, 50, "the random strings need escapes")
        // Both optional members present and absent.
        let all = sets.joined()
        XCTAssertTrue(all.contains { $0.family == nil } && all.contains { $0.family != nil })
        XCTAssertTrue(all.contains { $0.target == nil } && all.contains { $0.target != nil })
    }

    func testEveryControlCharacterAndTheEscapedOnesReadBack() throws {
        let text = String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) }) + "é😀\u{2028}\u{FFFF}"
        let task = TaskAssignment(taskID: .max, attempt: .min, measurementID: -1, kind: .web, domain: text, webHost: "\"\\/",
                                  family: .ipv6, target: ConnectTarget(address: text, family: .ipv4, host: text), freeAttempts: 3)
        let written = WireBodyWriter.tasks([task])
        XCTAssertEqual(try WireJSONDecoder().decode([TaskAssignment].self, from: written), [task])
        XCTAssertEqual(try JSONDecoder().decode([TaskAssignment].self, from: written), [task])
    }

    func testAckAcksAndReadyReadBack() throws {
        for (taskID, attempt) in [(Int64.max, Int.max), (Int64.min, Int.min), (0, 0), (7, 2)] {
            XCTAssertEqual(try WireMessage(frames: try WireMessage.ack(taskID: taskID, attempt: attempt).frames()), .ack(taskID: taskID, attempt: attempt))
        }
        for credits in [0, 1, 4096, Int.max, -1] {
            XCTAssertEqual(try WireMessage(frames: try WireMessage.ready(credits: credits).frames()), .ready(credits: credits))
        }
        XCTAssertEqual(String(decoding: WireBodyWriter.ack(taskID: 12, attempt: 3), as: UTF8.self), #"{"taskID":12,"attempt":3}"#)
        let acks: [WireMessage.Acknowledgement] = [.init(taskID: .max, attempt: .max), .init(taskID: .min, attempt: .min), .init(taskID: 0, attempt: 0)]
        XCTAssertEqual(try WireMessage(frames: try WireMessage.acks(acks).frames()), .acks(acks))
        XCTAssertEqual(try JSONDecoder().decode(WireMessage.AcksBody.self, from: WireBodyWriter.acks(acks)), WireMessage.AcksBody(acks: acks))
        XCTAssertEqual(String(decoding: WireBodyWriter.acks([.init(taskID: 12, attempt: 3), .init(taskID: 5, attempt: 1)]), as: UTF8.self),
                       #"{"acks":[{"taskID":12,"attempt":3},{"taskID":5,"attempt":1}]}"#)
    }
}
