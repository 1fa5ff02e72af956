import Coordinator
import Foundation
import PeilModel
import Store
import XCTest

/// `peil agents`' table and JSON.
final class AgentRosterTests: XCTestCase {
    private let agents = [
        AgentRecord(id: "six", families: [.ipv6], concurrency: 8, version: "0.9.0",
                    registeredAt: Date(timeIntervalSince1970: 1_764_748_800), lastSeenAt: Date(timeIntervalSince1970: 1_764_752_400), silenceSeconds: 7_300),
        AgentRecord(id: "dual", families: [.ipv6, .ipv4], concurrency: 16, version: "1.0.0",
                    registeredAt: Date(timeIntervalSince1970: 1_764_748_800), lastSeenAt: Date(timeIntervalSince1970: 1_764_759_598), silenceSeconds: 2.4),
    ]

    func testTableListsEveryAgentSortedWithConnectedWithinTheLimit() {
        let table = AgentRoster(agents, connectedWithin: .seconds(30)).table
        XCTAssertEqual(table, """
            AGENT  STATE      FAMILIES   CONCURRENCY  VERSION  REGISTERED               LAST CONTACT
            dual   connected  ipv4,ipv6  16           1.0.0    2025-12-03 08:00:00 UTC  2025-12-03 10:59:58 UTC (2 s ago)
            six    gone       ipv6       8            0.9.0    2025-12-03 08:00:00 UTC  2025-12-03 09:00:00 UTC (2 h ago)

            """)
        XCTAssertEqual(AgentRoster([], connectedWithin: .seconds(30)).table, "no agents known yet\n")
        XCTAssertTrue(AgentRoster(agents, connectedWithin: .seconds(1)).table.contains("dual   gone"))
    }

    func testJSONHasEveryFieldWithISOTimes() throws {
        let json = try AgentRoster(agents, connectedWithin: .seconds(30)).json()
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["id"] as? String }, ["dual", "six"])
        XCTAssertEqual(entries[0]["connected"] as? Bool, true)
        XCTAssertEqual(entries[1]["connected"] as? Bool, false)
        XCTAssertEqual(entries[0]["families"] as? [String], ["ipv4", "ipv6"])
        XCTAssertEqual(entries[0]["concurrency"] as? Int, 16)
        XCTAssertEqual(entries[0]["version"] as? String, "1.0.0")
        XCTAssertEqual(entries[0]["lastContactAt"] as? String, "2025-12-03T10:59:58Z")
        XCTAssertEqual(entries[1]["registeredAt"] as? String, "2025-12-03T08:00:00Z")
        XCTAssertEqual(entries[0]["secondsSinceContact"] as? Double, 2.4)
    }
}
