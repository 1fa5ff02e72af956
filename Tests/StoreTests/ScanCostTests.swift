import Foundation
import PeilModel
import Store
import XCTest

/// `scanCosts`: the TLS scans' handshakes and connections per web and mail endpoint, from the
/// stored results of one measurement.
final class ScanCostTests: StoreTestCase {
    func testHandshakesPerWebAndMailEndpointFromTheStoredResults() throws {
        _ = try store.importSet(name: "s", entries: try plainEntries("a.nl", "b.nl", "c.nl"))
        let id = try store.createMeasurement(sets: ["s"])
        // One web address each (a web task per host and address), one shared mail server.
        for (index, resolve) in try store.claimTasks(agentID: "r", families: [.ipv4], limit: 3, leaseSeconds: 300).enumerated() {
            var observation = observation(for: resolve.domain)
            observation.facts.web = HostAddresses(host: "www." + resolve.domain, ipv4: ["198.18.16.\(index + 1)"], ipv6: [])
            let report = TaskReport(taskID: resolve.taskID, attempt: 1, outcome: .completed, resolution: observation)
            XCTAssertEqual(try store.recordReport(report, agentID: "r", maxAttempts: 3, plan: ConnectPlanner.plan(observation.facts)), .stored)
        }
        // Two completed web scans (16 and 26 handshakes; the first shared an earlier host's
        // server scan), one inconclusive (3, counted but not in the per-scan figures, and not
        // as shared whatever it says); the mail scan of an older agent has no connection count.
        let scans = [TLSScanResult(outcome: .completed, handshakes: 16, connections: 15, serverScanReused: true),
                     TLSScanResult(outcome: .completed, handshakes: 26, connections: 24),
                     TLSScanResult(outcome: .inconclusive, handshakes: 3, connections: 3, serverScanReused: true)]
        var web = scans.makeIterator()
        for task in try store.claimTasks(agentID: "v4", families: [.ipv4], limit: 50, leaseSeconds: 300) {
            let connect: ConnectObservation
            switch task.kind {
            case .web: connect = ConnectObservation(web: WebObservation(tls: try XCTUnwrap(web.next()), https: nil, http: nil, port80: .refused))
            case .mail: connect = ConnectObservation(mail: MailServerObservation(tls: TLSScanResult(outcome: .completed, handshakes: 20)))
            default: connect = ConnectTaskTests.observation(of: task.kind)
            }
            let result = TaskReport(taskID: task.taskID, attempt: 1, outcome: .completed, connect: connect)
            XCTAssertEqual(try store.recordReport(result, agentID: "v4", maxAttempts: 3), .stored)
        }
        let costs = try store.scanCosts(measurementID: id)
        XCTAssertEqual(costs.map(\.kind), ["mail", "web"])
        let webCost = try XCTUnwrap(costs.last)
        XCTAssertEqual([webCost.endpoints, webCost.completed, webCost.handshakes, webCost.connections], [3, 2, 45, 42])
        XCTAssertEqual(webCost.meanPerCompleted, 21, accuracy: 0.001)
        XCTAssertEqual([webCost.medianPerCompleted, webCost.p90PerCompleted, webCost.maxPerCompleted, webCost.reused], [16, 26, 26, 1])
        let mailCost = try XCTUnwrap(costs.first)
        XCTAssertEqual([mailCost.endpoints, mailCost.completed, mailCost.handshakes, mailCost.connections, mailCost.reused], [1, 1, 20, 0, 0])
        XCTAssertEqual(try store.scanCosts(measurementID: id + 1), [], "another measurement has none")
    }
}
