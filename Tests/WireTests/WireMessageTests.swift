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
