import Foundation
import PeilTestSupport
import Store
import XCTest

/// `tasks` is vacuumed after a fiftieth of its rows died (migration 19): its dead row versions
/// are what a claim's walk from the queue's head steps over (docs/SCALE.md, "Session 28").
final class TasksAutovacuumTests: StoreTestCase {
    func testTasksIsVacuumedAfterAFiftiethOfItsRowsDied() throws {
        let options: String = try store.database.query("""
            SELECT coalesce(array_to_string(reloptions, ','), '') AS options FROM pg_class WHERE oid = 'tasks'::regclass
            """).single().decode("options")
        XCTAssertEqual(options, "autovacuum_vacuum_scale_factor=0.02")
    }
}
