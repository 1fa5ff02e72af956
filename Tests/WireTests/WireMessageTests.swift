import Foundation
import PeilModel
import XCTest
@testable import Wire

final class WireMessageTests: XCTestCase {
    func testEveryMessageKindRoundTrips() throws {
        let task = TaskAssignment(taskID: 7, attempt: 2, measurementID: 1, kind: .resolve, domain: "example.nl", webHost: "www.example.nl")
        let report = TaskReport(taskID: 7, attempt: 2, outcome: .timeout, detail: "resolver timed out")
        let messages: [WireMessage] = [
            .hello(.init(agentName: "a1", softwareVersion: "0.1.0", families: [.ipv4, .ipv6], concurrency: 8)),
            .welcome(.init(agentID: "a1", heartbeatSeconds: 2, leaseSeconds: 120, maxAttempts: 2)),
            .ready(credits: 5), .tasks([task]), .result(report), .ack(taskID: 7, attempt: 2),
            .acks([.init(taskID: 7, attempt: 2)]), .acks([.init(taskID: 9, attempt: 1), .init(taskID: 7, attempt: 2)]),
            .results([report, TaskReport(taskID: 8, attempt: 1, outcome: .completed, connect: ConnectObservation(reach: ReachObservation(ports: [])))]),
            .heartbeat, .bye, .reject(reason: "say HELLO"),
        ]
        for message in messages {
            XCTAssertEqual(try WireMessage(frames: try message.frames()), message)
        }
    }

