import Foundation
import Lab
import LabEndpoints
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The lab's endpoint server (`peil lab serve --plan`) with hostile TLS ports on loopback: the
/// plan's `tls-tarpit`, `tls-garbage` and `tls-reset` modes reach the same behaviours the
/// in-process `HostileTLSServer` serves, and a scan of each ends within its bounds.
@Suite("Lab endpoint server: hostile TLS ports", .serialized,
       .enabled(if: TestRequirements.isMet(.peilBinary), "needs the built peil"), .blockingWork)
struct LabHostilePortTests {
    @Test(.timeLimit(.minutes(2)))
    func hostilePortsOfThePlanAreServedAndScansEndInTime() throws {
        let folder = try TestProcess.scratchFolder("hostile-ports")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard let served = try HostilePlanServer.start([.tlsTarpit, .tlsGarbage, .tlsReset], service: .web, id: "web-hostile", name: "www.hostile.lab", in: folder) else { return }
        defer { served.server.stop() }
        let (tarpit, garbage, reset) = (served.ports[.tlsTarpit]!, served.ports[.tlsGarbage]!, served.ports[.tlsReset]!)

        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: HostileTLSScanTests.limits, retries: 1)
        let budget: Duration = .seconds(20)
        let clock = ContinuousClock()
        for (port, expected) in [(tarpit, "2 consecutive timeouts"), (garbage, "malformed"), (reset, "")] {
            var result: TLSScanResult?
            let elapsed = clock.measure {
                result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: port, serverName: "www.hostile.lab"), options: options,
                                         deadline: ProbeDeadline(.now + budget))
            }
            let scan = try #require(result)
            print("port \(port): \(scan.outcome), \(scan.handshakes) handshakes in \(elapsed): \(scan.detail ?? "-")")
            #expect(scan.outcome != .completed && scan.observation == nil, "port \(port)")
            #expect(expected.isEmpty || scan.detail?.contains(expected) == true, "port \(port): \(scan.detail ?? "-")")
            #expect(elapsed < HostileTLSScanTests.limits.answerTimeout * 2 + HostileTLSScanTests.slack, "port \(port)")
        }
    }
}
