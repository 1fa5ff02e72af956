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
       .enabled(if: TestRequirements.isMet(.peilBinary), "needs the built peil"))
struct LabHostilePortTests {
    @Test(.timeLimit(.minutes(2)))
    func hostilePortsOfThePlanAreServedAndScansEndInTime() throws {
        let folder = try TestProcess.scratchFolder("hostile-ports")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (tarpit, garbage, reset) = (try LoopbackTLSServers.freePort(), try LoopbackTLSServers.freePort(), try LoopbackTLSServers.freePort())
        let tls = EndpointTLS(versions: ["TLSv1.2", "TLSv1.3"], ciphers: ["ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"],
                              groups: ["X25519"], key: "rsa-2048", certificate: "valid", clientRenegotiation: false)
        let platform = EndpointPlatform(id: "web-hostile", service: .web, addresses: [
            EndpointAddress(address: "127.0.0.1", ports: [EndpointPort(port: Int(tarpit), mode: .tlsTarpit),
                                                          EndpointPort(port: Int(garbage), mode: .tlsGarbage),
                                                          EndpointPort(port: Int(reset), mode: .tlsReset)]),
        ], tls: tls, names: ["www.hostile.lab"])
        let plan = EndpointPlan(rttMilliseconds: 0, platforms: [platform], sites: [])
        let certificates = LabCertificates(directory: URL(fileURLWithPath: folder).appendingPathComponent("certs"))
        _ = try certificates.make(plan.platforms)
        let planFile = folder + "/endpoints.json", pidFile = folder + "/serve.pid"
        try JSONEncoder().encode(plan).write(to: URL(fileURLWithPath: planFile))
        let peil = try #require(TestProcess.peil)
        let server = try TestProcess(peil, ["lab", "serve", "--plan", planFile, "--certificates", certificates.directory.path, "--pid-file", pidFile],
                                     log: folder + "/serve.log")
        defer { server.stop() }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: pidFile) && server.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        #expect(FileManager.default.fileExists(atPath: pidFile), "the server did not start: \(server.errorOutput)\(server.output)")

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