    /// A TASKS entry carries the attempts that used none of the task's (`freeAttempts`); one
    /// from a coordinator that did not send them has none.
    func testFreeAttemptsTravelAndDefaultToNone() throws {
        let task = TaskAssignment(taskID: 7, attempt: 4, measurementID: 1, kind: .resolve, domain: "example.nl", webHost: "www.example.nl",
                                  freeAttempts: 2)
        XCTAssertEqual(try WireMessage(frames: try WireMessage.tasks([task]).frames()), .tasks([task]))
        let older = try WireMessage(frames: [Data("TASKS".utf8), Data(#"[{"taskID":7,"attempt":4,"measurementID":1,"kind":"resolve","domain":"example.nl","webHost":"www.example.nl"}]"#.utf8)])
        guard case .tasks(let tasks) = older else { return XCTFail("\(older)") }
        XCTAssertEqual(tasks.map(\.freeAttempts), [0])
        XCTAssertEqual(tasks.map(\.countedAttempt), [4])
    }

    /// An ACKS carries 1 to ``WireMessage/maximumAcknowledgements``: neither side sends or
    /// takes an empty one or a longer one.
    func testAcksCarryOneToTheMaximum() throws {
        let most = (1...Int64(WireMessage.maximumAcknowledgements)).map { WireMessage.Acknowledgement(taskID: $0, attempt: 1) }
        XCTAssertEqual(try WireMessage(frames: try WireMessage.acks(most).frames()), .acks(most))
        XCTAssertThrowsError(try WireMessage.acks([]).frames())
        XCTAssertThrowsError(try WireMessage.acks(most + [.init(taskID: 0, attempt: 1)]).frames())
        let tooMany = "{\"acks\":[" + Array(repeating: #"{"taskID":1,"attempt":1}"#, count: WireMessage.maximumAcknowledgements + 1).joined(separator: ",") + "]}"
        for body in [#"{"acks":[]}"#, tooMany, #"{"acks":[{"taskID":1}]}"#, #"{"acks":{"taskID":1,"attempt":1}}"#] {
            XCTAssertThrowsError(try WireMessage(frames: [Data("ACKS".utf8), Data(body.utf8)])) { error in
                XCTAssertTrue("\(error)".contains("ACKS body"), "\(error)")
            }
        }
    }

    /// A RESULTS carries 1 to ``WireMessage/maximumReports``; neither side sends or takes an
    /// empty one or a longer one.
    func testResultsCarryOneToTheMaximum() throws {
        let most = (1...Int64(WireMessage.maximumReports)).map { TaskReport(taskID: $0, attempt: 1, outcome: .timeout) }
        XCTAssertEqual(try WireMessage(frames: try WireMessage.results(most).frames()), .results(most))
        XCTAssertThrowsError(try WireMessage.results([]).frames())
        XCTAssertThrowsError(try WireMessage.results(most + [most[0]]).frames())
        let report = #"{"taskID":1,"attempt":1,"outcome":"timeout"}"#
        let tooMany = "{\"results\":[" + Array(repeating: report, count: WireMessage.maximumReports + 1).joined(separator: ",") + "]}"
        for body in [#"{"results":[]}"#, tooMany, #"{"results":[{"taskID":1}]}"#, "{\"results\":\(report)}", "[\(report)]"] {
            XCTAssertThrowsError(try WireMessage(frames: [Data("RESULTS".utf8), Data(body.utf8)])) { error in
                XCTAssertTrue("\(error)".contains("RESULTS body"), "\(error)")
            }
        }
    }

    /// Each report of a RESULTS is found where it stands in the body, and its observation too,
    /// byte for byte as sent (white space and key order kept): the coordinator stores those bytes.
    func testEachReportOfAResultsIsLocatedInTheBody() throws {
        let reports = [
            #"{ "taskID" : 1, "attempt":1, "outcome":"completed", "connect" : {"reach": { "ports" : [ ]}} }"#,
            #"{"outcome":"timeout","taskID":2,"attempt":3,"detail":"slow \"server\""}"#,
            #"{"taskID":3,"attempt":1,"outcome":"completed","connect":{"reach":{"ports":[{"port":443,"state":"open"}]}}}"#,
        ]
        let body = Data(("\n{\"results\" : [ " + reports.joined(separator: " ,\n") + " ] }").utf8)
        let received = try WireMessage.received(frames: [Data("RESULTS".utf8), body])
        guard case .results(let decoded) = received.message else { return XCTFail("\(received.message)") }
        XCTAssertEqual(decoded.map(\.taskID), [1, 2, 3])
        func text(_ range: Range<Int>?) -> String? { range.map { String(decoding: body[$0], as: UTF8.self) } }
        XCTAssertEqual(received.reports.map { text($0.bytes) }, reports)
        XCTAssertEqual(received.reports.map { text($0.observation) }, [#"{"reach": { "ports" : [ ]}}"#, nil, #"{"reach":{"ports":[{"port":443,"state":"open"}]}}"#])
    }

    /// Reports are packed into as few messages as the count and byte limits allow, in order, a
    /// lone one as a RESULT; one larger than the byte limit goes alone.
    func testReportFramesPackWithinTheLimits() throws {
        func report(_ id: Int64, detail: Int = 0) -> TaskReport {
            TaskReport(taskID: id, attempt: 1, outcome: .timeout, detail: detail > 0 ? String(repeating: "x", count: detail) : nil)
        }
        func decoded(_ messages: [[Data]]) throws -> [WireMessage] { try messages.map { try WireMessage(frames: $0) } }
        let many = (1...Int64(WireMessage.maximumReports + 1)).map { report($0) }
        XCTAssertEqual(try decoded(try WireMessage.reportFrames(many, maximumBytes: 1 << 20)),
                       [.results(Array(many.prefix(WireMessage.maximumReports))), .result(many.last!)])
        XCTAssertEqual(try decoded(try WireMessage.reportFrames([report(1)], maximumBytes: 1 << 20)), [.result(report(1))])
        // Each report is about 1,060 bytes: two fit in 2,200, three do not; one of 5,000 goes alone.
        let sized = [report(1, detail: 1_000), report(2, detail: 1_000), report(3, detail: 1_000), report(4, detail: 5_000), report(5, detail: 1_000)]
        let packed = try WireMessage.reportFrames(sized, maximumBytes: 2_200)
        XCTAssertEqual(try decoded(packed), [.results([sized[0], sized[1]]), .result(sized[2]), .result(sized[3]), .result(sized[4])])
        XCTAssertTrue(packed.filter { $0[0] == Data("RESULTS".utf8) }.allSatisfy { $0[1].count <= 2_200 })
    }

    func testMalformedMessagesAreRefusedWithAReason() {
        XCTAssertThrowsError(try WireMessage(frames: [Data("READY".utf8)]))
        XCTAssertThrowsError(try WireMessage(frames: [Data("READY".utf8), Data("{}".utf8)])) { error in
            XCTAssertTrue("\(error)".contains("READY body"))
        }
        XCTAssertThrowsError(try WireMessage(frames: [Data("SHUTDOWN".utf8), Data()])) { error in
            XCTAssertTrue("\(error)".contains("unknown message kind"))
        }
    }

    func testKeyFilesRoundTripAndAllowListNamesBadLines() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-keys-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pair = try CurveKeyPair.generate()
        let files = try CurveKeyFile.write(pair, name: "agent1", directory: directory)
        XCTAssertEqual(try CurveKeyFile.readPair(files.secret), pair)
        XCTAssertEqual(try CurveKeyFile.readPublicKey(files.public), pair.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: files.secret.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)

        let allow = directory.appendingPathComponent("agents.allow")
        try "# agents\n\(pair.publicKey) agent1\nnot-a-key\n\n\(String(repeating: "~", count: 40))\n".write(to: allow, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CurveKeyFile.readAllowList(allow)) { error in
            XCTAssertTrue("\(error)".contains("line 3"), "\(error)")
            XCTAssertTrue("\(error)".contains("line 5"), "\(error)")
        }
        // '#' is a Z85 character: a key may contain it, and it is not read as a comment.
        let hashKey = "0000#" + String(repeating: "0", count: 35)
        XCTAssertTrue(CurveKeyPair.isValidKey(hashKey))
        try "# agents\n\(pair.publicKey) agent1 # the first\n\(hashKey) agent #2\n".write(to: allow, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CurveKeyFile.readAllowList(allow), [pair.publicKey: "agent1", hashKey: "agent"])
    }
}
