import Foundation
import PeilModel
import Store
import XCTest

/// The store takes a result only from the agent holding the task's lease, at that attempt,
/// with the observation of the task's kind; and whatever a target sent can be stored.
final class ResultAdmissionTests: StoreTestCase {
    private func measure(_ domains: String...) throws -> Int64 {
        _ = try store.importSet(name: "s", entries: try plainEntries(domains.joined(separator: "\n")))
        return try store.createMeasurement(sets: ["s"])
    }

    private func task(_ id: Int64) throws -> (state: String, leasedBy: String?, lastError: String?) {
        let row = try store.database.query("SELECT state, leased_by, last_error FROM tasks WHERE id = \(id)").single()
        return (try row.decode("state"), try row.decode("leased_by", as: String?.self), try row.decode("last_error", as: String?.self))
    }

    func testOnlyTheLeaseHolderAtItsAttemptReports() throws {
        _ = try measure("a.nl")
        let task = try XCTUnwrap(try store.claimTasks(agentID: "honest", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        XCTAssertEqual(try store.recordReport(completed(task), agentID: "hostile", maxAttempts: 3), .refusedNotLeased,
                       "another agent's lease")
        var wrongAttempt = completed(task)
        wrongAttempt.attempt = 2
        XCTAssertEqual(try store.recordReport(wrongAttempt, agentID: "honest", maxAttempts: 3), .refusedNotLeased)
        for attempt in [0, -1, Int.max, Int.min] {
            wrongAttempt.attempt = attempt
            XCTAssertEqual(try store.recordReport(wrongAttempt, agentID: "honest", maxAttempts: 3), .refusedNotLeased,
                           "attempt \(attempt) is no PostgreSQL error")
        }
        XCTAssertEqual(try count("SELECT count(*) FROM reports"), 0, "nothing refused is kept")
        XCTAssertEqual(try self.task(task.taskID).leasedBy, "honest", "the honest lease is untouched")
        XCTAssertEqual(try store.recordReport(completed(task), agentID: "honest", maxAttempts: 3), .stored)
        XCTAssertEqual(try store.recordReport(completed(task), agentID: "honest", maxAttempts: 3), .duplicate,
                       "a resend after a lost ACK")
    }

    func testAnObservationOfAnotherKindIsRefusedAndEndsTheTask() throws {
        _ = try measure("a.nl")
        let task = try XCTUnwrap(try store.claimTasks(agentID: "a", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        let connect = TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                                 connect: ConnectObservation(reach: ReachObservation(ports: [])))
        XCTAssertEqual(try store.recordReport(connect, agentID: "a", maxAttempts: 3), .refusedWrongKind)
        let ended = try self.task(task.taskID)
        XCTAssertEqual(ended.state, "not_testable")
        XCTAssertEqual(ended.lastError, "result refused: not the observation of a resolve task")
        XCTAssertEqual(try count("SELECT count(*) FROM results"), 0)
    }

    func testNULFromATargetIsStoredMarkedAndReadBack() throws {
        let id = try measure("a.nl", "b.nl")
        let tasks = try store.claimTasks(agentID: "a", families: [.ipv4], limit: 2, leaseSeconds: 60)
        XCTAssertEqual(tasks.count, 2)
        // A TXT record with a NUL byte, in the facts and the raw query.
        var report = completed(tasks[0], note: "v=spf1 \u{0}include:evil -all")
        report.resolution?.queries[0].records = ["\"a\u{0}b\""]
        XCTAssertEqual(try store.recordReport(report, agentID: "a", maxAttempts: 3), .stored)
        let stored = try XCTUnwrap(try store.resolutionResults(measurementID: id)["a.nl"])
        XCTAssertTrue(stored.facts.txt.contains("v=spf1 \u{2400}include:evil -all"), "NUL is stored as ␀")
        XCTAssertEqual(stored.queries[0].records, ["\"a\u{2400}b\""])
        // A banner with a NUL byte in a failure's detail (a text column).
        let banner = TaskReport(taskID: tasks[1].taskID, attempt: tasks[1].attempt, outcome: .probeError,
                                detail: "220 mx.b.nl ESMTP\u{0}\u{0}ready")
        XCTAssertEqual(try store.recordReport(banner, agentID: "a", maxAttempts: 3), .requeued)
        XCTAssertEqual(try self.task(tasks[1].taskID).lastError, "probe_error: 220 mx.b.nl ESMTP\u{2400}\u{2400}ready")
    }

    func testAResultThatCouldNotBeStoredEndsOnlyTheHoldersLease() throws {
        _ = try measure("a.nl")
        let task = try XCTUnwrap(try store.claimTasks(agentID: "a", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        XCTAssertFalse(try store.endLeasedTask(taskID: task.taskID, attempt: task.attempt, agentID: "b", why: "x"))
        XCTAssertFalse(try store.endLeasedTask(taskID: task.taskID, attempt: Int.max, agentID: "a", why: "x"))
        XCTAssertEqual(try self.task(task.taskID).state, "leased")
        XCTAssertTrue(try store.endLeasedTask(taskID: task.taskID, attempt: task.attempt, agentID: "a", why: "result could not be stored: value too long"))
        let ended = try self.task(task.taskID)
        XCTAssertEqual(ended.state, "not_testable")
        XCTAssertEqual(ended.lastError, "result could not be stored: value too long")
    }
}

/// ``StorableText``: the one escape of what PostgreSQL refuses (no database needed).
final class StorableTextTests: XCTestCase {
    func testNULBecomesTheMarkerInTextAndJSON() throws {
        XCTAssertEqual(StorableText.text("a\u{0}b"), "a\u{2400}b")
        XCTAssertEqual(StorableText.text("plain"), "plain")
        XCTAssertEqual(try SQLJSON(["a\u{0}b"]).text, #"["a\u2400b"]"#)
        let query: SQLQuery = "SELECT \("x\u{0}y")"
        XCTAssertEqual(query.binds, ["x\u{2400}y"])
        XCTAssertEqual(SQLQuery(unsafeSQL: "SELECT $1", binds: ["\u{0}"]).binds, ["\u{2400}"])
    }

    func testOnlyRealNULEscapesChange() {
        // An escaped backslash followed by the text u0000 is not a NUL.
        XCTAssertEqual(StorableText.json(#"["\\u0000","\u0000","\U0000","\u00000","\u0001"]"#),
                       #"["\\u0000","\u2400","\U0000","\u24000","\u0001"]"#)
        XCTAssertEqual(StorableText.json(#"{"k":"\"\\"}"#), #"{"k":"\"\\"}"#)
        XCTAssertEqual(StorableText.json("\\"), "\\", "a trailing backslash stays")
    }

    func testJSONWithoutANULEscapeIsKeptAsItIs() {
        let sent = #"{"url":"https:\/\/example.nl\/","q":"\"\u0001\u2400","n":[1,0.5,-2e3]}"#
        XCTAssertEqual(StorableText.json(sent), sent)
        XCTAssertEqual(StorableText.json(#"{"u":"u0000","v":"\/"}"#), #"{"u":"u0000","v":"\/"}"#, "the text u0000, not escaped")
        XCTAssertEqual(StorableText.json(#"{"k":"u0000\u0000"}"#), #"{"k":"u0000\u2400"}"#, "the text u0000 before an escape")
        XCTAssertEqual(StorableText.json("{\"k\":\"a\u{0}b\"}"), "{\"k\":\"a\u{2400}b\"}", "a raw NUL, which no encoder writes, is marked too")
        XCTAssertEqual(StorableText.json(""), "")
        XCTAssertEqual(StorableText.json("u000"), "u000")
        XCTAssertEqual(StorableText.json(#"\u0000"#), #"\u2400"#, "the escape as the whole text")
        XCTAssertEqual(StorableText.json(#"["uuu0\u0000"]"#), #"["uuu0\u2400"]"#, "after u's that start no escape")
        XCTAssertEqual(StorableText.json(#"["\u0000"]"# + "u0000"), #"["\u2400"]"# + "u0000", "the text u0000 at the very end")
        XCTAssertEqual(StorableText.text("\u{0}"), "\u{2400}", "a NUL as the whole text")
        XCTAssertEqual(StorableText.text("é\u{0}"), "é\u{2400}", "a NUL at the end")
        XCTAssertEqual(StorableText.text("\u{0}é"), "\u{2400}é", "a NUL at the start")
    }
}
