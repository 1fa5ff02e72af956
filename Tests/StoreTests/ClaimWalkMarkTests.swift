import Foundation
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// A claim's walk starts where its connection's last walk found the queue (migration 18), so the
/// index entries of tasks that left the queue since the last vacuum are not read on every claim;
/// what is queued again behind that mark is found by a walk from the head, once a second or
/// after a walk that came short.
final class ClaimWalkMarkTests: StoreTestCase {
    private var claimer: PeilStore!

    override func setUpWithError() throws {
        try super.setUpWithError()
        claimer = PeilStore(database: try Database(connectionString: try XCTUnwrap(temporaryDatabase?.connectionString)))
    }

    private func claim(_ limit: Int) throws -> [TaskAssignment] {
        try claimer.claimTasks(agentID: "a", families: [.ipv4], limit: limit, leaseSeconds: 300, perAddress: 4)
    }

    func testClaimsFromTheMarkTakeEveryQueuedTaskOnceInQueueOrder() throws {
        let addresses = (0..<400).map { "198.18.\(20 + $0 / 200).\($0 % 200 + 1)" }
        try SyntheticTasks.queueReach(in: store, addresses: addresses, count: 1)
        // 300 tasks leave the queue without a vacuum: their entries stay in the queue's index.
        try store.database.execute("UPDATE tasks SET state = 'done', finished_at = now() WHERE id IN (SELECT id FROM tasks ORDER BY id LIMIT 300)")
        let queued: [Int64] = try store.database.query("SELECT id FROM tasks WHERE state = 'queued' ORDER BY id").rows.map { try $0.decode("id") }
        var leased: [Int64] = []
        for _ in 0..<30 { leased += try claim(4).map(\.taskID) }
        XCTAssertEqual(leased, queued)
    }

    func testATaskQueuedAgainBehindTheMarkIsClaimedByTheNextWalkFromTheHead() throws {
        try SyntheticTasks.queueReach(in: store, addresses: (0..<60).map { "198.18.30.\($0 + 1)" }, count: 1)
        let first = try claim(2)
        XCTAssertEqual(try claim(2).count, 2, "this walk starts at the first task and marks the third")
        // The first task goes back to the queue, behind where the walks now start.
        try store.database.execute("""
            UPDATE tasks SET state = 'queued', leased_by = NULL, lease_session = NULL, lease_expires_at = NULL
            WHERE id = \(first[0].taskID)
            """)
        let soon = try claim(2)
        XCTAssertFalse(soon.map(\.taskID).contains(first[0].taskID), "within the second the walk starts at its mark")
        Thread.sleep(forTimeInterval: 1.1)
        let later = try claim(2)
        XCTAssertEqual(later.first?.taskID, first[0].taskID, "a second on, the walk starts at the head again")
    }

    func testAfterAShortWindowTheNextWalkStartsAtTheHead() throws {
        try SyntheticTasks.queueReach(in: store, addresses: (0..<20).map { "198.18.31.\($0 + 1)" }, count: 1)
        // 20 queued tasks, a window of 18 for claims of 2: the first walks see full windows.
        let first = try claim(2)
        XCTAssertEqual(try claim(2).count, 2)
        try store.database.execute("""
            UPDATE tasks SET state = 'queued', leased_by = NULL, lease_session = NULL, lease_expires_at = NULL
            WHERE id = \(first[0].taskID)
            """)
        // 16 queued from the mark: this walk comes short, so the next one starts at the head.
        let short = try claim(2)
        XCTAssertFalse(short.map(\.taskID).contains(first[0].taskID))
        let next = try claim(2)
        XCTAssertEqual(next.first?.taskID, first[0].taskID)
    }
}
